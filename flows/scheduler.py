"""`newsflow serve`: the ingest flow on each feed's cron schedule, by Prefect's own scheduler.

Schedules need a real Prefect server (the ephemeral one refuses them). With no
PREFECT_API_URL set, one is started on 127.0.0.1 for the life of the command.
Each deployment runs one ingest at a time: a run due while the previous one is
still going is cancelled, not stacked (a one-minute cron over a five-minute poll).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx

from flows.config import FeedConfig
from schemas.errors import NewsflowError
from schemas.settings import DEFAULTS

RUNS_AT_ONCE = 1  # per deployment; later runs that collide are cancelled (Prefect's CANCEL_NEW)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def local_prefect_server(timeout_s: float = 120) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1 and yield its API URL; stop it on exit."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "PREFECT_UI_API_URL": url},
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise NewsflowError(f"the local Prefect server exited with code {proc.returncode}; "
                                    "set PREFECT_API_URL to use a server you run instead")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise NewsflowError(f"the local Prefect server did not start within {timeout_s:.0f} s; "
                                    "set PREFECT_API_URL to use a server you run instead")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)
        if proc.poll() is None:
            proc.kill()


def deployments(db: str, feeds_file: str, feeds: list[FeedConfig], policy) -> list:
    """One deployment per distinct schedule, each running ingest on its feeds, one run at a time."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    from flows.ingest import ingest

    by_cron: dict[str, list[str]] = defaultdict(list)
    for f in feeds:
        by_cron[f.schedule or DEFAULTS.schedule].append(f.name)
    limit = ConcurrencyLimitConfig(limit=RUNS_AT_ONCE, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return [
        ingest.to_deployment(
            name=f"ingest-{'-'.join(names)}"[:60],
            cron=cron,
            concurrency_limit=limit,
            # by module, not by file: a file entrypoint puts the flows/ folder on sys.path, where
            # flows/http.py hides the standard library's http in the parse workers
            entrypoint_type=EntrypointType.MODULE_PATH,
            parameters={
                "db": str(Path(db).resolve()),
                "feeds_file": str(Path(feeds_file).resolve()),
                "only": names,
                "policy": dataclasses.asdict(policy),
            },
        )
        for cron, names in by_cron.items()
    ]


def serve_feeds(db: str, feeds_file: str, feeds: list[FeedConfig], policy) -> None:
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if os.environ.get("PREFECT_API_URL"):
        serve(*deployments(db, feeds_file, feeds, policy))
        return
    with local_prefect_server() as api_url:
        print(f"started a local Prefect server; UI at {api_url.removesuffix('/api')}", flush=True)
        with temporary_settings({PREFECT_API_URL: api_url}):
            serve(*deployments(db, feeds_file, feeds, policy))

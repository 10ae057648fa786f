"""`newsflow serve`: the ingest flow on each feed's cron schedule, by Prefect's own scheduler.

Schedules need a real Prefect server (the ephemeral one refuses them). With no
PREFECT_API_URL set, one is started on 127.0.0.1 for the life of the command
(`flows.prefect_server`).
Each deployment runs one ingest at a time: a run due while the previous one is
still going is cancelled, not stacked (a one-minute cron over a five-minute poll).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from prefect import flow

from flows import interrupt
from flows.config import FeedConfig
from flows.http import FetchPolicy
from schemas.settings import DEFAULTS

RUNS_AT_ONCE = 1  # per deployment; later runs that collide are cancelled (Prefect's CANCEL_NEW)


def deployments(db: str, feeds_file: str, feeds: list[FeedConfig], policy) -> list:
    """One deployment per distinct schedule, each running ingest on its feeds, one run at a time."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    by_cron: dict[str, list[str]] = defaultdict(list)
    for f in feeds:
        by_cron[f.schedule or DEFAULTS.schedule].append(f.name)
    limit = ConcurrencyLimitConfig(limit=RUNS_AT_ONCE, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return [
        scheduled_ingest.to_deployment(
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


@flow(name="scheduled-ingest", log_prints=True)
def scheduled_ingest(db: str, feeds_file: str, only: list[str] | None = None, policy: FetchPolicy | None = None) -> None:
    """The flow each schedule runs: `flows.ingest.ingest` in a thread of its own (`flows.interrupt.run`), so that
    the SIGTERM with which Prefect's runner cancels a run (on `serve`'s Ctrl-C) stops it at its next safe point
    as Ctrl-C stops `newsflow ingest`, instead of Prefect's handler raising into it and logging a crash."""
    from flows.ingest import ingest
    from flows.parallel import stop_pool

    interrupt.reset()
    try:
        interrupt.run(lambda: asyncio.run(ingest(db=db, feeds_file=feeds_file, only=only, policy=policy)), on_stop=stop_pool)
    finally:
        stop_pool()


def serve_feeds(db: str, feeds_file: str, feeds: list[FeedConfig], policy,
                api: Callable[[], AbstractContextManager[str | None]]) -> None:
    """Serve the feeds' deployments with Prefect's runner until Ctrl-C or SIGTERM, through the Prefect API that
    `api()` gives (a server of newsflow's own, with its UI, when it yields a URL).

    The runner runs in a thread of its own (`flows.interrupt.run`). On the first signal it stops:
    runs in progress are cancelled (Prefect sends their processes SIGTERM, on which each stops at its
    next safe point and records it: `scheduled_ingest`; their parse workers end with them), the schedules are paused, the server stopped.
    """
    from prefect.runner import Runner

    async def until_stopped(runner: Runner) -> None:
        running = asyncio.ensure_future(runner.start())
        while not running.done():
            await asyncio.wait({running}, timeout=interrupt.POLL_S)
            if interrupt.requested() and runner.started and not runner.stopping:
                await runner.astop()
        running.result()

    def work() -> None:
        with api() as url:
            if url:
                print(f"started a local Prefect server; UI at {url.removesuffix('/api')}", flush=True)
            runner = Runner(pause_on_shutdown=True)  # as prefect.serve() makes it
            served = deployments(db, feeds_file, feeds, policy)
            for deployment in served:
                runner.add_deployment(deployment)
            print(f"serving {len(feeds)} feed(s) on {len(served)} schedule(s) until stopped (Ctrl-C)", flush=True)
            asyncio.run(until_stopped(runner))

    interrupt.run(work)

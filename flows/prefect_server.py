"""The Prefect server on 127.0.0.1 that a newsflow command starts when PREFECT_API_URL names none.

Left to itself, Prefect starts a temporary server for a flow run (`SubprocessASGIServer`, stopped
by an exit hook) in the command's process group. Ctrl-C at a terminal, or `timeout`, then signals
that server too: it stops at the same moment as the run, which can no longer report its end and
retries for a minute or more, printing tracebacks; and a SIGTERM to newsflow alone skipped the
exit hook and left the server running. So newsflow starts the server itself: in a session of its
own, so that only newsflow stops it, after the run has reported and Prefect has sent its last logs
and events (as Prefect's test harness does); and tied to newsflow's process (`flows.lifeline`), so
that it ends with newsflow however newsflow ends.

`local_server()` is Prefect's temporary server (the API and the services a flow run needs, no UI);
`local_server(ui=True)` is what `prefect server start` runs (UI, scheduler, every service), for
`newsflow serve`. Run as `python -m flows.prefect_server PARENT_PID PORT`, this module is that
server, its settings in the environment.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

import httpx

from flows import lifeline
from schemas.errors import NewsflowError

# Prefect's temporary server (prefect.server.api.server.SubprocessASGIServer): no UI, and only the services a
# run needs. Less than Prefect's own: no automations (nobody can make one on a server that lives as long as a
# command, so its triggers and actions services only read every event), and no block types registered on each
# start (newsflow uses no blocks). Measured with a probe, two starts each: 3.3-3.5 s of CPU to start against 3.6-3.7.
TEMPORARY = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
             "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false", "PREFECT_SERVER_SERVICES_ACTIONS_ENABLED": "false"}
STARTUP_S = 120.0  # the server migrates its database on start; a loaded machine has taken a minute
STOP_S = 5.0  # after SIGTERM, before SIGKILL (Prefect's own temporary server waits as long)
DRAIN_S = 10.0  # for Prefect's last logs and events to reach the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def local_server(ui: bool = False, should_stop: Callable[[], bool] = lambda: False) -> Iterator[str]:
    """Start a Prefect server on a free 127.0.0.1 port and yield its API URL (http://127.0.0.1:PORT/api).

    On exit, Prefect's queued logs and events are sent, then the server is stopped (SIGTERM, SIGKILL
    after `STOP_S`). Raises `NewsflowError` when it exits or does not answer within `STARTUP_S`,
    and `flows.interrupt.Interrupted` when `should_stop()` turns true while it starts.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    server_env = {"PREFECT__SERVER_FINAL": "1"}
    server_env |= {"PREFECT_UI_API_URL": url} if ui else TEMPORARY
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.prefect_server", str(os.getpid()), str(port)],
            env={**os.environ, **server_env}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
            start_new_session=True,
        )
        try:
            _wait_until_up(proc, url, errors, should_stop)
            yield url
        finally:
            _drain_prefect()
            _stop(proc)


def _wait_until_up(proc: subprocess.Popen, url: str, errors, should_stop: Callable[[], bool]) -> None:
    from flows.interrupt import Interrupted

    deadline = time.monotonic() + STARTUP_S
    while True:
        if proc.poll() is not None:
            errors.seek(0)
            said = errors.read().decode(errors="replace").strip().splitlines()
            raise NewsflowError(f"the local Prefect server exited with code {proc.returncode}"
                                + (f" ({said[-1]})" if said else "") + "; set PREFECT_API_URL to use a server you run instead")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        if should_stop():
            raise Interrupted
        if time.monotonic() > deadline:
            raise NewsflowError(f"the local Prefect server did not start within {STARTUP_S:.0f} s; "
                                "set PREFECT_API_URL to use a server you run instead")
        time.sleep(0.2)


def _drain_prefect() -> None:
    """Send what Prefect's log and event workers still hold, while the server is up (none if Prefect was never used)."""
    if "prefect.logging.handlers" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=DRAIN_S)
    EventsWorker.drain_all(timeout=DRAIN_S)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(STOP_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list[str]) -> None:
    """The server process: follow the parent, then serve Prefect's API (and UI) on 127.0.0.1:PORT until SIGTERM."""
    parent_pid, port = int(argv[0]), int(argv[1])
    lifeline.follow(parent_pid)
    import uvicorn

    uvicorn.run("prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=port, log_level="error", lifespan="on")


if __name__ == "__main__":
    main(sys.argv[1:])

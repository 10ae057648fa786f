"""Ctrl-C and SIGTERM: the run stops at its next safe point, keeps what it loaded, and the process leaves cleanly.

The command line runs a flow in a thread of its own (`run`) while the main thread takes SIGINT
and SIGTERM. The first signal asks the run to stop (`requested`): the flow abandons the batch
it is fetching or parsing (its URLs stay pending in the frontier for the next run; a batch
already loading finishes its transaction), records what it did, and returns. A second signal
ends the process at once; what it started ends with it (`flows.lifeline`).

Prefect is left out of this on purpose: in the main thread its flow engine would replace the
SIGTERM handler with one that raises into whatever code is running, and asyncio's Ctrl-C
handler cancels the flow's task wherever it waits. From a thread other than the main one,
neither installs a handler.

A process stopped by a signal leaves by that signal (`leave`), as the shell expects: its exit
status is 130 for SIGINT and 143 for SIGTERM, a shell loop around it stops, and a service
manager sees a clean stop.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

T = TypeVar("T")

SIGNALS = (signal.SIGINT, signal.SIGTERM)
POLL_S = 0.2  # how often a waiting step looks for a stop request
ONE_SIGNAL_S = 0.5  # signals this close are one: `timeout` signals the command, then its whole process group

_stop = threading.Event()
_received: list[tuple[int, float]] = []  # the signals received, with their time.monotonic()


class Interrupted(Exception):
    """A stop was requested: raised at a safe point, the current batch is abandoned (its URLs stay pending)."""


def requested() -> bool:
    """True once a stop was asked for (a signal, or `request`)."""
    return _stop.is_set()


def request() -> None:
    """Ask the running flow to stop at its next safe point (what the first SIGINT or SIGTERM does)."""
    _stop.set()


def reset() -> None:
    """Forget an earlier stop request: a new run in this process starts clean."""
    _stop.clear()
    _received.clear()


def wait(timeout_s: float | None = None) -> bool:
    """Block until a stop is requested (True), or `timeout_s` passes (False)."""
    return _stop.wait(timeout_s)


def check(within_s: float = 0.0) -> None:
    """Raise `Interrupted` if a stop was requested (or is, within `within_s` seconds); call between units of work."""
    if _stop.wait(within_s) if within_s else _stop.is_set():
        raise Interrupted


async def unless_stopped(step: Awaitable[T]) -> T:
    """Await `step`, or cancel it and raise `Interrupted` within `POLL_S` of a stop request.

    For steps that only wait (fetches): cancelling them loses nothing that was stored.
    """
    task = asyncio.ensure_future(step)
    while True:
        done, _ = await asyncio.wait({task}, timeout=POLL_S)
        if done:
            return task.result()
        if _stop.is_set():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            raise Interrupted


def signal_received() -> int | None:
    """The signal that asked this process to stop, if one did."""
    return _received[0][0] if _received else None


def run(work: Callable[[], T], on_stop: Callable[[], object] = lambda: None, signals: tuple[int, ...] = SIGNALS) -> T:
    """Call `work()` in a thread of its own while this, the main thread, takes `signals` (SIGINT and SIGTERM; a
    command that must clean up when its terminal closes adds SIGHUP); return its result. An added signal that
    the process ignores (SIGHUP under `nohup`) stays ignored.

    The first signal calls `request()`, then (from this thread, within `POLL_S`) `on_stop()`, for what
    is best stopped from outside the run, such as its parse workers; the second signal ends the
    process at once with that signal.
    `work` runs in a copy of this thread's context (Prefect's settings are context variables),
    with SIGINT blocked, so that the processes it starts inherit the block: a Ctrl-C at the
    terminal, which signals every process of the foreground group, reaches newsflow alone, and
    newsflow stops what it started. Exceptions of `work` are raised here. The previous handlers are
    restored on return, unless a signal came.
    """
    outcome: dict[str, object] = {}
    context = contextvars.copy_context()

    def target() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # and every process started from here
        try:
            outcome["value"] = context.run(work)
        except BaseException as e:  # handed to the main thread, which raises it
            outcome["error"] = e

    def handler(signum: int, frame: object) -> None:
        now = time.monotonic()
        if _received and now - _received[-1][1] < ONE_SIGNAL_S:
            return
        _received.append((signum, now))
        if len(_received) > 1:
            sys.stderr.write("\ninterrupted again: stopped at once; the batch in progress is left for the next run\n")
            _die_by(signum)
        request()

    thread = threading.Thread(target=target, name="newsflow-run", daemon=True)
    previous = {s: signal.signal(s, handler) for s in signals if s in SIGNALS or signal.getsignal(s) is not signal.SIG_IGN}
    try:
        thread.start()
        stopped = False
        while thread.is_alive():
            thread.join(POLL_S)
            if _stop.is_set() and not stopped:
                stopped = True
                on_stop()
    finally:
        if not _received:  # after a signal the process is on its way out, and a second one still leaves at once
            for s, h in previous.items():
                signal.signal(s, h)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def leave(signum: int | None = None) -> NoReturn:
    """End the command that a signal stopped (`signum`, default the one `run` received): by that signal, once
    the normal exit work is done.

    Raises SystemExit(128 + signal), so `finally` blocks run and Prefect's services drain (at
    thread shutdown, before exit hooks); then an exit hook re-sends the signal with its default
    action, as Python itself does after an unhandled KeyboardInterrupt. Without a signal (a stop
    asked for by `request`), or if the signal cannot end the process, the status is 128 + signal.
    """
    signum = signum or signal_received()
    if signum is not None:
        atexit.register(_die_by, signum)
    raise SystemExit(128 + (signum or signal.SIGINT))


def _die_by(signum: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # only if the signal did not end the process

"""Batches in flight: while the worker pool parses (or analyses) one batch, the next is fetched (or read) and the one
before is loaded, so the workers wait neither on the network nor on DuckDB.

A batch goes through three steps: take (fetch its pages, or read its texts or stored pages), work (parse or analyse,
in the pool's workers) and load (one transaction). `in_flight` starts the batches' tasks in order, at most `DEPTH`
started and not yet settled, and settles each (counts, progress) in the order they started. Two steps run one batch
at a time, in the order the batches reach them, behind the locks of `step`:

- "fetch": batches arrive in order, and the fetcher's connections go to the batch the workers need next;
- "load": one writer, as DuckDB wants.

Reading a batch from the warehouse takes no lock (DuckDB readers see the last commit): an analysis never waits behind
the fetch of a page that hangs.

Work has no lock: a batch hands its pages to the pool as soon as it has them, and the pool's queue keeps them in order
behind the batch before, so a worker done with one batch's last chunk goes on with the next batch's first.
The blocking parts of a batch (waiting on the pool, DuckDB) run in threads (`blocking`), so the event loop goes on
fetching meanwhile. With DEPTH 3 at most three batches of pages are in memory: one loading, one being parsed, one
fetched or being fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Literal, ParamSpec, TypeVar

from flows import interrupt

DEPTH = 3  # batches started and not settled: one loading, one in the pool, one taken (with 2, the pool would idle while a batch loads)

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")
Step = Literal["fetch", "load"]

_locks: contextvars.ContextVar[dict[Step, asyncio.Lock] | None] = contextvars.ContextVar("newsflow_step_locks", default=None)


@contextlib.asynccontextmanager
async def step(name: Step) -> AsyncIterator[None]:
    """Hold the step `name` for one batch inside `in_flight`; a batch run on its own holds nothing."""
    locks = _locks.get()
    if locks is None:
        yield
        return
    async with locks[name]:
        yield


async def blocking(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(*args, **kwargs)` in a thread (with this context: progress, settings), the event loop free meanwhile."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def in_flight(
    batches: Iterable[T], run: Callable[[T], Awaitable[R | None]], settle: Callable[[T, R], Awaitable[object]], depth: int = DEPTH
) -> None:
    """Await `run(batch)` for each batch, up to `depth` at once, and `settle(batch, result)` for each result in the
    batches' order. No batch starts once a stop is requested or a batch came back None (abandoned by a stop); the
    batches already started end as they will (a stopped one gives None, which is not settled).

    Raises what a batch raised, after the batches still running are cancelled and awaited (a step already in a thread
    finishes its work: a load commits or rolls back whole).
    """
    started: deque[tuple[T, asyncio.Task]] = deque()
    stopped = False
    token = _locks.set({"fetch": asyncio.Lock(), "load": asyncio.Lock()})  # tasks created from here on see them

    async def settle_oldest() -> bool:
        batch, task = started.popleft()
        result = await task
        if result is None:
            return False
        await settle(batch, result)
        return True

    try:
        for batch in batches:
            if stopped or interrupt.requested():
                break
            started.append((batch, asyncio.ensure_future(run(batch))))
            if len(started) >= depth:
                stopped = not await settle_oldest()
        while started:
            await settle_oldest()
    except BaseException:
        for _, task in started:
            task.cancel()
        await asyncio.gather(*(task for _, task in started), return_exceptions=True)
        raise
    finally:
        _locks.reset(token)

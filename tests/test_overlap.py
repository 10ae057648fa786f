"""Batches in flight (`flows.overlap`): the pool's next batch is taken while one is worked on, results settle in order,
a stop or a failure starts nothing more."""

from __future__ import annotations

import asyncio

import pytest

from flows import interrupt, overlap


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=20))


def test_the_next_batch_is_taken_while_one_is_worked_on_and_the_one_before_loads():
    """Batch 1's work waits until batch 2 has been taken and batch 0 has loaded: run one after another, this never ends."""
    events: list[str] = []
    taken = {i: asyncio.Event() for i in range(4)}
    loaded = {i: asyncio.Event() for i in range(4)}

    async def batch(i: int) -> int:
        async with overlap.step("fetch"):
            events.append(f"take {i}")
            taken[i].set()
        if i == 1:
            await taken[2].wait()
            await loaded[0].wait()
        async with overlap.step("load"):
            events.append(f"load {i}")
            loaded[i].set()
        return i

    settled: list[int] = []

    async def settle(i: int, result: int) -> None:
        settled.append(result)

    run(overlap.in_flight(range(4), batch, settle))
    assert settled == [0, 1, 2, 3]
    assert events.index("take 2") < events.index("load 1")


def test_results_settle_in_the_batches_order_and_at_most_depth_are_in_flight():
    running, peak = 0, 0

    async def batch(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05 if i % 2 == 0 else 0.0)  # even batches end after the odd ones started with them
        running -= 1
        return i * 10

    settled: list[tuple[int, int]] = []

    async def settle(i: int, result: int) -> None:
        settled.append((i, result))

    run(overlap.in_flight(range(7), batch, settle, depth=3))
    assert settled == [(i, i * 10) for i in range(7)]
    assert peak == 3


def test_the_load_step_is_one_batch_at_a_time():
    inside, most = 0, 0

    async def batch(i: int) -> int:
        nonlocal inside, most
        async with overlap.step("load"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1
        return i

    async def settle(i: int, result: int) -> None:
        pass

    run(overlap.in_flight(range(6), batch, settle))
    assert most == 1


def test_an_abandoned_batch_starts_nothing_more_and_those_started_still_settle():
    started: list[int] = []

    async def batch(i: int) -> int | None:
        started.append(i)
        return None if i == 2 else i

    settled: list[int] = []

    async def settle(i: int, result: int) -> None:
        settled.append(i)

    run(overlap.in_flight(range(10), batch, settle, depth=3))
    assert sorted(started) == [0, 1, 2, 3, 4]  # batches 3 and 4 started before batch 2's end was known
    assert settled == [0, 1, 3, 4]  # they end as they will; batch 2 is not settled


def test_a_stop_request_starts_no_batch():
    interrupt.reset()
    interrupt.request()
    started: list[int] = []

    async def batch(i: int) -> int:
        started.append(i)
        return i

    async def settle(i: int, result: int) -> None:
        pass

    try:
        run(overlap.in_flight(range(5), batch, settle))
    finally:
        interrupt.reset()
    assert started == []


def test_a_failing_batch_cancels_the_others_and_its_error_is_raised():
    cancelled: list[int] = []

    async def batch(i: int) -> int:
        if i == 0:
            await asyncio.sleep(0.01)
            raise RuntimeError("disk full")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(i)
            raise
        return i

    async def settle(i: int, result: int) -> None:
        pass

    with pytest.raises(RuntimeError, match="disk full"):
        run(overlap.in_flight(range(5), batch, settle, depth=3))
    assert sorted(cancelled) == [1, 2]


def test_a_batch_run_alone_holds_no_step():
    async def alone() -> str:
        async with overlap.step("load"):
            async with overlap.step("load"):  # no lock outside `in_flight`: nesting cannot deadlock a lone batch
                return await overlap.blocking(str.upper, "done")

    assert run(alone()) == "DONE"

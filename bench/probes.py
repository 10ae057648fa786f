"""Probes the benches put on project functions inside the bench process: time each call, or note when one starts.

A probe replaces `module.name` where the callers look the function up (a module global of the caller's module),
for the time of a `with` block, and fails loudly (AttributeError) when the function moved. The project's code
is never changed.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType


@contextmanager
def replaced(module: ModuleType, name: str, wrap: Callable[[Callable], Callable]) -> Iterator[None]:
    """`module.name` is `wrap(original)` inside the block."""
    original = getattr(module, name)
    setattr(module, name, functools.wraps(original)(wrap(original)))
    try:
        yield
    finally:
        setattr(module, name, original)


@contextmanager
def record_calls(module: ModuleType, name: str, seconds: list[float]) -> Iterator[None]:
    """Append the wall seconds of each call of `module.name` (sync or async) to `seconds` inside the block."""

    def wrap(fn: Callable) -> Callable:
        if inspect.iscoroutinefunction(fn):
            async def timed_async(*args, **kwargs):
                t0 = time.perf_counter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    seconds.append(time.perf_counter() - t0)
            return timed_async

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds.append(time.perf_counter() - t0)
        return timed

    with replaced(module, name, wrap):
        yield


@contextmanager
def on_start(calls: list[tuple[ModuleType, str]], note: Callable[[], None]) -> Iterator[None]:
    """Call `note()` when any of the functions `calls` (module, name) starts, inside the block."""

    def wrap(fn: Callable) -> Callable:
        if inspect.iscoroutinefunction(fn):
            async def noted_async(*args, **kwargs):
                note()
                return await fn(*args, **kwargs)
            return noted_async

        def noted(*args, **kwargs):
            note()
            return fn(*args, **kwargs)
        return noted

    with ExitStack() as stack:
        for module, name in calls:
            stack.enter_context(replaced(module, name, wrap))
        yield

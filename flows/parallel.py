"""CPU work in processes: parsing gains nothing from threads on CPython."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

MIN_PAGES_FOR_POOL = 24  # below this, starting workers costs more than it saves


@contextmanager
def parse_pool(pages: int) -> Iterator[Executor | None]:
    """A process pool sized to the machine, or None for small batches (parse inline).

    forkserver, not fork: the flow's process runs Prefect's threads, and forking a
    threaded process can deadlock the child.
    """
    workers = min(os.cpu_count() or 1, 8)
    if pages < MIN_PAGES_FOR_POOL or workers < 2:
        yield None
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["extractors.page"])  # workers start with the parsers imported
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        yield pool

"""CPU work in processes: parsing and entity recognition gain nothing from threads on CPython."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor

MIN_PAGES_FOR_POOL = 24  # below this, handing pages to workers costs more than it saves
_pool: ProcessPoolExecutor | None = None


def _warm() -> None:
    """Load the spaCy model when a worker starts, not inside the first batch."""
    from extractors.entities.nlp import load_nlp

    load_nlp()


def parse_pool(pages: int) -> Executor | None:
    """The process's worker pool (started once, kept for later batches), or None for small batches.

    forkserver, not fork: the flow's process runs Prefect's threads, and forking a
    threaded process can deadlock the child.
    """
    global _pool
    workers = min(os.cpu_count() or 1, 8)
    if pages < MIN_PAGES_FOR_POOL or workers < 2:
        return None
    if _pool is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["extractors.analysis", "flows.pipeline"])
        _pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_warm)
        atexit.register(_pool.shutdown)
    return _pool

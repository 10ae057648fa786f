"""CPU work in processes: parsing and entity recognition gain nothing from threads on CPython.

This module is what a worker process imports: it keeps its imports light, so a worker holds
the extractors and the spaCy model and nothing else (no Prefect, DuckDB or Arrow), and the
flow's process never loads spaCy unless it parses a small batch itself.
"""

from __future__ import annotations

import atexit
import datetime as dt
import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor

MIN_PAGES_FOR_POOL = 24  # below this, handing pages to workers costs more than it saves
MAX_WORKERS = 8
_pool: ProcessPoolExecutor | None = None


def parse_one(body: bytes, content_type: str | None, url: str, reference: dt.date | None):
    """Worker entry point of stage 1: the Article, or the reject reason as a string."""
    from extractors.page import UnusableDocument, parse_page

    try:
        return parse_page(body, content_type, url, reference)
    except UnusableDocument as e:
        return str(e)
    except Exception as e:  # a parser bug must cost one page, not the run
        return f"parser error: {type(e).__name__}: {e}"


def analyze_some(texts: list):
    """Worker entry point of stage 2: `extractors.analysis.analyze_texts` (ArticleText records in, ArticleFacts out)."""
    from extractors.analysis import analyze_texts

    return analyze_texts(texts)


ORPHAN_CHECK_S = 1.0  # how often a worker looks for the flow's process where pidfd is missing


def _exit_with(flow_pid: int) -> None:
    """End this worker as soon as the flow's process `flow_pid` has ended, however it ended.

    A pool worker waits on a queue it also holds the writing end of, and it keeps the fork server
    alive, so after a `kill -9` of the flow it would stay, holding its spaCy model, for ever.
    Linux's pidfd says when the process exits (zombie or not); elsewhere, poll every second.
    """
    try:
        fd = os.pidfd_open(flow_pid)
    except (AttributeError, OSError):
        while _alive(flow_pid):
            time.sleep(ORPHAN_CHECK_S)
    else:
        select.select([fd], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _warm(flow_pid: int) -> None:
    """Start the orphan watch when a worker starts. The spaCy model loads with the first analysis a worker
    runs: a run that only parses (`--analysis later`) never pays for it."""
    threading.Thread(target=_exit_with, args=(flow_pid,), name="orphan-watch", daemon=True).start()


def parse_pool(pages: int) -> Executor | None:
    """The process's worker pool (started once, kept for later batches), or None for a small first batch.

    One worker per core, at most MAX_WORKERS: each holds its own spaCy model (~150 MB).
    forkserver, not fork: the flow's process runs Prefect's threads, and forking a
    threaded process can deadlock the child. Nothing is preloaded into the fork server:
    every process it would share pages with counts them again in the run's resident memory.
    """
    global _pool
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if _pool is None and (pages < MIN_PAGES_FOR_POOL or workers < 2):
        return None  # once started, the pool takes small batches too: the flow's process never loads spaCy
    if _pool is None:
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"), initializer=_warm, initargs=(os.getpid(),))
        atexit.register(_pool.shutdown)
    return _pool

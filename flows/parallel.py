"""CPU work in processes: parsing and entity recognition gain nothing from threads on CPython.

This module is what a worker process imports: it keeps its imports light, so a worker holds
the extractors and the spaCy model and nothing else (no Prefect, DuckDB or Arrow), and the
flow's process never loads spaCy unless it parses a small batch itself.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import forkserver, resource_tracker

from flows import lifeline

MIN_PAGES_FOR_POOL = 24  # below this, handing pages to workers costs more than it saves
MAX_WORKERS = 8
CHUNK = 8  # pages handed to a worker at once: fewer round trips, and a stop waits for at most this many
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


def analyze_some(texts: list) -> list:
    """Worker entry point of stage 2: `extractors.analysis.analyze_texts` (ArticleText records in, ArticleFacts out)."""
    from extractors.analysis import analyze_texts

    return analyze_texts(texts)


def _parse_chunk(jobs: list[tuple]) -> list:
    return [parse_one(*job) for job in jobs]


def _in_chunks(work, items: Sequence, pool: Executor | None) -> Iterator:
    """`work(chunk)` over `items` CHUNK at a time, its outputs in order: in the pool's workers, or here without a pool.

    When the consumer stops early (a stop request, Prefect cancelling the run), the pool is
    stopped (`stop_pool`): its workers would go on with the items left, and the process could not
    exit before they are done. Unlike `Executor.map`, nothing is cancelled first: Python 3.11's
    pool fails with a traceback of its own when its workers stop while a cancelled task is queued.
    """
    chunks = [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
    if pool is None:
        for chunk in chunks:
            yield from work(chunk)
        return
    tasks = [pool.submit(work, chunk) for chunk in chunks]
    try:
        for task in tasks:
            yield from task.result()
    except BaseException:  # abandoned, or the pool broke: the items left are nobody's
        stop_pool()
        raise


def parse_all(jobs: Sequence[tuple], pool: Executor | None = None) -> Iterator:
    """`parse_one(*job)` for each job, in order (`_in_chunks`)."""
    return _in_chunks(_parse_chunk, jobs, pool)


def analyze_all(texts: Sequence, pool: Executor | None = None) -> Iterator:
    """The `ArticleFacts` of each `ArticleText`, in order (`_in_chunks`)."""
    return _in_chunks(analyze_some, texts, pool)


def _warm(flow_pid: int) -> None:
    """Set a worker up when it starts: it ends with the flow's process (`flows.lifeline`) and it hears no signal meant
    for the flow. The spaCy model loads with the first analysis the worker runs: a run that only parses
    (`ingest --analysis later`) never pays for it.

    Ctrl-C at a terminal signals the terminal's foreground process group, and `timeout` signals its process group:
    a worker in that group would die in the middle of a batch and break the pool. In a group of its own, a worker
    stops when the flow stops its pool (`stop_pool`) or ends. It takes SIGTERM again, which its fork server blocks.
    """
    os.setpgid(0, 0)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    lifeline.follow(flow_pid)


def _start_fork_server() -> None:
    """Start the fork server with SIGTERM blocked, which it keeps: a SIGTERM to the process group would end it, and
    the pool would count each worker it forked as dead. It ends when the flow's process does (its pipe closes)."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    try:
        resource_tracker.ensure_running()  # the fork server starts it, and it unblocks SIGINT and SIGTERM when started
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


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
        _start_fork_server()
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"), initializer=_warm, initargs=(os.getpid(),))
        atexit.register(_pool.shutdown)
    return _pool


def stop_pool() -> None:
    """Stop the worker pool now, if this process started one: queued pages are dropped, pages being parsed cut short.

    For a run that was told to stop: letting each worker finish its chunk of pages first would hold the exit for as
    long as a chunk takes. Python 3.14's `ProcessPoolExecutor.terminate_workers` does the same.
    """
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    workers = list((pool._processes or {}).values())
    pool.shutdown(wait=False)  # cancel_futures would leave cancelled tasks queued: see parse_all
    for worker in workers:
        with contextlib.suppress(ProcessLookupError, ValueError):
            worker.terminate()
    pool.shutdown(wait=True)  # the pool's thread sees its workers gone and releases its queues

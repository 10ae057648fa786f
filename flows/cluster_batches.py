"""Batches on a Dask cluster: the coordinator fetches, workers parse and analyse, one loader writes.

When `ingest`, `analyze` or `reprocess` runs on a Dask task runner (`flows.cluster.cluster_runner`),
each batch of each stage goes this way through the staging location (`flows.staging`, tables
`flows.batch_tables`):

    coordinator                         a worker                          coordinator, the loader
    stage 1: fetch the batch (one   ->  read pages/BATCH, parse every ->  read parsed/BATCH, load it in one
    Fetcher: robots.txt, per-host       page in its own process;          transaction with the code of a
    limits); reprocess: read the raw    write parsed/BATCH                local run (`store_batch`,
    pages; write pages/BATCH, submit                                      `flows.analyze.store_facts`);
    stage 2: read the stored texts; ->  analyse them; write their     ->  delete parsed/BATCH and pages/BATCH
    write pages/BATCH, submit           facts to parsed/BATCH

Prefect carries the staging URL and the batch id, never pages. Fetching stays on the coordinator
because politeness is the state of one `Fetcher` (robots.txt read once per host, requests in
flight per host, Crawl-delay pacing): spread over workers it would need a host-to-worker plan or
shared state, and it costs the coordinator a few ms of CPU per article against ~100 ms of parsing
and analysis on a worker (`bench/cluster.py`). Workers never open the warehouse.

The loader takes batches in the order they were submitted, so the warehouse is the one a local
run with the same batches would make (entity resolution depends on what is stored before), while
later batches are parsed and fetched. A worker that dies in a batch: Dask runs it again on another
worker, and the batch is staged once (a committed batch is never written again). A batch that
kills too many workers (`KilledWorker`) is counted as failed; its URLs stay due in the frontier.
A staged batch whose load failed stays, and the next run loads it first (`load_leftovers`).
A stop request (Ctrl-C, SIGTERM: `flows.interrupt`) ends the loop at once: the batch being fetched
is abandoned, and what the workers are parsing is staged for the next run to load.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from extractors import EXTRACTOR_VERSION
from flows import interrupt, progress
from flows.batch_tables import facts_from, facts_tables, pages_from, pages_tables, parsed_from, parsed_tables, texts_from, texts_tables
from flows.config import ConfigError
from flows.http import Fetcher
from flows.pipeline import Candidate, fetch_pages, parse_results
from flows.staging import Staging
from flows.summary import RunSummary
from warehouse import read
from warehouse.db import connect
from warehouse.frontier import Backoff

# what a batch is: pages whose loader stores the fetches too, pages whose loader counts what changed, or texts to analyse
INGEST, REPROCESS, ANALYSIS = "ingest", "reprocess", "analysis"
IN_FLIGHT_PER_WORKER = 2  # batches submitted and not yet loaded, per worker: one parsing, one waiting
MIN_BATCH = 25  # pages: a Dask task costs ~130 ms of worker CPU in Prefect's bookkeeping
WORKERS_WAIT_S = 60  # for a cluster with no worker yet


def parts(location: str) -> tuple[Staging, Staging]:
    """The pages and parsed parts of a staging location."""
    root = Staging(location)
    return root.part("pages"), root.part("parsed")


def on_cluster() -> bool:
    """True inside a flow run whose task runner is a Dask cluster.

    Such a runner exists only once `prefect_dask` is imported (`flows.cluster`); a local run never
    imports it and Dask (1.5 s).
    """
    context, prefect_dask = FlowRunContext.get(), sys.modules.get("prefect_dask")
    return context is not None and prefect_dask is not None and isinstance(context.task_runner, prefect_dask.DaskTaskRunner)


@task(name="parse-staged-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def parse_staged(location: str, batch_id: str) -> None:
    """On a worker: parse and analyse the staged pages batch `batch_id` and stage what it gives.

    A batch already parsed (an earlier attempt committed it) is not parsed again. Raises
    `ConfigError` when this worker cannot see the batch.
    """
    pages, parsed = parts(location)
    if parsed.ready(batch_id):
        return
    notes, tables = _staged(pages, batch_id)
    items, fetches = pages_from(tables)
    batch = parse_results(items, fetches)  # in this process: a worker is one process per core
    parsed.write(batch_id, parsed_tables(batch, fetches if notes["kind"] == INGEST else ()),
                 {**notes, "extractor_version": EXTRACTOR_VERSION})


@task(name="analyze-staged-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def analyze_staged(location: str, batch_id: str) -> None:
    """On a worker: analyse the staged texts batch `batch_id` (`extractors.analysis.analyze_texts`) and
    stage their facts. A batch already analysed is not analysed again; `ConfigError` as `parse_staged`."""
    from extractors.analysis import analyze_texts  # the spaCy pipeline: on the workers only

    pages, parsed = parts(location)
    if parsed.ready(batch_id):
        return
    notes, tables = _staged(pages, batch_id)
    texts, hashes = texts_from(tables)
    parsed.write(batch_id, facts_tables(analyze_texts(texts), hashes), {**notes, "extractor_version": EXTRACTOR_VERSION})


def _staged(pages: Staging, batch_id: str) -> tuple[dict[str, str], dict]:
    """The notes and tables of a staged input batch; `ConfigError` when this worker cannot see it."""
    try:
        return pages.notes(batch_id), pages.read(batch_id)
    except FileNotFoundError:
        raise ConfigError(
            f"worker {socket.gethostname()} finds no batch {batch_id} in the staging location {pages.url}: the coordinator "
            "and every worker must reach the same location (--staging: a directory shared at the same path, or an object store URL)"
        ) from None


@dataclass
class ClusterWork:
    """What the coordinator did in a cluster run, for the run summary. CPU in ms per page sent."""

    workers: int = 0
    seconds: float = 0.0  # from the workers being there to the last batch loaded
    batches: int = 0
    failed: int = 0  # batches that came back with no result (KilledWorker) or a result of another extractor version
    pages: int = 0
    fetch_ms: float = 0.0  # the coordinator's thread: fetching (ingest) or reading raw pages (reprocess)
    stage_ms: float = 0.0  # writing pages batches, submitting
    load_ms: float = 0.0  # reading parsed batches and loading them
    load_wall_ms: float = 0.0  # the same in wall time: how long the loader held the warehouse, about
    cpu_ms: float = 0.0  # the whole coordinator process: the above, and its other threads (Prefect's, Dask's, DuckDB's,
    #                      a local cluster's scheduler)

    def per_page(self, seconds_by_name: dict[str, float]) -> None:
        for name, seconds in seconds_by_name.items():
            setattr(self, name, round(1000 * seconds / max(self.pages, 1), 2))


def _loader():
    """`flows.ingest`, whose load functions every batch goes through (it imports this module, so not at import time)."""
    from flows import ingest

    return ingest


def _analysis_loader():
    """`flows.analyze`, whose `store_facts` loads analysed batches (it imports this module, so not at import time)."""
    from flows import analyze

    return analyze


def load_parsed(db: str, run_id: str, parsed: Staging, batch_id: str, backoff: Backoff):
    """Load one staged parsed batch in one transaction, as a local run loads it, then delete it.

    Returns the batch's `BatchCounts` (`AnalysisCounts` for an analysed batch), or None for a batch
    made by another extractor version, which is deleted unloaded (its URLs are due again, its
    articles still await analysis). A failed load raises and leaves the batch.
    """
    notes = parsed.notes(batch_id)
    if notes.get("extractor_version") != EXTRACTOR_VERSION:
        get_run_logger().warning(f"staged batch {batch_id} was made by extractor version {notes.get('extractor_version')}, "
                                 f"this is {EXTRACTOR_VERSION}: not loaded; its pages are parsed again by a later run")
        parsed.remove(batch_id)
        return None
    if notes["kind"] == ANALYSIS:
        found, hashes = facts_from(parsed.read(batch_id))
        counts = _analysis_loader().store_facts(db, run_id, found, hashes, count_changes=bool(notes.get("count_changes")))
        parsed.remove(batch_id)
        return counts
    batch, fetches = parsed_from(parsed.read(batch_id))
    ingest = _loader()
    if notes["kind"] == REPROCESS:
        counts = ingest.store_reparsed(db, run_id, batch, backoff)
    else:
        counts = ingest.store_batch(db, run_id, batch, fetches, backoff)
    parsed.remove(batch_id)
    return counts


def load_leftovers(db: str, summary: RunSummary, location: str, backoff: Backoff | None = None) -> None:
    """Before a run's own batches: load the parsed batches an earlier run left staged (its load failed,
    or it was stopped), oldest first, and delete what else it left (its URLs are still due, its articles
    still await analysis)."""
    pages, parsed = parts(location)
    for batch_id in parsed.list_ready():
        counts = load_parsed(db, summary.run_id, parsed, batch_id, backoff or Backoff())
        if counts is not None:
            counts.add_to(summary)
            summary.staged_loaded += 1
    for staging in (parsed, pages):
        for batch_id in staging.batches():
            staging.remove(batch_id)


def batch_size(todo: int, workers: int, largest: int) -> int:
    """Pages per batch: `largest`, or fewer so that every worker gets two batches, but never under MIN_BATCH."""
    return max(MIN_BATCH, min(largest, -(-todo // (2 * max(workers, 1)))))


def _workers() -> int:
    """The number of workers of the flow's Dask cluster, once there is at least one."""
    client = FlowRunContext.get().task_runner.client
    try:
        client.wait_for_workers(1, timeout=WORKERS_WAIT_S)
    except TimeoutError:
        raise ConfigError(f"the Dask scheduler has had no worker for {WORKERS_WAIT_S} s; start some: dask worker ADDRESS") from None
    return len(client.scheduler_info(n_workers=-1)["workers"])


async def _run_batches(
    db: str, summary: RunSummary, kind: str, todo: Sequence, pages_of: Callable[[list], Awaitable[tuple[dict, int]]],
    location: str, largest: int, backoff: Backoff, notes: dict[str, str] | None = None, into: str = "cluster",
) -> None:
    """Send `todo` to the cluster in batches (`pages_of` turns a chunk into the staged tables of a batch and its
    number of pages or articles, on the coordinator) and load each result in order, keeping IN_FLIGHT_PER_WORKER
    batches per worker submitted. What the coordinator did goes into `summary.<into>`."""
    from distributed import KilledWorker

    root = Staging(location).url  # absolute: workers have other working directories
    pages, parsed = parts(root)
    work = ClusterWork(workers=_workers())
    size = batch_size(len(todo), work.workers, largest)
    cpu = dict.fromkeys(("fetch_ms", "stage_ms", "load_ms", "load_wall_ms"), 0.0)
    process0, wall0 = time.process_time(), time.monotonic()
    in_flight: deque = deque()
    worker = analyze_staged if kind == ANALYSIS else parse_staged

    async def load_first() -> None:
        batch_id, future, sent = in_flight[0]
        while not future.wrapped_future.done():  # no thread waits on it: a stop request must not wait for the cluster
            interrupt.check()
            await asyncio.sleep(interrupt.POLL_S)
        in_flight.popleft()
        progress.add(**{"analysed" if kind == ANALYSIS else "parsed": sent})
        t, wall = time.thread_time(), time.monotonic()
        try:
            future.result()
        except KilledWorker as e:
            get_run_logger().error(f"batch {batch_id} failed on the cluster ({type(e).__name__}: {e}); its URLs come back next run")
        counts = load_parsed(db, summary.run_id, parsed, batch_id, backoff) if parsed.ready(batch_id) else None
        if counts is None:
            work.failed += 1
            parsed.remove(batch_id)  # whatever a dead attempt left
        else:
            counts.add_to(summary)
        pages.remove(batch_id)
        cpu["load_ms"] += time.thread_time() - t
        cpu["load_wall_ms"] += time.monotonic() - wall
        if counts is None:
            await progress.settled(sent, 0, 0)
        elif kind == ANALYSIS:
            await progress.settled(sent, 0, counts.failed)
        else:
            await progress.settled(sent, counts.new + counts.updated, counts.rejected)

    try:
        for seq, start in enumerate(range(0, len(todo), size)):
            chunk = list(todo[start : start + size])
            t = time.thread_time()
            tables, count = await interrupt.unless_stopped(pages_of(chunk))
            t1 = time.thread_time()
            batch_id = f"{summary.run_id}-{kind[0]}{seq:05d}"
            pages.write(batch_id, tables, {**(notes or {}), "kind": kind, "run_id": summary.run_id})
            in_flight.append((batch_id, worker.submit(root, batch_id), len(chunk)))
            cpu["fetch_ms"] += t1 - t
            cpu["stage_ms"] += time.thread_time() - t1
            work.batches += 1
            work.pages += count
            while in_flight and (len(in_flight) >= IN_FLIGHT_PER_WORKER * work.workers or in_flight[0][1].wrapped_future.done()):
                await load_first()
        while in_flight:
            await load_first()
    except interrupt.Interrupted:
        get_run_logger().warning(f"stopped with {len(in_flight)} batches sent to the cluster and not loaded: the next run loads "
                                 "those the workers finish and takes up the others again")
    work.per_page({**cpu, "cpu_ms": time.process_time() - process0})
    work.seconds = round(time.monotonic() - wall0, 2)
    setattr(summary, into, asdict(work))


async def fetch_and_parse(db: str, summary: RunSummary, fetcher: Fetcher, todo: Sequence[Candidate], location: str,
                          backoff: Backoff, largest: int) -> None:
    """Ingest on the cluster: fetch each batch here, parse and analyse it on a worker, load it here."""

    async def fetched(chunk: list[Candidate]) -> tuple[dict, int]:
        return pages_tables(chunk, await fetch_pages(fetcher, chunk)), len(chunk)

    await _run_batches(db, summary, INGEST, todo, fetched, location, largest, backoff)


async def parse_again(db: str, summary: RunSummary, urls: Sequence[str], location: str, largest: int) -> None:
    """Reprocess on the cluster: read each batch's raw pages here, parse and analyse them on a worker, load them here."""
    ingest = _loader()

    async def stored(chunk: list[str]) -> tuple[dict, int]:
        items, fetches = ingest.stored_fetches(db, chunk)
        return pages_tables(items, fetches), len(items)

    await _run_batches(db, summary, REPROCESS, urls, stored, location, largest, Backoff())


async def analyze_on_cluster(db: str, summary: RunSummary, urls: Sequence[str], location: str, largest: int,
                             count_changes: bool = False) -> None:
    """Stage 2 on the cluster: read each batch's stored texts here, analyse them on a worker, load their facts here
    (`count_changes`: count the articles whose facts changed, as reprocess does)."""

    async def texts(chunk: list[str]) -> tuple[dict, int]:
        with connect(db) as con:
            found = read.article_texts(con, chunk)
            hashes = read.text_hashes(con, [t.url for t in found])
        return texts_tables(found, hashes), len(found)

    await _run_batches(db, summary, ANALYSIS, urls, texts, location, largest, Backoff(),
                       notes={"count_changes": "1" if count_changes else ""}, into="cluster_analysis")

"""Prefect flows `ingest` and `reprocess`: tasks wrap a poll of the feeds or a batch of pages.

Prefect costs ~25 ms of CPU per task run, so no task ever wraps one article, and no batch of
pages passes through Prefect: a task gets URLs and gives back counts, and the pages live only
inside it. The warehouse is opened only in the flow's own process, one transaction per batch.

The work queue is the warehouse's frontier (`warehouse.frontier`): polling enqueues entries in
the transaction that records the feeds' validators, every run first takes up what is pending
or due for a retry, and a batch's load marks its URLs done or failed in its own transaction.
A run killed at any moment loses nothing: the next plain run finishes its work.

One `Fetcher` serves the whole run, so robots.txt is read once per host and per-host pacing
holds across batches. It reaches the tasks through a context variable: clients and pools never
travel as task parameters.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NO_CACHE

from extractors import EXTRACTOR_VERSION
from flows import cluster_batches, interrupt, progress
from flows.config import FeedConfig, load_feeds
from flows.faults import pause_point
from flows.http import Fetcher, FetchPolicy
from flows.parallel import parse_pool
from flows.pipeline import Candidate, ParsedBatch, candidates, fetch_pages, parse_results, poll_feeds
from flows.summary import RunSummary, artifact_key
from schemas import FetchResult
from schemas.settings import Settings
from warehouse import facts, frontier, load, maintenance, read, search
from warehouse.db import connect, transaction
from warehouse.frontier import Backoff

BATCH = 200  # pages per fetch/parse/load batch: coarse enough that Prefect's overhead is noise

_fetcher: contextvars.ContextVar[Fetcher] = contextvars.ContextVar("newsflow_fetcher")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class BatchCounts:
    """What one batch's load did, by article URL."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    to_retry: int = 0  # rejects that the frontier will take up again
    same_page: int = 0  # entries that are the page of another entry's article
    text_changed: int = 0  # stored articles whose text changed (reprocess)
    facts_changed: int = 0  # stored articles whose entities or agreements changed (reprocess)

    def add_to(self, summary: RunSummary) -> None:
        for name in ("new", "updated", "unchanged", "rejected", "to_retry", "same_page", "facts_changed"):
            setattr(summary, name, getattr(summary, name) + getattr(self, name))


@task(name="poll-feeds", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
async def poll(db: str, run_id: str, feeds: list[FeedConfig], refresh: bool) -> dict[str, int] | None:
    """Poll the feeds and commit, in one transaction, their documents, validators and entries, and
    the entries' URLs to the frontier (with `refresh`, the stored articles they list too).
    None when a stop request came first: nothing is committed."""
    with connect(db) as con:
        known = read.feed_states(con)
    try:
        polled = await interrupt.unless_stopped(poll_feeds(_current_fetcher(), feeds, known, _now()))
    except interrupt.Interrupted:
        return None
    with connect(db) as con, transaction(con):
        now = _now()
        load.store_raw(con, polled.fetches)
        load.log_fetches(con, run_id, "feed", polled.fetches)
        load.save_feeds(con, polled.states)
        for feed_url, entries in polled.entries.items():
            load.save_entries(con, feed_url, entries, now)
            frontier.enqueue(con, feed_url, entries, now)
        load.save_rejects(con, run_id, polled.rejects, now)
        if refresh:
            frontier.requeue_articles(con, [s.url for s in polled.states], now)
    pause_point("polled")
    return {"feeds_read": polled.read, "feeds_not_modified": polled.not_modified, "feeds_failed": polled.failed,
            "entries": len({e.url for entries in polled.entries.values() for e in entries}), "rejected": len(polled.rejects)}


@task(name="ingest-batch", cache_policy=NO_CACHE)
async def ingest_batch(db: str, run_id: str, items: list[Candidate], backoff: Backoff) -> BatchCounts | None:
    """Fetch, parse and load one batch of frontier URLs; None when a stop request abandoned it before its load
    (its URLs stay pending)."""
    try:
        results = await interrupt.unless_stopped(fetch_pages(_current_fetcher(), items))
        batch = parse_results(items, results, parse_pool(len(items)))
    except interrupt.Interrupted:
        return None
    return store_batch(db, run_id, batch, results, backoff)


def store_batch(db: str, run_id: str, batch: ParsedBatch, fetches: Sequence[FetchResult], backoff: Backoff) -> BatchCounts:
    """Load one batch in one transaction: raw pages, fetch log, articles (one per page), blocks,
    facts, search index, rejects, and the frontier marks of its URLs. The one load path of ingest and reprocess."""
    counts = BatchCounts(unchanged=len(batch.unchanged), rejected=len(batch.rejects), to_retry=len(batch.retry))
    with connect(db) as con, transaction(con):
        now = _now()
        load.store_raw(con, fetches)
        load.log_fetches(con, run_id, "page", fetches)
        pages = load.same_pages(con, batch.articles)
        stored = read.existing_articles(con, [s.url for s in pages.keep])
        load.delete_articles(con, pages.replaced)
        load.save_articles(con, run_id, EXTRACTOR_VERSION, pages.keep, now)
        pause_point("load")
        facts.save_facts(con, run_id, pages.keep, now, removed=pages.replaced)
        search.index(con, [s.url for s in pages.keep], now)
        done = {s.url: s.url for s in pages.keep} | {u: u for u in batch.unchanged} | pages.same_as
        load.clear_rejects(con, list(done))
        load.save_rejects(con, run_id, batch.rejects, now)
        frontier.finish(con, now, done, batch.failed, batch.retry, backoff)
    counts.new = len(pages.keep) - len(stored)
    counts.updated = len(stored)
    counts.same_page = len(pages.same_as) - len(pages.replaced)
    return counts


def _chunks(items: Sequence, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


@contextmanager
def _serving(fetcher: Fetcher) -> Iterator[None]:
    """Make `fetcher` the one the run's tasks use (`_current_fetcher`).

    Flows and tasks never name the context variable themselves: a flow run on a Dask cluster
    sends the flow's function and its tasks' functions, by value with the globals they name, to
    the workers, and a context variable cannot be pickled (module functions go by reference).
    """
    token = _fetcher.set(fetcher)
    try:
        yield
    finally:
        _fetcher.reset(token)


def _current_fetcher() -> Fetcher:
    return _fetcher.get()


@asynccontextmanager
async def _run(db: str, flow_name: str) -> AsyncIterator[RunSummary]:
    """Record the run in `runs`, time it, log and publish its summary, and start the upkeep (snapshot, compaction) of the warehouse."""
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], flow=flow_name)
    t0 = time.monotonic()
    with connect(db) as con:
        load.start_run(con, summary.run_id, flow_name, EXTRACTOR_VERSION, _now())
    async with progress.tracking(flow_name, artifact_key(f"{flow_name}-progress", db), Settings.from_env().progress_every) as counts:
        yield summary
        summary.interrupted, summary.pages_left = interrupt.requested(), counts.left()
    summary.seconds = time.monotonic() - t0
    with connect(db) as con:
        summary.newest = read.newest_titles(con)
        load.finish_run(con, summary.run_id, _now(), summary.as_dict())
    if not summary.interrupted:  # a stopped run starts nothing more; the next run's upkeep catches up
        maintenance.after_run(db)  # the snapshot, and compaction when due, in a process the run does not wait for
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    await acreate_markdown_artifact(summary.markdown(), key=artifact_key(flow_name, db), description=f"newsflow {flow_name} summary of {db}")


@flow(name="ingest", log_prints=True)
async def ingest(
    db: str,
    feeds_file: str,
    only: list[str] | None = None,
    refresh: bool = False,
    policy: FetchPolicy | None = None,
    backoff: Backoff | None = None,
    batch_size: int = BATCH,
    staging: str | None = None,
) -> RunSummary:
    """Poll the feeds, then fetch, parse and load every frontier URL that is due: new entries,
    entries an interrupted run left pending, and failures whose retry time has come.

    `only` restricts the run to the named feeds (and their URLs in the frontier); `refresh`
    re-fetches their stored articles too (conditionally) so that changed pages update their rows.
    `backoff` says when failures that may pass are tried again (default `Backoff()`).
    `staging`: where batches for a Dask cluster are staged (`flows.cluster_batches`); batches an
    earlier run left there are loaded first. On a Dask task runner the batches are parsed there.
    """
    policy, backoff = policy or FetchPolicy(), backoff or Backoff()
    feeds = [f for f in load_feeds(feeds_file).feeds if not only or f.name in only]
    async with _run(db, "ingest") as summary, Fetcher(policy) as fetcher:
        with _serving(fetcher):
            if staging:
                cluster_batches.load_leftovers(db, summary, staging, backoff)
            polled = await poll(db, summary.run_id, feeds, refresh)
            if polled is None:
                return summary
            for name, value in polled.items():
                setattr(summary, name, getattr(summary, name) + value)
            progress.add(feeds_read=summary.feeds_read + summary.feeds_not_modified, feeds_failed=summary.feeds_failed)
            with connect(db) as con:
                todo = candidates(frontier.due(con, _now(), [f.name for f in feeds], EXTRACTOR_VERSION), feeds)
            await progress.begin(len(todo))
            if cluster_batches.on_cluster():
                await cluster_batches.fetch_and_parse(db, summary, fetcher, todo, staging, backoff, batch_size)
            else:
                for items in _chunks(todo, batch_size):
                    if interrupt.requested() or (counts := await ingest_batch(db, summary.run_id, items, backoff)) is None:
                        break
                    counts.add_to(summary)
                    await progress.settled(len(items), counts.new + counts.updated, counts.rejected)
    return summary


def stored_fetches(db: str, urls: list[str]) -> tuple[list[Candidate], list[FetchResult]]:
    """The stored raw pages of these URLs as the candidates and fetch results `parse_results` takes."""
    with connect(db) as con:
        pages = list(read.stored_pages(con, urls))
    items = [Candidate(p.url, p.feed_url or "", p.published_at) for p in pages]
    results = [
        FetchResult(url=p.url, final_url=p.final_url, status=200, headers=p.headers, body=p.body, fetched_at=p.fetched_at)
        for p in pages
    ]
    return items, results


def store_reparsed(db: str, run_id: str, urls: list[str], batch: ParsedBatch, backoff: Backoff) -> BatchCounts:
    """Load a batch of stored pages parsed again (`urls`: the batch's URLs), counting what changed."""
    with connect(db) as con:
        text_before, facts_before = read.text_hashes(con, urls), facts.digests(con, urls)
    counts = store_batch(db, run_id, batch, [], backoff)
    with connect(db) as con:
        text_after, facts_after = read.text_hashes(con, urls), facts.digests(con, urls)
    stored = [u for u in urls if u in text_before]
    counts.text_changed = sum(1 for u in stored if text_after.get(u) != text_before[u])
    counts.facts_changed = sum(1 for u in stored if facts_after.get(u) != facts_before.get(u))
    counts.updated, counts.unchanged = counts.text_changed, counts.updated - counts.text_changed
    return counts


@task(name="reprocess-batch", cache_policy=NO_CACHE)
def reprocess_batch(db: str, run_id: str, urls: list[str], backoff: Backoff) -> BatchCounts | None:
    """Parse one batch of stored raw pages again and load what they give, as ingest would; None when a stop
    request abandoned it before its load."""
    items, results = stored_fetches(db, urls)
    try:
        batch = parse_results(items, results, parse_pool(len(items)))
    except interrupt.Interrupted:
        return None
    del results
    return store_reparsed(db, run_id, urls, batch, backoff)


@flow(name="reprocess", log_prints=True)
async def reprocess(db: str, batch_size: int = BATCH, staging: str | None = None) -> RunSummary:
    """Re-run the extractors on every stored page, articles and parse rejects, without fetching.

    `updated` counts articles whose text changed, `facts_changed` those whose entities or
    agreements changed, `new` parse rejects that are articles now. `staging` as for `ingest`.
    """
    async with _run(db, "reprocess") as summary:
        if staging:
            cluster_batches.load_leftovers(db, summary, staging, Backoff())
        with connect(db) as con:
            urls = read.reprocessable(con)
        await progress.begin(len(urls))
        if cluster_batches.on_cluster():
            await cluster_batches.parse_again(db, summary, urls, staging, batch_size)
        else:
            for chunk in _chunks(urls, batch_size):  # one batch of raw pages in memory at a time
                if interrupt.requested() or (counts := reprocess_batch(db, summary.run_id, chunk, Backoff())) is None:
                    break
                counts.add_to(summary)
                await progress.settled(len(chunk), counts.new + counts.updated, counts.rejected)
    return summary

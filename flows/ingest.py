"""Prefect flows `ingest` and `reprocess`: tasks wrap a poll of the feeds or a batch of pages.

A run has two stages. Stage 1, here: fetch, parse and load articles (their text, blocks, raw
pages, rejects). Stage 2, `flows.analyze`: the facts (entities, mentions, roles, credits,
agreements) of every article not yet analysed by this extractor version. `ingest` analyses each
batch's articles once the batch is loaded, then any other article awaiting analysis, unless told
`analysis="later"`, which leaves it all to `newsflow analyze`; `reprocess` analyses each batch
again after parsing it again.

Prefect costs ~25 ms of CPU per task run, so no task ever wraps one article, and no batch of
pages passes through Prefect: a task gets URLs and gives back counts, and the pages live only
inside it. The warehouse is opened only in the flow's own process, one transaction per batch.
Batches overlap (`flows.overlap`): the pool parses one while the next is fetched and the one
before is loaded.

The work queue is the warehouse's frontier (`warehouse.frontier`): polling enqueues entries in
the transaction that records the feeds' validators, every run first takes up what is pending
or due for a retry, and a batch's load marks its URLs done or failed in its own transaction.
A run killed at any moment loses nothing: the next plain run finishes its work, and analyses
what the killed run stored without analysing.

One `Fetcher` serves the whole run, so robots.txt is read once per host and per-host pacing
holds across batches. It reaches the tasks through a context variable: clients and pools never
travel as task parameters.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors import EXTRACTOR_VERSION
from flows import cluster_batches, interrupt, overlap, progress
from flows.analyze import AnalysisCounts, analyze_batch, analyze_stale, count_left
from flows.config import FeedConfig, load_feeds
from flows.faults import pause_point
from flows.http import Fetcher, FetchPolicy
from flows.parallel import parse_pool
from flows.pipeline import Candidate, ParsedBatch, candidates, fetch_pages, parse_results, poll_feeds
from flows.runs import BATCH, chunks, now, recorded_run
from flows.summary import RunSummary
from schemas import FetchResult
from warehouse import facts, frontier, load, read, repack, search
from warehouse.db import connect, transaction
from warehouse.frontier import Backoff

Analysis = Literal["now", "later"]  # run stage 2 in the same run, or leave it to `newsflow analyze`

_fetcher: contextvars.ContextVar[Fetcher] = contextvars.ContextVar("newsflow_fetcher")


@dataclass
class BatchCounts:
    """What one batch's load did, by article URL."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    to_retry: int = 0  # rejects that the frontier will take up again
    same_page: int = 0  # entries that are the page of another entry's article
    text_changed: int = 0  # stored articles whose text changed: their facts went, they await analysis again
    to_analyse: list[str] = field(default_factory=list)  # URLs of the new articles and of those whose text changed

    def add_to(self, summary: RunSummary) -> None:
        for name in ("new", "updated", "unchanged", "rejected", "to_retry", "same_page"):
            setattr(summary, name, getattr(summary, name) + getattr(self, name))


@task(name="poll-feeds", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
async def poll(db: str, run_id: str, feeds: list[FeedConfig], refresh: bool) -> dict[str, int] | None:
    """Poll the feeds and commit, in one transaction, their documents, validators and entries, and
    the entries' URLs to the frontier (with `refresh`, the stored articles they list too).
    None when a stop request came first: nothing is committed."""
    with connect(db) as con:
        known = read.feed_states(con)
    try:
        polled = await interrupt.unless_stopped(poll_feeds(_current_fetcher(), feeds, known, now()))
    except interrupt.Interrupted:
        return None
    with connect(db) as con, transaction(con):
        when = now()
        load.store_raw(con, polled.fetches)
        load.log_fetches(con, run_id, "feed", polled.fetches)
        load.save_feeds(con, polled.states)
        for feed_url, entries in polled.entries.items():
            load.save_entries(con, feed_url, entries, when)
            frontier.enqueue(con, feed_url, entries, when)
        load.save_rejects(con, run_id, polled.rejects, when)
        if refresh:
            frontier.requeue_articles(con, [s.url for s in polled.states], when)
    pause_point("polled")
    return {"feeds_read": polled.read, "feeds_not_modified": polled.not_modified, "feeds_failed": polled.failed,
            "entries": len({e.url for entries in polled.entries.values() for e in entries}), "rejected": len(polled.rejects)}


@task(name="ingest-batch", cache_policy=NO_CACHE)
async def ingest_batch(db: str, run_id: str, items: list[Candidate], backoff: Backoff) -> BatchCounts | None:
    """Stage 1 for one batch of frontier URLs: fetch, parse and load; None when a stop request abandoned it
    before its load (its URLs stay pending). Inside `flows.overlap.in_flight` its fetch and load are steps
    taken one batch at a time, in order, and its parse waits on the pool in a thread."""
    try:
        async with overlap.step("fetch"):
            results = await interrupt.unless_stopped(fetch_pages(_current_fetcher(), items))
        batch = await overlap.blocking(parse_results, items, results, parse_pool(len(items)))
    except interrupt.Interrupted:
        return None
    async with overlap.step("load"):
        return await overlap.blocking(store_batch, db, run_id, batch, results, backoff)


def store_batch(db: str, run_id: str, batch: ParsedBatch, fetches: Sequence[FetchResult], backoff: Backoff) -> BatchCounts:
    """Load one batch in one transaction: raw pages, fetch log, articles (one per page) and their blocks,
    search index, rejects, and the frontier marks of its URLs. A stored article whose text changed loses
    its facts (they point into the old text) and awaits analysis again. The one load path of ingest and reprocess.
    Every few loads, the small row groups loads leave are merged after the commit (`warehouse.repack.after_load`)."""
    counts = BatchCounts(unchanged=len(batch.unchanged), rejected=len(batch.rejects), to_retry=len(batch.retry))
    with connect(db) as con:
        with transaction(con):
            when = now()
            load.store_raw(con, fetches)
            load.log_fetches(con, run_id, "page", fetches)
            pages = load.same_pages(con, batch.articles)
            before = read.text_hashes(con, [s.url for s in pages.keep])
            load.delete_articles(con, pages.replaced)
            load.save_articles(con, run_id, EXTRACTOR_VERSION, pages.keep, when)
            pause_point("load")
            changed = [url for url, text in read.text_hashes(con, list(before)).items() if text != before[url]]
            facts.save_facts(con, run_id, [], when, removed=pages.replaced + changed)
            search.index(con, [s.url for s in pages.keep], when)
            done = {s.url: s.url for s in pages.keep} | {u: u for u in batch.unchanged} | pages.same_as
            load.clear_rejects(con, list(done))
            load.save_rejects(con, run_id, batch.rejects, when)
            frontier.finish(con, when, done, batch.failed, batch.retry, backoff)
        repack.after_load(con, db, stop=interrupt.requested)
    counts.new = len(pages.keep) - len(before)
    counts.updated = len(before)
    counts.text_changed = len(changed)
    counts.to_analyse = [s.url for s in pages.keep if s.url not in before] + changed
    counts.same_page = len(pages.same_as) - len(pages.replaced)
    return counts


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
    analysis: Analysis = "now",
) -> RunSummary:
    """Poll the feeds, then fetch, parse and load every frontier URL that is due: new entries,
    entries an interrupted run left pending, and failures whose retry time has come. Unless `analysis`
    is "later", each batch's new and changed articles are analysed once it is loaded (while the next
    batches are fetched and parsed), then every other article not yet analysed by this extractor version.

    `only` restricts the run to the named feeds (and their URLs in the frontier); `refresh`
    re-fetches their stored articles too (conditionally) so that changed pages update their rows.
    `backoff` says when failures that may pass are tried again (default `Backoff()`).
    `staging`: where batches for a Dask cluster are staged (`flows.cluster_batches`); batches an
    earlier run left there are loaded first. On a Dask task runner the batches are parsed there.
    """
    policy, backoff = policy or FetchPolicy(), backoff or Backoff()
    feeds = [f for f in load_feeds(feeds_file).feeds if not only or f.name in only]
    async with recorded_run(db, "ingest") as summary:
        async with Fetcher(policy) as fetcher:
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
                    todo = candidates(frontier.due(con, now(), [f.name for f in feeds], EXTRACTOR_VERSION), feeds)
                await progress.begin(len(todo))
                if cluster_batches.on_cluster():
                    await cluster_batches.fetch_and_parse(db, summary, fetcher, todo, staging, backoff, batch_size)
                else:
                    await overlap.in_flight(chunks(todo, batch_size), lambda items: _both_stages(db, summary.run_id, items, backoff, analysis),
                                            lambda items, done: _settle(summary, items, *done))
        if analysis == "now" and not interrupt.requested():
            await analyze_stale(db, summary, batch_size=batch_size, staging=staging)
        else:
            count_left(db, summary)
    return summary


async def _both_stages(db: str, run_id: str, items: list[Candidate], backoff: Backoff,
                       analysis: Analysis) -> tuple[BatchCounts, AnalysisCounts] | None:
    """Stage 1 for one batch, then, unless analysis is left for later, stage 2 for the articles it stored: the workers
    analyse one batch while the flow fetches and loads the next. None when a stop abandoned stage 1; a stopped analysis
    leaves its articles awaiting analysis (the next run, or `newsflow analyze`, takes them up)."""
    if (counts := await ingest_batch(db, run_id, items, backoff)) is None:
        return None
    progress.add(loaded=counts.new + counts.updated, rejected=counts.rejected)
    if analysis == "later" or not counts.to_analyse:
        return counts, AnalysisCounts()
    return counts, await analyze_batch(db, run_id, counts.to_analyse) or AnalysisCounts()


async def _settle(summary: RunSummary, items: list[Candidate], counts: BatchCounts, analysed: AnalysisCounts) -> None:
    counts.add_to(summary)
    analysed.add_to(summary)
    await progress.settled(len(items), 0, analysed.failed)  # its loaded articles and rejects were counted when it loaded


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


def store_reparsed(db: str, run_id: str, batch: ParsedBatch, backoff: Backoff) -> BatchCounts:
    """Load a batch of stored pages parsed again: `updated` counts the articles whose text changed, `unchanged` the others."""
    counts = store_batch(db, run_id, batch, [], backoff)
    counts.updated, counts.unchanged = counts.text_changed, counts.updated - counts.text_changed
    return counts


@task(name="reprocess-batch", cache_policy=NO_CACHE)
async def reprocess_batch(db: str, run_id: str, urls: list[str], backoff: Backoff) -> BatchCounts | None:
    """Stage 1 again for one batch of stored raw pages: parse them and load what they give, as ingest would;
    None when a stop request abandoned it before its load."""
    items, results = await overlap.blocking(stored_fetches, db, urls)
    try:
        batch = await overlap.blocking(parse_results, items, results, parse_pool(len(items)))
    except interrupt.Interrupted:
        return None
    del results
    async with overlap.step("load"):
        return await overlap.blocking(store_reparsed, db, run_id, batch, backoff)


@flow(name="reprocess", log_prints=True)
async def reprocess(db: str, batch_size: int = BATCH, staging: str | None = None) -> RunSummary:
    """Re-run the extractors on every stored page, articles and parse rejects, without fetching: each
    batch is parsed and loaded again (stage 1), then its articles are analysed again (stage 2).

    `updated` counts articles whose text changed, `facts_changed` those whose entities or
    agreements changed in their analysis, `new` parse rejects that are articles now. `staging` as for `ingest`.
    """
    async with recorded_run(db, "reprocess") as summary:
        if staging:
            cluster_batches.load_leftovers(db, summary, staging, Backoff())
        with connect(db) as con:
            urls = read.reprocessable(con)
        await progress.begin(len(urls))
        if cluster_batches.on_cluster():
            await cluster_batches.parse_again(db, summary, urls, staging, batch_size)
            if not interrupt.requested():
                await cluster_batches.analyze_on_cluster(db, summary, urls, staging, batch_size, count_changes=True)
        else:
            async def again(chunk: list[str]) -> tuple[BatchCounts, AnalysisCounts] | None:
                """Stage 1 then stage 2 for one batch of stored pages; None when a stop abandoned its parse (a stopped
                analysis leaves its articles awaiting analysis, counted by `count_left`)."""
                if (counts := await reprocess_batch(db, summary.run_id, chunk, Backoff())) is None:
                    return None
                return counts, await analyze_batch(db, summary.run_id, chunk, count_changes=True) or AnalysisCounts()

            async def settle(chunk: list[str], done: tuple[BatchCounts, AnalysisCounts]) -> None:
                counts, analysed = done
                counts.add_to(summary)
                analysed.add_to(summary)
                await progress.settled(len(chunk), counts.new + counts.updated, counts.rejected)

            await overlap.in_flight(chunks(urls, batch_size), again, settle)  # at most DEPTH batches of raw pages in memory
        count_left(db, summary)
    return summary

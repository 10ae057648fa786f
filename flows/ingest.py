"""Prefect flows `ingest` and `reprocess`: tasks wrap a poll of the feeds or a batch of pages.

Prefect costs ~25 ms of CPU per task run, so no task ever wraps one article. The
warehouse is opened only here, in the flow's own process, one transaction per
batch; connections, clients and pools never travel as task parameters.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NO_CACHE

from extractors import EXTRACTOR_VERSION
from flows.config import FeedConfig, load_feeds
from flows.http import Fetcher, FetchPolicy
from flows.parallel import parse_pool
from flows.pipeline import Candidate, FeedPoll, ParsedBatch, candidates, fetch_pages, parse_results, poll_feeds
from flows.summary import RunSummary, artifact_key
from schemas import FeedState, FetchResult
from warehouse import facts, load, read, search, snapshot
from warehouse.db import connect, transaction

BATCH = 200  # pages per fetch/parse/load batch: coarse enough that Prefect's overhead is noise


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@task(name="read-feeds", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
async def read_feeds(feeds: list[FeedConfig], known: dict[str, FeedState], policy: FetchPolicy) -> FeedPoll:
    async with Fetcher(policy) as fetcher:
        return await poll_feeds(fetcher, feeds, known, _now())


@task(name="fetch-pages", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
async def fetch_batch(items: list[Candidate], validators: dict, policy: FetchPolicy) -> list[FetchResult]:
    async with Fetcher(policy) as fetcher:
        return await fetch_pages(fetcher, items, validators)


@task(name="parse-pages", cache_policy=NO_CACHE)
def parse_batch(items: list[Candidate], results: list[FetchResult]) -> ParsedBatch:
    return parse_results(items, results, parse_pool(len(items)))


@task(name="load", retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)
def load_batch(db: str, run_id: str, batch: ParsedBatch, fetches: list[FetchResult], known: dict[str, str | None]) -> tuple[int, int]:
    """One transaction: raw pages, fetch log, articles, blocks, facts, search index, rejects. Returns (new, updated)."""
    now = _now()
    with connect(db) as con, transaction(con):
        load.store_raw(con, fetches)
        load.log_fetches(con, run_id, "page", fetches)
        load.save_articles(con, run_id, EXTRACTOR_VERSION, batch.articles, now)
        facts.save_facts(con, run_id, batch.articles, now)
        search.index(con, [a.url for a in batch.articles], now)
        load.clear_rejects(con, [a.url for a in batch.articles] + batch.unchanged)
        load.save_rejects(con, run_id, batch.rejects, now)
    new = sum(1 for a in batch.articles if a.url not in known)
    return new, len(batch.articles) - new


def _chunks(items: Sequence, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


@asynccontextmanager
async def _run(db: str, flow_name: str) -> AsyncIterator[RunSummary]:
    """Record the run in `runs`, time it, log and publish its summary and a read-only snapshot of the warehouse."""
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], flow=flow_name)
    started, t0 = _now(), time.monotonic()
    with connect(db) as con:
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, NULL, NULL)", [summary.run_id, flow_name, EXTRACTOR_VERSION, started])
    yield summary
    summary.seconds = time.monotonic() - t0
    with connect(db) as con:
        summary.newest = read.newest_titles(con)
        con.execute(
            "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?",
            [_now(), json.dumps(summary.as_dict(), default=str), summary.run_id],
        )
    snapshot.publish(db)
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
) -> RunSummary:
    """Poll the feeds, fetch new article pages, parse them and load the warehouse.

    `only` restricts the run to the named feeds; `refresh` re-fetches known
    articles too (conditionally) so that changed pages update their rows.
    """
    policy = policy or FetchPolicy()
    feeds = [f for f in load_feeds(feeds_file).feeds if not only or f.name in only]
    async with _run(db, "ingest") as summary:
        with connect(db) as con:
            known_feeds = read.feed_states(con)
            known = read.known_articles(con, EXTRACTOR_VERSION)
        poll = await read_feeds(feeds, known_feeds, policy)
        with connect(db) as con, transaction(con):
            now = _now()
            load.store_raw(con, poll.fetches)
            load.log_fetches(con, summary.run_id, "feed", poll.fetches)
            load.save_feeds(con, poll.states)
            for feed_url, entries in poll.entries.items():
                load.save_entries(con, feed_url, entries, now)
            load.save_rejects(con, summary.run_id, poll.rejects, now)
        summary.feeds_read, summary.feeds_not_modified, summary.feeds_failed = poll.read, poll.not_modified, poll.failed
        summary.entries = len({e.url for entries in poll.entries.values() for e in entries})
        summary.rejected += len(poll.rejects)

        with connect(db) as con:
            todo = candidates(poll, feeds, known, read.article_feeds(con) if refresh else None)
            validators = read.validators(con, [c.url for c in todo if c.known_raw_sha256])
        for items in _chunks(todo, BATCH):
            results = await fetch_batch(items, validators, policy)
            batch = parse_batch(items, results)
            new, updated = load_batch(db, summary.run_id, batch, results, known)
            summary.new += new
            summary.updated += updated
            summary.unchanged += len(batch.unchanged)
            summary.rejected += len(batch.rejects)
    return summary


@flow(name="reprocess", log_prints=True)
async def reprocess(db: str) -> RunSummary:
    """Re-run the extractors on every stored page without fetching; `updated` counts articles whose text changed."""
    async with _run(db, "reprocess") as summary:
        with connect(db) as con:
            urls = [u for (u,) in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]
        for chunk in _chunks(urls, BATCH):  # one batch of raw pages in memory at a time
            with connect(db) as con:
                pages = list(read.stored_pages(con, chunk))
                before = dict(con.execute("SELECT url, body FROM articles WHERE url IN (SELECT unnest(?))", [chunk]).fetchall())
            items = [Candidate(p.url, p.feed_url or "", p.published_at) for p in pages]
            results = [
                FetchResult(url=p.url, final_url=p.final_url, status=200, headers=p.headers, body=p.body, fetched_at=p.fetched_at)
                for p in pages
            ]
            batch = parse_batch(items, results)
            with connect(db) as con, transaction(con):
                load.save_articles(con, summary.run_id, EXTRACTOR_VERSION, batch.articles, _now())
                facts.save_facts(con, summary.run_id, batch.articles, _now())
                search.index(con, [a.url for a in batch.articles], _now())
                load.save_rejects(con, summary.run_id, batch.rejects, _now())
            changed = sum(1 for a in batch.articles if a.article.body != before.get(a.url))
            summary.updated += changed
            summary.unchanged += len(batch.articles) - changed
            summary.rejected += len(batch.rejects)
    return summary

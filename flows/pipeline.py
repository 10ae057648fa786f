"""The ingest steps as plain functions; `flows.ingest` wraps them in Prefect tasks.

Per-article work happens here in plain Python: async HTTP for the fetches, a
process pool for parsing. Nothing here opens the warehouse; what to fetch comes from
the warehouse's frontier (`warehouse.frontier.due`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from extractors.feeds import FeedError, parse_feed
from extractors.records import stored_article
from extractors.urls import canonicalize_url
from flows import interrupt, progress
from flows.config import FeedConfig
from flows.faults import pause_point
from flows.http import Fetcher, retry_after
from flows.parallel import parse_all
from schemas import FeedEntry, FeedState, FetchResult, Reject, StoredArticle
from warehouse.frontier import Due

MAX_FEED_DOCUMENTS = 1_000  # per configured feed, across OPML lists, sitemap indexes and pages


@dataclass
class FeedPoll:
    """What one poll of the configured feeds brought back."""

    states: list[FeedState] = field(default_factory=list)
    entries: dict[str, list[FeedEntry]] = field(default_factory=dict)  # feed document URL -> entries
    fetches: list[FetchResult] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0  # feed documents fetched and parsed
    not_modified: int = 0
    failed: int = 0  # feed documents that could not be fetched or parsed


@dataclass(frozen=True)
class Candidate:
    """An article URL to fetch, with what the feed and the warehouse know of it."""

    url: str
    feed_url: str
    published_at: dt.datetime | None = None
    respect_robots: bool = True
    known_raw_sha256: str | None = None  # set when the warehouse has it, parsed by this extractor version: a refresh
    etag: str | None = None  # of the stored page, for a conditional GET
    last_modified: str | None = None


async def poll_feeds(fetcher: Fetcher, feeds: Sequence[FeedConfig], known: dict[str, FeedState], now: dt.datetime) -> FeedPoll:
    """Fetch every configured feed (conditionally), follow OPML, sitemap indexes and rel=next."""
    poll = FeedPoll()
    await asyncio.gather(*(_poll_one(fetcher, cfg, known, now, poll) for cfg in feeds))
    return poll


async def _poll_one(fetcher: Fetcher, cfg: FeedConfig, known: dict[str, FeedState], now: dt.datetime, poll: FeedPoll) -> None:
    queue: list[tuple[str, int]] = [(cfg.url, 1)]  # (url, page number in a rel=next chain)
    seen: set[str] = set()
    while queue and len(seen) < MAX_FEED_DOCUMENTS:
        url, page = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        prev = known.get(url) or FeedState(url=url, name=cfg.name)
        r = await fetcher.fetch(url, etag=prev.etag, last_modified=prev.last_modified, respect_robots=cfg.respect_robots,
                                max_bytes=fetcher.policy.feed_max_bytes)
        poll.fetches.append(r)
        state = prev.model_copy(update={"name": cfg.name, "last_polled_at": now, "last_status": r.status, "last_error": r.error})
        poll.states.append(state)
        if r.error:
            poll.failed += 1
            poll.rejects.append(Reject(stage="feed", reason=r.error, url=url, raw_sha256=r.sha256))
            continue
        if r.not_modified:
            poll.not_modified += 1
            continue
        state.etag, state.last_modified, state.raw_sha256 = r.headers.get("etag"), r.headers.get("last-modified"), r.sha256
        try:
            parsed = parse_feed(r.body, r.final_url or url, r.content_type, max_entries=cfg.max_entries)
        except FeedError as e:
            poll.failed += 1
            state.last_error = str(e)
            poll.rejects.append(Reject(stage="feed", reason=str(e), url=url, raw_sha256=r.sha256))
            continue
        poll.read += 1
        state.kind, state.title = parsed.kind, parsed.title
        if parsed.warning:
            state.last_error = parsed.warning
        poll.entries[url] = parsed.entries
        poll.rejects += [Reject(stage="entry", reason=b.reason, url=b.link, detail=f"in feed {url}") for b in parsed.bad_entries]
        queue += [(f, 1) for f in parsed.feeds]
        if parsed.next_url and page < cfg.max_pages:
            queue.append((parsed.next_url, page + 1))


def candidates(due: Sequence[Due], feeds: Sequence[FeedConfig]) -> list[Candidate]:
    """What to fetch for the frontier's due URLs: robots.txt as the listing feed's settings say."""
    robots = {f.name: f.respect_robots for f in feeds}
    return [Candidate(d.url, d.feed_url, d.published_at, robots.get(d.feed_name, True), d.known_raw_sha256, d.etag, d.last_modified)
            for d in due]


async def fetch_pages(fetcher: Fetcher, items: Sequence[Candidate]) -> list[FetchResult]:
    """Fetch article pages concurrently (conditionally when the warehouse has the page); the fetcher
    bounds concurrency overall and per host."""

    async def one(c: Candidate) -> FetchResult:
        validators = (c.etag, c.last_modified) if c.known_raw_sha256 else (None, None)
        result = await fetcher.fetch(c.url, *validators, respect_robots=c.respect_robots)
        progress.add(fetched=1)
        pause_point("fetch")
        return result

    return list(await asyncio.gather(*(one(c) for c in items)))


@dataclass
class ParsedBatch:
    """What a batch of fetched pages became. Every URL is in exactly one of `articles`, `unchanged` or `rejects`."""

    articles: list[StoredArticle] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    retry: dict[str, tuple[str, float | None]] = field(default_factory=dict)  # rejects that may pass: url -> (reason, Retry-After s)

    @property
    def failed(self) -> dict[str, str]:
        """Rejects for good: url -> reason."""
        return {r.url: r.reason for r in self.rejects if r.url and r.url not in self.retry}


def page_url(result: FetchResult) -> str | None:
    """The canonical form of the URL a page was served from (after redirects): two entries with one page URL are one article."""
    try:
        return canonicalize_url(result.final_url) if result.final_url else None
    except ValueError:
        return result.final_url


def parse_results(
    items: Sequence[Candidate], results: Sequence[FetchResult], pool: Executor | None = None
) -> ParsedBatch:
    """Turn fetch results into articles to load (parsed, not analysed), unchanged URLs and rejects (those
    that may pass also in `retry`).

    A body whose hash is the one already stored (and parsed by this extractor
    version) is not parsed again. Raises `flows.interrupt.Interrupted` between pages once a stop is requested.
    """
    batch = ParsedBatch()
    jobs: list[tuple[Candidate, FetchResult]] = []
    for c, r in zip(items, results, strict=True):
        if r.error:
            batch.rejects.append(Reject(stage="fetch", reason=r.error, url=c.url, raw_sha256=r.sha256))
            if r.transient:
                batch.retry[c.url] = (r.error, retry_after(r.headers.get("retry-after")))
        elif r.not_modified or (r.sha256 is not None and r.sha256 == c.known_raw_sha256):
            batch.unchanged.append(c.url)
        else:
            jobs.append((c, r))
    args = [(r.body, r.content_type, r.final_url or c.url, c.published_at.date() if c.published_at else None) for c, r in jobs]
    outputs = parse_all(args, pool)
    for (c, r), out in zip(jobs, or_stop(outputs), strict=True):
        progress.add(parsed=1)
        if isinstance(out, str):
            batch.rejects.append(Reject(stage="parse", reason=out, url=c.url, raw_sha256=r.sha256))
        else:
            batch.articles.append(stored_article(c.url, r.sha256, out, c.feed_url, page_url(r), c.published_at))
    return batch


def or_stop(outputs: Iterable) -> Iterator:
    """The parse (or analysis) outputs until a stop is requested, then `flows.interrupt.Interrupted`. A pool whose workers were
    stopped (the first Ctrl-C stops them at once) or died by the same signal is the stop too."""
    try:
        for out in outputs:
            interrupt.check()
            yield out
    except BrokenProcessPool:
        interrupt.check(within_s=1.0)
        raise

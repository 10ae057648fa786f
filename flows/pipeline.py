"""The ingest steps as plain functions; `flows.ingest` wraps them in Prefect tasks.

Per-article work happens here in plain Python: async HTTP for the fetches, a
process pool for parsing. Nothing here opens the warehouse.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from extractors.analysis import read_page
from extractors.feeds import FeedError, parse_feed
from extractors.page import UnusableDocument
from flows.config import FeedConfig
from flows.http import Fetcher
from schemas import FeedEntry, FeedState, FetchResult, Reject, StoredArticle

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
    known_raw_sha256: str | None = None  # set when the warehouse has it: a refresh


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


def candidates(
    poll: FeedPoll, feeds: Sequence[FeedConfig], known_articles: dict[str, str | None], refresh: dict[str, str] | None = None
) -> list[Candidate]:
    """New entry URLs, deduplicated across feeds, plus the stored ones in `refresh` (url -> feed URL).

    `known_articles` maps a stored URL to its raw document hash, or to None when
    the stored row came from an older extractor and must be parsed again.
    Refreshed articles are limited to the feeds polled in this run.
    """
    refresh = refresh or {}
    robots = {f.name: f.respect_robots for f in feeds}
    feed_name = {s.url: s.name for s in poll.states}
    listed = [(feed_url, e.url, e.published_at) for feed_url, entries in poll.entries.items() for e in entries]
    listed += [(feed_url, url, None) for url, feed_url in refresh.items() if feed_url in feed_name]
    out: dict[str, Candidate] = {}
    for feed_url, url, published in listed:
        if url in out or (url in known_articles and url not in refresh):
            continue
        out[url] = Candidate(url, feed_url, published, robots.get(feed_name.get(feed_url), True), known_articles.get(url))
    return list(out.values())


async def fetch_pages(fetcher: Fetcher, items: Sequence[Candidate], validators: dict[str, tuple[str | None, str | None]]) -> list[FetchResult]:
    """Fetch article pages concurrently; the fetcher bounds concurrency overall and per host."""
    return list(
        await asyncio.gather(
            *(fetcher.fetch(c.url, *validators.get(c.url, (None, None)), respect_robots=c.respect_robots) for c in items)
        )
    )


@dataclass
class ParsedBatch:
    articles: list[StoredArticle] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def parse_one(body: bytes, content_type: str | None, url: str, reference: dt.date | None):
    """Worker entry point: (Article, entities, agreements), or the reject reason as a string."""
    try:
        return read_page(body, content_type, url, reference)
    except UnusableDocument as e:
        return str(e)
    except Exception as e:  # a parser bug must cost one page, not the run
        return f"parser error: {type(e).__name__}: {e}"


def parse_results(
    items: Sequence[Candidate], results: Sequence[FetchResult], pool: Executor | None = None
) -> ParsedBatch:
    """Turn fetch results into articles to load, unchanged URLs and rejects.

    A body whose hash is the one already stored (and parsed by this extractor
    version) is not parsed again.
    """
    batch = ParsedBatch()
    jobs: list[tuple[Candidate, FetchResult]] = []
    for c, r in zip(items, results, strict=True):
        if r.error:
            batch.rejects.append(Reject(stage="fetch", reason=r.error, url=c.url, raw_sha256=r.sha256))
        elif r.not_modified or (r.sha256 is not None and r.sha256 == c.known_raw_sha256):
            batch.unchanged.append(c.url)
        else:
            jobs.append((c, r))
    args = [(r.body, r.content_type, r.final_url or c.url, c.published_at.date() if c.published_at else None) for c, r in jobs]
    outputs = pool.map(parse_one, *zip(*args, strict=True), chunksize=8) if (pool and args) else [parse_one(*a) for a in args]
    for (c, r), out in zip(jobs, outputs, strict=True):
        if isinstance(out, str):
            batch.rejects.append(Reject(stage="parse", reason=out, url=c.url, raw_sha256=r.sha256))
        else:
            article, entities, agreements = out
            batch.articles.append(
                StoredArticle(
                    url=c.url, raw_sha256=r.sha256, article=article, entities=entities, agreements=agreements,
                    feed_url=c.feed_url, final_url=r.final_url, feed_published_at=c.published_at,
                )
            )
    return batch

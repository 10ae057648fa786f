"""The frontier: the work queue of article URLs, kept in the warehouse so that no interruption loses work.

A URL's state moves:

    pending --(loaded, unchanged, or the same page as another entry)--> done
    pending --(fetch failed for a reason that may pass: 5xx, 429, timeout, connection)--> retry
    retry   --(its time comes; the next run takes it up)--> done | retry | failed
    pending --(permanent reject: 404/410, robots, unusable document, parse reject; or out of tries)--> failed

Polling enqueues in the same transaction as the feed's validators (ETag / Last-Modified), and a
batch's load marks its URLs in the transaction that loads them, so a run killed at any moment leaves
its work pending, and the next run takes it up even when every feed answers 304.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import duckdb
import pyarrow as pa

from schemas import FeedEntry
from warehouse.load import insert_rows

PENDING, RETRY, DONE, FAILED = "pending", "retry", "done", "failed"


@dataclass(frozen=True)
class Backoff:
    """When a URL whose fetch failed for a passing reason is tried again, across runs.

    The n-th failed run waits `first_s * factor**(n-1)` seconds, at most `max_s`, and at least
    what the server asked for (Retry-After); after `max_tries` failed runs the URL fails for good.
    Defaults: 5 min (the next scheduled run takes it up), 20 min, 80 min, 5.3 h, 21 h, 1 day:
    a page is given up after 7 failed runs over two days or more. Each run's fetcher already
    retries a few times within seconds (`FetchPolicy.retries`).
    """

    first_s: float = 300.0
    factor: float = 4.0
    max_s: float = 86_400.0
    max_tries: int = 7

    def delay(self, tries: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after the `tries`-th failed run (1-based)."""
        wait = min(self.max_s, self.first_s * self.factor ** max(tries - 1, 0))
        return max(wait, retry_after_s or 0.0)


class Due(NamedTuple):
    """A URL to fetch now, with what the warehouse knows of it."""

    url: str
    feed_url: str
    feed_name: str | None
    published_at: dt.datetime | None
    known_raw_sha256: str | None  # the stored article's raw page, when this extractor version parsed it
    etag: str | None  # of the stored raw page: for a conditional GET
    last_modified: str | None


def enqueue(con: duckdb.DuckDBPyConnection, feed_url: str, entries: Iterable[FeedEntry], now: dt.datetime) -> int:
    """Add the entries' URLs as pending; a URL already in the frontier keeps its state."""
    rows = [
        {"url": e.url, "feed_url": feed_url, "published_at": e.published_at, "state": PENDING, "tries": 0,
         "next_try_at": None, "last_error": None, "article_url": None, "enqueued_at": now, "updated_at": now}
        for e in entries
    ]
    return insert_rows(con, "frontier", sorted(rows, key=lambda r: r["url"]), ["url"], "ON CONFLICT (url) DO NOTHING")


def requeue_articles(con: duckdb.DuckDBPyConnection, feed_urls: Iterable[str], now: dt.datetime) -> int:
    """`--refresh`: the stored articles these feed documents listed become pending again (fetched conditionally)."""
    polled = pa.table({"feed_url": list(feed_urls)})  # noqa: F841 (read by DuckDB by name)
    return con.execute(
        "UPDATE frontier SET state = 'pending', updated_at = ? "
        "WHERE state = 'done' AND feed_url IN (SELECT feed_url FROM polled) AND url IN (SELECT url FROM articles)",
        [now],
    ).fetchone()[0]


def due(con: duckdb.DuckDBPyConnection, now: dt.datetime, feed_names: Iterable[str], extractor_version: str) -> list[Due]:
    """Pending URLs and retries whose time has come, of the named feeds' documents, oldest first."""
    names = pa.table({"name": list(feed_names)})  # noqa: F841
    rows = con.execute(
        """
        SELECT f.url, f.feed_url, d.name, f.published_at,
               CASE WHEN a.extractor_version = ? THEN a.raw_sha256 END,
               json_extract_string(r.headers, '$.etag'), json_extract_string(r.headers, '$."last-modified"')
        FROM frontier f
        JOIN feeds d ON d.url = f.feed_url
        LEFT JOIN articles a ON a.url = f.url
        LEFT JOIN raw_documents r ON r.sha256 = a.raw_sha256
        WHERE (f.state = 'pending' OR (f.state = 'retry' AND f.next_try_at <= ?)) AND d.name IN (SELECT name FROM names)
        ORDER BY f.enqueued_at, f.url
        """,
        [extractor_version, now],
    ).fetchall()
    return [Due(*r) for r in rows]


def finish(
    con: duckdb.DuckDBPyConnection,
    now: dt.datetime,
    done: Mapping[str, str],
    failed: Mapping[str, str],
    retry: Mapping[str, tuple[str, float | None]],
    backoff: Backoff,
) -> None:
    """Mark a batch's URLs: `done` url -> article URL; `failed` url -> reason;
    `retry` url -> (reason, the server's Retry-After in seconds or None). Retries past
    `backoff.max_tries` fail for good, with the reason and the number of runs tried."""
    tries = dict(con.execute(
        "SELECT url, tries FROM frontier WHERE url IN (SELECT unnest(?))", [list(retry)]
    ).fetchall()) if retry else {}
    rows = [(url, DONE, 0, None, None, article) for url, article in done.items()]
    rows += [(url, FAILED, tries.get(url, 0), None, reason, None) for url, reason in failed.items()]
    for url, (reason, retry_after) in retry.items():
        n = tries.get(url, 0) + 1
        if n >= backoff.max_tries:
            rows.append((url, FAILED, n, None, f"{reason} (gave up after {n} runs)", None))
        else:
            rows.append((url, RETRY, n, now + dt.timedelta(seconds=backoff.delay(n, retry_after)), reason, None))
    if not rows:
        return
    marks = pa.table(  # noqa: F841
        {k: [r[i] for r in rows] for i, k in enumerate(["url", "state", "tries", "next_try_at", "last_error", "article_url"])},
        schema=pa.schema([("url", pa.string()), ("state", pa.string()), ("tries", pa.int32()), ("next_try_at", pa.timestamp("us", "UTC")),
                          ("last_error", pa.string()), ("article_url", pa.string())]),
    )
    con.execute(
        "UPDATE frontier SET state = m.state, tries = m.tries, next_try_at = m.next_try_at, last_error = m.last_error, "
        "article_url = m.article_url, updated_at = ? FROM marks m WHERE frontier.url = m.url",
        [now],
    )
    # entries that were one page with an article that another entry now replaces follow it
    con.execute("UPDATE frontier SET article_url = m.article_url FROM marks m "
                "WHERE frontier.article_url = m.url AND m.article_url <> m.url AND m.state = 'done'")


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """URLs per state."""
    return dict(con.execute("SELECT state, count(*) FROM frontier GROUP BY state").fetchall())

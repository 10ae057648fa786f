"""Reads the pipeline needs from the warehouse: feed state, known articles, raw bodies."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import duckdb

from schemas import FeedState


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    cur = con.execute("SELECT * FROM feeds")
    cols = [d[0] for d in cur.description]
    return {row[0]: FeedState(**dict(zip(cols, row, strict=True))) for row in cur.fetchall()}


def known_articles(con: duckdb.DuckDBPyConnection, extractor_version: str) -> dict[str, str | None]:
    """Stored article URL -> raw hash, or None where an older extractor made the row."""
    rows = con.execute("SELECT url, raw_sha256, extractor_version FROM articles").fetchall()
    return {url: (sha if version == extractor_version else None) for url, sha, version in rows}


def article_feeds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Stored article URL -> the feed URL it came from."""
    return dict(con.execute("SELECT url, feed_url FROM articles WHERE feed_url IS NOT NULL").fetchall())


def validators(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """(ETag, Last-Modified) of each stored article's raw page, for conditional GETs."""
    if not urls:
        return {}
    rows = con.execute(
        "SELECT a.url, r.headers FROM articles a JOIN raw_documents r ON r.sha256 = a.raw_sha256 WHERE a.url IN (SELECT unnest(?))",
        [urls],
    ).fetchall()
    out = {}
    for url, headers in rows:
        h = json.loads(headers or "{}")
        out[url] = (h.get("etag"), h.get("last-modified"))
    return out


class StoredPage(NamedTuple):
    url: str
    feed_url: str | None
    final_url: str | None
    headers: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    published_at: dt.datetime | None  # the feed entry's date


def stored_pages(con: duckdb.DuckDBPyConnection, urls: list[str]) -> Iterator[StoredPage]:
    """The raw page behind each of these stored articles, decompressed, for `reprocess`."""
    cur = con.execute(
        "SELECT a.url, a.feed_url, a.final_url, r.headers, r.body_zlib, r.fetched_at, e.published_at "
        "FROM articles a JOIN raw_documents r ON r.sha256 = a.raw_sha256 "
        "LEFT JOIN feed_entries e ON e.url = a.url AND e.feed_url = a.feed_url "
        "WHERE a.url IN (SELECT unnest(?)) ORDER BY a.url",
        [urls],
    )
    while rows := cur.fetchmany(200):
        for url, feed_url, final_url, headers, body, fetched_at, published in rows:
            yield StoredPage(url, feed_url, final_url, json.loads(headers or "{}"), zlib.decompress(body), fetched_at, published)


def newest_titles(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[tuple[str, str | None]]:
    return con.execute(
        "SELECT title, strftime(published_at, '%Y-%m-%d') FROM articles ORDER BY published_at DESC NULLS LAST, url LIMIT ?",
        [limit],
    ).fetchall()

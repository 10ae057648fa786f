"""Reads the pipeline needs from the warehouse: feed state, stored articles, raw bodies."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import NamedTuple

import duckdb

from schemas import FeedState
from warehouse import rawbody


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    cur = con.execute("SELECT * FROM feeds")
    cols = [d[0] for d in cur.description]
    return {row[0]: FeedState(**dict(zip(cols, row, strict=True))) for row in cur.fetchall()}


class StoredPage(NamedTuple):
    url: str
    feed_url: str | None
    final_url: str | None
    headers: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    published_at: dt.datetime | None  # the feed entry's date


def reprocessable(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every URL whose raw page is stored and can be parsed again: the articles, and the parse
    rejects (a fixed extractor may make articles of them), in URL order."""
    return [u for (u,) in con.execute(
        "SELECT url FROM articles UNION SELECT url FROM rejects "
        "WHERE stage = 'parse' AND raw_sha256 IS NOT NULL AND url NOT IN (SELECT url FROM articles) ORDER BY url"
    ).fetchall()]


def stored_pages(con: duckdb.DuckDBPyConnection, urls: list[str]) -> Iterator[StoredPage]:
    """The raw page behind each of these stored articles or parse rejects, decompressed, for `reprocess`."""
    cur = con.execute(
        """
        WITH wanted AS (SELECT unnest(?) AS url),
        pages AS (
            SELECT a.url, a.feed_url, a.final_url, a.raw_sha256 FROM articles a SEMI JOIN wanted USING (url)
            UNION ALL
            SELECT r.url, NULL, NULL, r.raw_sha256 FROM rejects r SEMI JOIN wanted USING (url)
            WHERE r.stage = 'parse' AND r.raw_sha256 IS NOT NULL AND r.url NOT IN (SELECT url FROM articles)
        )
        SELECT p.url, coalesce(p.feed_url, f.feed_url), coalesce(p.final_url, d.final_url), d.headers, d.body, d.codec, d.size, d.fetched_at,
               coalesce(f.published_at, e.published_at)
        FROM pages p JOIN raw_documents d ON d.sha256 = p.raw_sha256
        LEFT JOIN frontier f ON f.url = p.url
        LEFT JOIN feed_entries e ON e.url = p.url AND e.feed_url = coalesce(p.feed_url, f.feed_url)
        ORDER BY p.url
        """,
        [urls],
    )
    while rows := cur.fetchmany(200):
        for url, feed_url, final_url, headers, body, codec, size, fetched_at, published in rows:
            yield StoredPage(url, feed_url, final_url, json.loads(headers or "{}"), rawbody.decompress(body, codec, size), fetched_at, published)


def existing_articles(con: duckdb.DuckDBPyConnection, urls: list[str]) -> set[str]:
    """Which of these URLs are stored articles."""
    return {u for (u,) in con.execute("SELECT url FROM articles WHERE url IN (SELECT unnest(?))", [urls]).fetchall()}


def text_hashes(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, str]:
    """Stored article URL -> a hash of its title and body as stored."""
    return dict(con.execute("SELECT url, md5(concat_ws('|', title, body)) FROM articles WHERE url IN (SELECT unnest(?))", [urls]).fetchall())


def newest_titles(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[tuple[str, str | None]]:
    return con.execute(
        "SELECT title, strftime(published_at, '%Y-%m-%d') FROM articles ORDER BY published_at DESC NULLS LAST, url LIMIT ?",
        [limit],
    ).fetchall()

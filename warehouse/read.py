"""Reads the pipeline needs from the warehouse: feed state, stored articles, raw bodies."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import NamedTuple

import duckdb

from schemas import Article, ArticleText, Dateline, FeedState, TextEdit
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


def existing_articles(con: duckdb.DuckDBPyConnection, urls: list[str]) -> list[str]:
    """Which of these URLs are stored articles."""
    if not urls:
        return []
    return [u for (u,) in con.execute("SELECT url FROM articles WHERE url IN (SELECT unnest(?))", [urls]).fetchall()]


def text_hashes(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, str]:
    """Stored article URL -> the hash of its text as stored (`articles.text_hash`, the SQL macro `article_text_hash` of
    migration 016 over everything analysis reads). Facts made from a text whose hash changed no longer point into it."""
    if not urls:
        return {}
    return dict(con.execute("SELECT url, text_hash FROM articles WHERE url IN (SELECT unnest(?))", [urls]).fetchall())


def unanalysed(con: duckdb.DuckDBPyConnection, version: str, limit: int | None = None) -> list[str]:
    """Articles whose facts are missing or were made by another extractor version than `version`, oldest
    first, at most `limit`: the work of the analysis stage. Articles stored before their text was kept
    whole (see `unanalysed_counts`) are not among them."""
    sql = "SELECT url FROM articles WHERE analysis_version IS DISTINCT FROM ? AND edits IS NOT NULL ORDER BY first_seen_at, url"
    return [u for (u,) in con.execute(sql + (" LIMIT ?" if limit is not None else ""), [version] + ([limit] if limit is not None else []))
            .fetchall()]


def unanalysed_counts(con: duckdb.DuckDBPyConnection, version: str) -> tuple[int, int]:
    """(articles awaiting analysis by `version`, articles analysis cannot bring up to it on its own): the
    latter were stored by a newsflow that did not keep all the text analysis reads (before warehouse
    version 10), and `newsflow reprocess` parses them again."""
    return con.execute(
        "SELECT count(*) FILTER (WHERE edits IS NOT NULL), count(*) FILTER (WHERE edits IS NULL) FROM articles "
        "WHERE analysis_version IS DISTINCT FROM ?", [version]
    ).fetchone()


def rows_where(con: duckdb.DuckDBPyConnection, table: str, column: str, values: list) -> str:
    """A condition that limits a statement on `table` to the rows whose `column` is in `values`:
    `table.rowid IN (3, 17, ...)`, or `FALSE` when none is stored. Use it in the same transaction
    (a checkpoint can renumber rows).

    DuckDB runs `UPDATE t SET ... FROM k WHERE t.key = k.key`, or a semi join, by scanning every row
    of `t` and reading each column the statement reads (every column when an update sets a list: it
    rewrites the row). So the statements on one batch's articles grew with the warehouse. Measured
    on 200 new articles of a 20,000-article warehouse: updating their `warnings` took 0.084 s, and
    0.015 s limited this way; reading their text to index it, 0.027 s against 0.007 s. A list of
    constant row ids is pushed into the scan, which then reads only the vectors that hold them. The
    lookup here reads `column` alone. It does not pay for a table with many rows per value
    (`article_blocks`: a list of thousands of ids cost more than the scan it saved).
    """
    ids = [i for (i,) in con.execute(f"SELECT rowid FROM {table} WHERE {column} IN (SELECT unnest(?))", [values]).fetchall()]
    return f"{table}.rowid IN ({', '.join(map(str, ids))})" if ids else "FALSE"


def article_texts(con: duckdb.DuckDBPyConnection, urls: list[str]) -> list[ArticleText]:
    """The stored text of these articles, as the parse gave it, for analysis: in URL order, missing ones left out."""
    cur = con.execute(
        """
        WITH wanted AS (SELECT unnest(?) AS url),
        blocks AS (
            SELECT url, list(text ORDER BY seq) FILTER (WHERE kind = 'paragraph') AS paragraphs,
                   list(text ORDER BY seq) FILTER (WHERE kind = 'caption') AS captions,
                   list(text ORDER BY seq) FILTER (WHERE kind = 'credit') AS credits,
                   list(text ORDER BY seq) FILTER (WHERE kind = 'end_marker') AS end_markers
            FROM article_blocks SEMI JOIN wanted USING (url) GROUP BY url
        )
        SELECT a.url, coalesce(a.final_url, a.url), a.canonical_url, a.title, a.authors, a.published_at, a.published_source,
               a.published_utc_offset, a.modified_at, a.language, a.site_name, a.description, a.image, a.byline,
               a.dateline_agency, a.dateline_place, a.dateline_date, a.dateline_raw, a.edits, a.warnings,
               b.paragraphs, b.captions, b.credits, b.end_markers
        FROM articles a SEMI JOIN wanted USING (url) LEFT JOIN blocks b USING (url)
        ORDER BY a.url
        """,
        [urls],
    )
    out = []
    for (url, page, canonical, title, authors, published, source, offset, modified, language, site, description, image, byline,
         agency, place, date, raw, edits, warnings, paragraphs, captions, credits, end_markers) in cur.fetchall():
        dateline = Dateline(agency=agency, place=place, date=date, raw=raw or "") if (agency, place, date, raw) != (None,) * 4 else None
        article = Article(
            url=page, canonical_url=canonical, title=title, authors=authors or [], published_at=_page_date(published, source, offset),
            modified_at=modified, language=language, site_name=site, description=description, image=image,
            paragraphs=paragraphs or [], captions=captions or [], credits=credits or [], byline=byline or [], dateline=dateline,
            end_markers=end_markers or [], warnings=warnings or [],
            edits=[TextEdit(start=e["start_char"], end=e["end_char"], replacement=e["replacement"], kind=e["kind"]) for e in edits or []],
        )
        out.append(ArticleText(url=url, article=article))
    return out


def _page_date(published: dt.datetime | None, source: str | None, offset: int | None) -> dt.datetime | None:
    """The page's own date as the parse gave it: in the zone it was written in, naive when it named none."""
    if published is None or source != "page":
        return None
    if offset is None:
        return published.astimezone(dt.UTC).replace(tzinfo=None)
    return published.astimezone(dt.timezone(dt.timedelta(seconds=offset)))


def newest_titles(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[tuple[str, str | None]]:
    return con.execute(
        "SELECT title, strftime(published_at, '%Y-%m-%d') FROM articles ORDER BY published_at DESC NULLS LAST, url LIMIT ?",
        [limit],
    ).fetchall()

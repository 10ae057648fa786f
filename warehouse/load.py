"""Bulk, idempotent loads through Arrow: one INSERT per table per batch.

Batches are deduplicated on their keys first, because `ON CONFLICT DO UPDATE`
silently keeps the first of two rows with the same key in one statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import NamedTuple

import duckdb
import pyarrow as pa

from schemas import Article, FeedEntry, FeedState, FetchResult, Reject, StoredArticle
from warehouse import rawbody, read


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], key: Iterable[str] = (), on_conflict: str = "", new_only: bool = False
) -> int:
    """One INSERT of `rows` through Arrow, the last row of each `key` kept (none dropped without a key).

    `on_conflict` is the clause for a stored row with the same key, on a table that declares its key as a
    PRIMARY KEY. The tables of many rows per article, and `agreement_parties`, declare none (migration 017):
    their loads delete an article's (an agreement's) rows before writing them again. `new_only` inserts only
    the rows whose key is not stored yet, on a table whose rows never change and that declares no key
    (`raw_documents`, migration 018)."""
    key = tuple(key)
    unique = list({tuple(r[k] for k in key): r for r in rows}.values()) if key else rows
    if not unique:
        return 0
    batch = pa.Table.from_pylist(unique)  # noqa: F841 (read by DuckDB by name)
    new = f" WHERE NOT EXISTS (FROM {table} t WHERE {' AND '.join(f't.{k} = batch.{k}' for k in key)})" if new_only else ""
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM batch{new} {on_conflict}")
    return len(unique)


def _set_all(columns: Iterable[str]) -> str:
    return ", ".join(f"{c} = excluded.{c}" for c in columns)


def store_raw(con: duckdb.DuckDBPyConnection, results: Iterable[FetchResult]) -> int:
    """Keep every body that came back, compressed (`warehouse.rawbody`), once per content hash."""
    rows = [
        {
            "sha256": r.sha256,
            "url": r.url,
            "final_url": r.final_url,
            "status": r.status,
            "content_type": r.content_type,
            "headers": json.dumps(r.headers),
            "fetched_at": r.fetched_at,
            "size": len(r.body),
            "body": rawbody.compress(r.body),
            "codec": rawbody.CODEC,
        }
        for r in results
        if r.body is not None
    ]
    return insert_rows(con, "raw_documents", rows, ["sha256"], new_only=True)


def log_fetches(con: duckdb.DuckDBPyConnection, run_id: str, kind: str, results: Iterable[FetchResult]) -> int:
    rows = [
        {
            "run_id": run_id,
            "kind": kind,
            "url": r.url,
            "final_url": r.final_url,
            "status": r.status,
            "error": r.error,
            "attempts": r.attempts,
            "elapsed_ms": r.elapsed_ms,
            "queued_ms": r.queued_ms,
            "fetched_at": r.fetched_at,
            "raw_sha256": r.sha256,
        }
        for r in results
    ]
    return insert_rows(con, "fetch_log", rows)


def save_feeds(con: duckdb.DuckDBPyConnection, states: Iterable[FeedState]) -> int:
    rows = [s.model_dump() for s in states]
    cols = [c for c in FeedState.model_fields if c != "url"]
    return insert_rows(con, "feeds", rows, ["url"], f"ON CONFLICT (url) DO UPDATE SET {_set_all(cols)}")


def save_entries(con: duckdb.DuckDBPyConnection, feed_url: str, entries: Iterable[FeedEntry], seen_at: dt.datetime) -> int:
    rows = [
        {
            "feed_url": feed_url,
            "url": e.url,
            "link": e.link,
            "title": e.title,
            "published_at": e.published_at,
            "guid": e.guid,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
        }
        for e in entries
    ]
    cols = ["link", "title", "published_at", "guid", "last_seen_at"]
    return insert_rows(con, "feed_entries", rows, ["feed_url", "url"], f"ON CONFLICT (feed_url, url) DO UPDATE SET {_set_all(cols)}")


def body_hash(article: Article) -> str:
    return hashlib.sha256(article.body.encode()).hexdigest()


def _utc_offset(s: StoredArticle) -> int | None:
    """Seconds east of UTC of the page's own date, so its day in its own zone can be read back (None: no zone or not the page's)."""
    offset = s.published_at.utcoffset() if s.published_source == "page" and s.published_at else None
    return int(offset.total_seconds()) if offset is not None else None


def save_articles(
    con: duckdb.DuckDBPyConnection, run_id: str, extractor_version: str, items: Iterable[StoredArticle], now: dt.datetime
) -> int:
    """Upsert articles (their text and all that analysis reads of it, with its hash `text_hash`) and replace their
    blocks; the caller passes only new or changed ones (of a URL given twice, the last). An article's analysis
    columns are left as they are (`warehouse.facts`)."""
    rows, blocks = [], []
    for s in {s.url: s for s in items}.values():  # the last of each URL, as for any upsert
        a = s.article
        body, clean = a.body, a.clean_body
        rows.append(
            {
                "url": s.url,
                "canonical_url": a.canonical_url,
                "final_url": s.final_url,
                "feed_url": s.feed_url,
                "title": a.title,
                "authors": a.authors,
                "published_at": s.published_at,
                "published_source": s.published_source,
                "published_utc_offset": _utc_offset(s),
                "modified_at": a.modified_at,
                "language": a.language,
                "site_name": a.site_name,
                "description": a.description,
                "image": a.image,
                "body": body,
                "clean_body": clean,
                "body_sha256": body_hash(a),
                "dateline_agency": a.dateline.agency if a.dateline else None,
                "dateline_place": a.dateline.place if a.dateline else None,
                "dateline_date": a.dateline.date if a.dateline else None,
                "dateline_raw": a.dateline.raw if a.dateline else None,
                "edits": [{"start_char": e.start, "end_char": e.end, "replacement": e.replacement, "kind": e.kind} for e in a.edits],
                "byline": a.byline,
                "warnings": a.warnings,
                "raw_sha256": s.raw_sha256,
                "extractor_version": extractor_version,
                "run_id": run_id,
                "first_seen_at": now,
                "updated_at": now,
            }
        )
        for kind, texts in (("paragraph", a.paragraphs), ("caption", a.captions), ("credit", a.credits), ("end_marker", a.end_markers)):
            blocks += [{"url": s.url, "kind": kind, "seq": i, "text": t} for i, t in enumerate(texts)]
    if not rows:
        return 0
    cols = [c for c in rows[0] if c not in ("url", "first_seen_at")]
    urls = [r["url"] for r in rows]
    # Deleting blocks scans them all (they grow with the warehouse), so only articles stored before have theirs deleted.
    stored = pa.table({"url": pa.array(read.existing_articles(con, urls), pa.string())})
    n = insert_rows(con, "articles", rows, ["url"], f"ON CONFLICT (url) DO UPDATE SET {_set_all(cols)}")
    if stored.num_rows:
        con.execute("DELETE FROM article_blocks WHERE url IN (SELECT url FROM stored)")
    insert_rows(con, "article_blocks", blocks, ["url", "kind", "seq"])
    saved = pa.table({"url": urls})  # noqa: F841 (both read by DuckDB by name)
    new_blocks = pa.Table.from_pylist(blocks, schema=BLOCKS)  # noqa: F841
    con.execute(
        "UPDATE articles SET text_hash = article_text_hash(articles, b.blocks) "
        "FROM (SELECT s.url, g.blocks FROM saved s LEFT JOIN "
        "      (SELECT url, list((kind, seq, text)) AS blocks FROM new_blocks GROUP BY url) g USING (url)) b "
        f"WHERE articles.url = b.url AND {read.rows_where(con, 'articles', 'url', urls)}"
    )
    return n


BLOCKS = pa.schema([("url", pa.string()), ("kind", pa.string()), ("seq", pa.int32()), ("text", pa.string())])


class Pages(NamedTuple):
    """A batch after `same_pages`: the articles to store, every other URL that is one of them
    (url -> the article's URL), and the stored articles they replace."""

    keep: list[StoredArticle]
    same_as: dict[str, str]
    replaced: list[str]


def same_pages(con: duckdb.DuckDBPyConnection, items: list[StoredArticle]) -> Pages:
    """One article per page, whatever the entries that led to it.

    Two entries are one page when they were served from the same URL after redirects
    (`final_url`), or when their pages declare the same canonical link and have the same
    text: a site that gives every page its home page as canonical link stays many articles.
    The article of a page is the entry whose URL is the page's own URL or canonical link,
    else the first URL in sort order, whether stored or in this batch; so the answer does not
    depend on which entry came first. A stored article that loses is replaced.
    """
    if not items:
        return Pages([], {}, [])
    batch = {s.url: (s.final_url or s.url, s.article.canonical_url, body_hash(s.article)) for s in items}
    probe = pa.table({"page": list({p for p, _, _ in batch.values()})})  # noqa: F841 (read by DuckDB by name)
    canon = pa.table({"canonical": list({c for _, c, _ in batch.values() if c})}, schema=pa.schema([("canonical", pa.string())]))  # noqa: F841
    mine = pa.table({"url": list(batch)})  # noqa: F841
    stored = {url: (page, canonical, body) for url, page, canonical, body in con.execute(  # the batch's own URLs among them
        "SELECT url, coalesce(final_url, url), canonical_url, body_sha256 FROM articles "
        "WHERE url IN (SELECT url FROM mine) OR coalesce(final_url, url) IN (SELECT page FROM probe) "
        "OR canonical_url IN (SELECT canonical FROM canon)"
    ).fetchall()}
    pages = {**stored, **batch}  # a URL of the batch is as the batch has it now
    parent = {u: u for u in pages}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    by_page, by_canonical = {}, {}
    for url, (page, canonical, body) in sorted(pages.items()):
        for index, key in ((by_page, page), (by_canonical, (canonical, body) if canonical else None)):
            if key is not None:
                parent[find(url)] = find(index.setdefault(key, url))
    groups: dict[str, list[str]] = {}
    for url in pages:
        groups.setdefault(find(url), []).append(url)
    same_as, replaced = {}, []
    for urls in groups.values():
        article = min(urls, key=lambda u: (u not in (pages[u][0], pages[u][1]), u))
        for u in urls:
            if u != article:
                same_as[u] = article
                if u in stored:
                    replaced.append(u)
    return Pages([s for s in items if s.url not in same_as], same_as, sorted(replaced))


def delete_articles(con: duckdb.DuckDBPyConnection, urls: list[str]) -> None:
    """Remove stored articles, their blocks and their search entries; their facts go with
    `facts.save_facts(..., removed=urls)`."""
    if not urls:
        return
    gone = pa.table({"url": urls})  # noqa: F841
    for table in ("articles", "article_blocks", "search_docs", "search_postings"):
        con.execute(f"DELETE FROM {table} WHERE url IN (SELECT url FROM gone)")


def save_rejects(con: duckdb.DuckDBPyConnection, run_id: str, rejects: Iterable[Reject], now: dt.datetime) -> int:
    rows = [
        {
            "stage": r.stage,
            "url": r.url or "",
            "reason": r.reason,
            "detail": r.detail,
            "raw_sha256": r.raw_sha256,
            "run_id": run_id,
            "first_seen_at": now,
            "last_seen_at": now,
            "times_seen": 1,
        }
        for r in rejects
    ]
    return insert_rows(
        con,
        "rejects",
        rows,
        ["stage", "url"],
        "ON CONFLICT (stage, url) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, "
        "raw_sha256 = excluded.raw_sha256, run_id = excluded.run_id, last_seen_at = excluded.last_seen_at, "
        "times_seen = rejects.times_seen + 1",
    )


def clear_rejects(con: duckdb.DuckDBPyConnection, urls: Iterable[str], stage: str | None = None) -> None:
    """A URL that now loads (or, with `stage`, now passes that stage) is no longer a reject (of that stage)."""
    urls = pa.table({"url": list(urls)})
    if stage is None:
        con.execute("DELETE FROM rejects WHERE url IN (SELECT url FROM urls)")
    else:
        con.execute("DELETE FROM rejects WHERE url IN (SELECT url FROM urls) AND stage = ?", [stage])


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, extractor_version: str, started: dt.datetime) -> None:
    con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, NULL, NULL)", [run_id, flow, extractor_version, started])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, finished: dt.datetime, summary: dict) -> None:
    con.execute("UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?", [finished, json.dumps(summary, default=str), run_id])

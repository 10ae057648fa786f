"""Full-text search: an inverted index inside the warehouse, kept current batch by batch.

The index (`search_docs`, `search_postings`, the `search_articles(q)` and
`search_snippet(text, q)` macros of migration 004) lives in the same file and
the same transaction as the articles, so it can never disagree with them after
a crash, and every DuckDB client, snapshot and export can use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

import duckdb
import pyarrow as pa


class Hit(NamedTuple):
    url: str
    title: str | None
    published_at: dt.datetime | None
    score: float
    snippet: str


def index(con: duckdb.DuckDBPyConnection, urls: Iterable[str], now: dt.datetime) -> int:
    """(Re)index these articles from their stored title and clean body; an article gone is dropped."""
    urls = pa.table({"url": list(dict.fromkeys(urls))})
    if not urls.num_rows:
        return 0
    con.execute("DELETE FROM search_postings WHERE url IN (SELECT url FROM urls)")
    con.execute("DELETE FROM search_docs WHERE url IN (SELECT url FROM urls)")
    con.execute(
        "INSERT INTO search_docs SELECT a.url, len(search_tokens(concat_ws(' ', a.title, a.clean_body))), ? "
        "FROM articles a SEMI JOIN urls u ON u.url = a.url",
        [now],
    )
    con.execute(
        "INSERT INTO search_postings SELECT term, url, count(*) FROM ("
        "  SELECT a.url, unnest(search_tokens(concat_ws(' ', a.title, a.clean_body))) AS term"
        "  FROM articles a SEMI JOIN urls u ON u.url = a.url"
        ") GROUP BY ALL"
    )
    return urls.num_rows


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[Hit]:
    """The best `limit` articles for `query`, with the stretch of text where it matched."""
    rows = con.execute(
        "SELECT s.url, s.title, s.published_at, s.score, search_snippet(a.clean_body, $q) "
        "FROM (SELECT * FROM search_articles($q) LIMIT $limit) s JOIN articles a USING (url) "
        "ORDER BY s.matched DESC, s.score DESC, s.url",
        {"q": query, "limit": limit},
    ).fetchall()
    return [Hit(*r) for r in rows]

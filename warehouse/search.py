"""Full-text search: an inverted index inside the warehouse, kept current batch by batch.

The index (`search_docs`, `search_postings` with word positions, and the macros
`search_tokens`, `search_query`, `search_articles` and `search_snippet` of migrations
007 and 015) lives in the same file and the same transaction as the articles, so it can never
disagree with them after a crash, and every DuckDB client, snapshot and export can use it.

Words: the name key of `schemas.names.name_key` (compatibility forms folded, lower
case, apostrophes and full stops dropped, anything but letters and digits a break),
then final sigma as sigma, plural endings folded by the name key's plural rule
`schemas.names.singular` (agreements -> agreement, companies -> company; analysis, gas
kept), the stop words of `schemas/reference/stopwords.txt` dropped,
and runs of Chinese or Japanese characters indexed as overlapping character pairs
(签署协议 -> 签署, 署协, 协议), so a word matches inside a sentence without spaces.
`tokens` below does it in Python (the index is built with it: faster than SQL); the
SQL macro `search_tokens` (migration 015) does it for queries and for analysts.
`tests/test_search_tokens.py` proves the two agree on every assigned Unicode
character and on the corpus.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import NamedTuple

import duckdb
import pyarrow as pa

from schemas.errors import QueryError
from schemas.names import name_key, singular
from warehouse.read import rows_where

# Hiragana, katakana, CJK unified ideographs (extension A, the main block, extensions B-F),
# compatibility ideographs: scripts written without spaces between words. The same ranges
# are in the SQL macros.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_RUN = re.compile(f"([{CJK}]+)")


class Hit(NamedTuple):
    url: str
    title: str | None
    published_at: dt.datetime | None
    score: float
    snippet: str


@cache
def stopwords() -> frozenset[str]:
    """The words search ignores (schemas/reference/stopwords.txt)."""
    text = resources.files("schemas").joinpath("reference", "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def tokens(text: str | None) -> list[str]:
    """The words search indexes for `text`, in order (positions are list indexes); the SQL `search_tokens` in Python."""
    key = name_key(text or "").replace("ς", "σ")
    stop = stopwords()
    if key.isascii():
        return [singular(w) for w in key.split() if w not in stop]
    out: list[str] = []
    for part in _CJK_RUN.split(key):
        if _CJK_RUN.fullmatch(part):
            out += [part[i : i + 2] for i in range(len(part) - 1)] or [part]
        else:
            out += [singular(w) for w in part.split() if w not in stop]
    return out


POSTINGS = pa.schema([("term", pa.string()), ("url", pa.string()), ("tf", pa.int32()), ("positions", pa.list_(pa.int32()))])


def _postings(words: dict[str, list[str]]) -> pa.Table:
    """One row per (word, article): how often and where the word stands in the article's words."""
    terms, urls, tfs, positions = [], [], [], []
    for url, ws in words.items():
        where: dict[str, list[int]] = {}
        for i, w in enumerate(ws):
            where.setdefault(w, []).append(i)
        terms += where
        urls += [url] * len(where)
        tfs += map(len, where.values())
        positions += where.values()
    return pa.table([terms, urls, tfs, positions], schema=POSTINGS)


def index(con: duckdb.DuckDBPyConnection, urls: Iterable[str], now: dt.datetime) -> int:
    """(Re)index these articles from their stored title and clean body; an article gone is dropped. Returns how many were asked."""
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return 0
    urls = pa.table({"url": wanted})  # also read by DuckDB by name
    # Deleting from the postings scans them all (they grow with the warehouse), so only articles indexed before are deleted.
    indexed = pa.table({"url": [u for (u,) in con.execute("SELECT url FROM search_docs SEMI JOIN urls USING (url)").fetchall()]})
    if indexed.num_rows:
        con.execute("DELETE FROM search_postings WHERE url IN (SELECT url FROM indexed)")
        con.execute("DELETE FROM search_docs WHERE url IN (SELECT url FROM indexed)")
    batch = rows_where(con, "articles", "url", wanted)
    texts = con.execute(f"SELECT url, concat_ws(' ', title, clean_body) FROM articles WHERE {batch}").fetchall()
    words = {url: tokens(text) for url, text in texts}
    docs = pa.table({"url": list(words), "length": [len(w) for w in words.values()], "indexed_at": [now] * len(words)})  # noqa: F841
    postings = _postings(words)  # noqa: F841 (both read by DuckDB by name)
    con.execute("INSERT INTO search_docs BY NAME SELECT * FROM docs")
    con.execute("INSERT INTO search_postings BY NAME SELECT * FROM postings")
    return urls.num_rows


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[Hit]:
    """The best `limit` articles for `query` (all words, "phrases", OR, -word, prefix*), with a snippet where they matched.

    Raises `QueryError` when the query has no word search does not ignore.
    """
    rows = con.execute("SELECT url, title, published_at, score FROM search_articles(?) LIMIT ?", [query, limit]).fetchall()
    if not rows:
        if not con.execute("SELECT count(*) FROM search_query(?) WHERE NOT negated", [query]).fetchone()[0]:
            raise QueryError(f"nothing to search for in {query!r}: common words (the, of, and, ...) are ignored; add a word that matters")
        return []
    pattern = con.execute("SELECT search_pattern(?)", [query]).fetchone()[0]  # once, so the regex is compiled once
    snippets = dict(con.execute(
        "SELECT url, search_excerpt(clean_body, ?) FROM articles WHERE url IN (SELECT unnest(?))", [pattern, [r[0] for r in rows]]
    ).fetchall())
    return [Hit(*r, snippets.get(r[0], "")) for r in rows]

"""A batch's records as Arrow tables and back: what travels through the staging area (`flows.staging`).

Four kinds of staged batch, each a set of tables:

    pages    for a worker to parse (stage 1): what the coordinator fetched (or, for reprocess, read
             back from the warehouse). One table, `pages`: a row per URL with what the frontier knew
             of it (`Candidate`) and the fetch result, body included.
    parsed   for the loader: what a worker made of a pages batch, as `flows.pipeline.ParsedBatch`
             holds it: `articles` (each with its blocks, not analysed), `rejects`, `unchanged` and
             `retry`; and, when the loader must store them, the `fetches` the pages came from (raw
             pages and fetch log).
    texts    for a worker to analyse (stage 2): one table, `texts`, a row per stored article
             (`ArticleText`) with the hash of its text when it was read (`warehouse.read.text_hashes`).
    facts    for the loader: one table, `facts`, a row per article analysed (`ArticleFacts`), with
             the hash of the text it was made from, so facts of a text changed since are not loaded.

Each row carries its record as the loader takes it, in pydantic's JSON (`record`, and `fetch`
and `candidate` for pages), so a record read back is equal to the one written; bodies are
binary columns; and a few plain columns (URL, status, title, reason) are there for people who
query staged batches with DuckDB. Writing or reading a staged batch costs a few tenths of a
millisecond an article (pydantic's JSON, Parquet with zstd), against ~100 ms to parse and
analyse one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
from pydantic import TypeAdapter

from flows.pipeline import Candidate, ParsedBatch
from schemas import ArticleFacts, ArticleText, FetchResult, Reject, StoredArticle

_CANDIDATE = TypeAdapter(Candidate)
_FETCH_SCHEMA = pa.schema([("url", pa.string()), ("status", pa.int32()), ("error", pa.string()), ("body", pa.binary()),
                           ("fetch", pa.string())])


def _fetch_columns(fetches: Sequence[FetchResult]) -> dict[str, list]:
    return {
        "url": [r.url for r in fetches],
        "status": [r.status for r in fetches],
        "error": [r.error for r in fetches],
        "body": [r.body for r in fetches],
        "fetch": [r.model_dump_json(exclude={"body"}) for r in fetches],
    }


def _fetches_from(table: pa.Table) -> list[FetchResult]:
    out = []
    for record, body in zip(table.column("fetch").to_pylist(), table.column("body").to_pylist(), strict=True):
        result = FetchResult.model_validate_json(record)
        result.body = body
        out.append(result)
    return out


def pages_tables(items: Sequence[Candidate], fetches: Sequence[FetchResult]) -> dict[str, pa.Table]:
    """A pages batch: each candidate URL with its fetch result (same order, same length)."""
    if len(items) != len(fetches):
        raise ValueError(f"{len(items)} candidates but {len(fetches)} fetch results")
    schema = _FETCH_SCHEMA.append(pa.field("candidate", pa.string()))
    columns = _fetch_columns(fetches) | {"candidate": [_CANDIDATE.dump_json(c).decode() for c in items]}
    return {"pages": pa.table(columns, schema=schema)}


def pages_from(tables: Mapping[str, pa.Table]) -> tuple[list[Candidate], list[FetchResult]]:
    """The candidates and fetch results of a pages batch, as `pages_tables` took them."""
    table = tables["pages"]
    return [_CANDIDATE.validate_json(c) for c in table.column("candidate").to_pylist()], _fetches_from(table)


def parsed_tables(batch: ParsedBatch, fetches: Sequence[FetchResult] = ()) -> dict[str, pa.Table]:
    """A parsed batch: the loader's input for `flows.ingest.store_batch(db, run_id, batch, fetches, backoff)`."""
    return {
        "fetches": pa.table(_fetch_columns(fetches), schema=_FETCH_SCHEMA),
        "articles": pa.table(
            {
                "url": [s.url for s in batch.articles],
                "raw_sha256": [s.raw_sha256 for s in batch.articles],
                "title": [s.article.title for s in batch.articles],
                "record": [s.model_dump_json() for s in batch.articles],
            },
            schema=pa.schema([("url", pa.string()), ("raw_sha256", pa.string()), ("title", pa.string()), ("record", pa.string())]),
        ),
        "rejects": pa.table(
            {
                "stage": [r.stage for r in batch.rejects],
                "url": [r.url for r in batch.rejects],
                "reason": [r.reason for r in batch.rejects],
                "record": [r.model_dump_json() for r in batch.rejects],
            },
            schema=pa.schema([("stage", pa.string()), ("url", pa.string()), ("reason", pa.string()), ("record", pa.string())]),
        ),
        "unchanged": pa.table({"url": batch.unchanged}, schema=pa.schema([("url", pa.string())])),
        "retry": pa.table(
            {
                "url": list(batch.retry),
                "reason": [reason for reason, _ in batch.retry.values()],
                "retry_after_s": [after for _, after in batch.retry.values()],
            },
            schema=pa.schema([("url", pa.string()), ("reason", pa.string()), ("retry_after_s", pa.float64())]),
        ),
    }


def parsed_from(tables: Mapping[str, pa.Table]) -> tuple[ParsedBatch, list[FetchResult]]:
    """The parsed batch and fetch results that `parsed_tables` took."""
    retry = tables["retry"].to_pydict()
    batch = ParsedBatch(
        articles=[StoredArticle.model_validate_json(r) for r in tables["articles"].column("record").to_pylist()],
        unchanged=tables["unchanged"].column("url").to_pylist(),
        rejects=[Reject.model_validate_json(r) for r in tables["rejects"].column("record").to_pylist()],
        retry={url: (reason, after) for url, reason, after in zip(retry["url"], retry["reason"], retry["retry_after_s"], strict=True)},
    )
    return batch, _fetches_from(tables["fetches"])


_TEXTS_SCHEMA = pa.schema([("url", pa.string()), ("text_sha", pa.string()), ("title", pa.string()), ("record", pa.string())])
_FACTS_SCHEMA = pa.schema([("url", pa.string()), ("text_sha", pa.string()), ("error", pa.string()), ("record", pa.string())])


def texts_tables(texts: Sequence[ArticleText], hashes: Mapping[str, str]) -> dict[str, pa.Table]:
    """A texts batch: stored articles to analyse, each with its text's hash (`hashes`: URL -> hash)."""
    return {"texts": pa.table({"url": [t.url for t in texts], "text_sha": [hashes.get(t.url) for t in texts],
                               "title": [t.article.title for t in texts], "record": [t.model_dump_json() for t in texts]},
                              schema=_TEXTS_SCHEMA)}


def texts_from(tables: Mapping[str, pa.Table]) -> tuple[list[ArticleText], dict[str, str]]:
    """The texts of a texts batch and their hashes, as `texts_tables` took them."""
    table = tables["texts"]
    hashes = dict(zip(table.column("url").to_pylist(), table.column("text_sha").to_pylist(), strict=True))
    return [ArticleText.model_validate_json(r) for r in table.column("record").to_pylist()], hashes


def facts_tables(found: Sequence[ArticleFacts], hashes: Mapping[str, str]) -> dict[str, pa.Table]:
    """A facts batch: what a worker's analysis found, each with the hash of the text it read."""
    return {"facts": pa.table({"url": [f.url for f in found], "text_sha": [hashes.get(f.url) for f in found],
                               "error": [f.error for f in found], "record": [f.model_dump_json() for f in found]},
                              schema=_FACTS_SCHEMA)}


def facts_from(tables: Mapping[str, pa.Table]) -> tuple[list[ArticleFacts], dict[str, str]]:
    """The facts of a facts batch and the hashes of the texts they were made from (for `flows.analyze.store_facts`)."""
    table = tables["facts"]
    hashes = dict(zip(table.column("url").to_pylist(), table.column("text_sha").to_pylist(), strict=True))
    return [ArticleFacts.model_validate_json(r) for r in table.column("record").to_pylist()], hashes

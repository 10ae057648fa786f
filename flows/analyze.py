"""Stage 2 of a run, analysis: the entities, mentions, roles, credits and agreements of stored articles.

Stage 1 (`flows.ingest`) stores each article's text; an article then awaits analysis until its
facts are made by the current extractor version (`articles.analysis_version`). `newsflow ingest`
analyses every such article after storing its own (unless `--analysis later`), `newsflow analyze`
does it on its own schedule, and `newsflow reprocess` analyses each batch it parses again.

A batch is a list of article URLs. Its task reads their text from the warehouse, analyses it with
the plain function `extractors.analysis.analyze_texts` (ArticleText records in, ArticleFacts out,
in the worker pool), and loads the facts in one transaction. Texts and facts never pass through
Prefect: a task gets URLs and gives back counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors import EXTRACTOR_VERSION
from flows.faults import pause_point
from flows.parallel import analyze_some, parse_pool
from flows.runs import BATCH, chunks, now, recorded_run
from flows.summary import RunSummary
from schemas import ArticleFacts, ArticleText, Reject
from warehouse import facts, load, read
from warehouse.db import connect, transaction

POOL_CHUNK = 8  # articles per hand-over to a worker process


@dataclass
class AnalysisCounts:
    """What one analysis batch did."""

    analysed: int = 0
    failed: int = 0  # analyses that raised: the article keeps no facts, a reject says why
    changed_meanwhile: int = 0  # articles whose text another run changed (or removed) while this one analysed it: left for later

    def add_to(self, summary: RunSummary) -> None:
        summary.analysed += self.analysed
        summary.analysis_failed += self.failed
        summary.rejected += self.failed


def analyze_all(texts: Sequence[ArticleText]) -> list[ArticleFacts]:
    """The facts of these articles, in order: in the worker pool for a large batch, else in this process."""
    pool = parse_pool(len(texts))
    if pool is None:
        return analyze_some(list(texts))
    return [f for part in pool.map(analyze_some, chunks(texts, POOL_CHUNK)) for f in part]


def store_facts(db: str, run_id: str, found: list[ArticleFacts], hashes: dict[str, str]) -> AnalysisCounts:
    """Load the facts of one batch in one transaction, each only if its article's text is still the one
    analysed (`hashes`: URL -> `read.text_hashes` when it was read); a failed analysis becomes a reject."""
    counts = AnalysisCounts()
    with connect(db) as con, transaction(con):
        when = now()
        current = read.text_hashes(con, [f.url for f in found])
        valid = [f for f in found if f.url in current and current[f.url] == hashes.get(f.url)]
        counts.changed_meanwhile = len(found) - len(valid)
        failed = [f for f in valid if f.error]
        facts.save_facts(con, run_id, valid, when)
        pause_point("analysis")
        load.clear_rejects(con, [f.url for f in valid if not f.error], stage="analysis")
        load.save_rejects(con, run_id, [Reject(stage="analysis", reason=f.error or "", url=f.url) for f in failed], when)
    counts.analysed, counts.failed = len(valid), len(failed)
    return counts


@task(name="analyze-batch", cache_policy=NO_CACHE)
async def analyze_batch(db: str, run_id: str, urls: list[str]) -> AnalysisCounts:
    """Analyse the stored articles among these URLs (whatever their analysis version) and load their facts."""
    with connect(db) as con:
        texts = read.article_texts(con, urls)
        hashes = read.text_hashes(con, [t.url for t in texts])
    if not texts:
        return AnalysisCounts()
    return store_facts(db, run_id, analyze_all(texts), hashes)


async def analyze_stale(db: str, summary: RunSummary, limit: int | None = None, batch_size: int = BATCH) -> None:
    """Stage 2: analyse every article not analysed by this extractor version (at most `limit`, oldest
    first), batch by batch, and count what was done and what is left into `summary`."""
    with connect(db) as con:
        todo = read.unanalysed(con, EXTRACTOR_VERSION, limit)
    for urls in chunks(todo, batch_size):
        (await analyze_batch(db, summary.run_id, urls)).add_to(summary)
    count_left(db, summary)


def count_left(db: str, summary: RunSummary) -> None:
    """Put into `summary` how many articles still await analysis by this extractor version."""
    with connect(db) as con:
        summary.analysis_left, summary.to_reparse = read.unanalysed_counts(con, EXTRACTOR_VERSION)


@flow(name="analyze", log_prints=True)
async def analyze(db: str, limit: int | None = None, batch_size: int = BATCH) -> RunSummary:
    """Analyse the stored articles whose facts are missing or were made by another extractor version,
    at most `limit` of them (oldest first); returns the run's summary."""
    async with recorded_run(db, "analyze", newest=False) as summary:
        await analyze_stale(db, summary, limit, batch_size)
    return summary

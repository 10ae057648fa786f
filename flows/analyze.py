"""Stage 2 of a run, analysis: the entities, mentions, roles, credits and agreements of stored articles.

Stage 1 (`flows.ingest`) stores each article's text; an article then awaits analysis until its
facts are made by the current extractor version (`articles.analysis_version`). `newsflow ingest`
analyses every such article after storing its own (unless `--analysis later`), `newsflow analyze`
does it on its own schedule, and `newsflow reprocess` analyses each batch it parses again.

A batch is a list of article URLs. Its task reads their text from the warehouse, analyses it with
the plain function `extractors.analysis.analyze_texts` (ArticleText records in, ArticleFacts out)
in the worker pool, or on a Dask cluster's workers through the staging location
(`flows.cluster_batches`), and loads the facts in one transaction (`store_facts`). Texts and facts
never pass through Prefect: a task gets URLs and gives back counts.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors import EXTRACTOR_VERSION
from flows import cluster_batches, interrupt, overlap, progress
from flows.faults import pause_point
from flows.parallel import analyze_all, parse_pool
from flows.pipeline import or_stop
from flows.runs import BATCH, chunks, now, recorded_run
from flows.summary import RunSummary
from schemas import ArticleFacts, ArticleText, Reject
from warehouse import facts, load, read, repack
from warehouse.db import connect, transaction


@dataclass
class AnalysisCounts:
    """What one analysis batch did."""

    analysed: int = 0
    failed: int = 0  # analyses that raised: the article keeps no facts, a reject says why
    changed_meanwhile: int = 0  # articles whose text another run changed (or removed) while this one analysed it: left for later
    facts_changed: int = 0  # with `count_changes`: articles whose facts differ from those they had before

    def add_to(self, summary: RunSummary) -> None:
        summary.analysed += self.analysed
        summary.analysis_failed += self.failed
        summary.rejected += self.failed
        summary.facts_changed += self.facts_changed


def store_facts(db: str, run_id: str, found: list[ArticleFacts], hashes: dict[str, str], count_changes: bool = False) -> AnalysisCounts:
    """Load the facts of one batch in one transaction, each only if its article's text is still the one
    analysed (`hashes`: URL -> `read.text_hashes` when it was read); a failed analysis becomes a reject.
    `count_changes`: also count the articles whose facts this changed (`facts.digests`, a scan of the fact tables).
    Every few loads, the small row groups loads leave are merged after the commit (`warehouse.repack.after_load`)."""
    counts = AnalysisCounts()
    with connect(db) as con:
        with transaction(con):
            when = now()
            current = read.text_hashes(con, [f.url for f in found])
            valid = [f for f in found if f.url in current and current[f.url] == hashes.get(f.url)]
            counts.changed_meanwhile = len(found) - len(valid)
            failed = [f for f in valid if f.error]
            urls = [f.url for f in valid]
            before = facts.digests(con, urls) if count_changes else {}
            facts.save_facts(con, run_id, valid, when)
            pause_point("analysis")
            if count_changes:
                after = facts.digests(con, urls)
                counts.facts_changed = sum(1 for u in urls if after.get(u) != before.get(u))
            load.clear_rejects(con, [f.url for f in valid if not f.error], stage="analysis")
            load.save_rejects(con, run_id, [Reject(stage="analysis", reason=f.error or "", url=f.url) for f in failed], when)
        repack.after_load(con, db, stop=interrupt.requested)
    counts.analysed, counts.failed = len(valid), len(failed)
    return counts


@task(name="analyze-batch", cache_policy=NO_CACHE)
async def analyze_batch(db: str, run_id: str, urls: list[str], count_changes: bool = False) -> AnalysisCounts | None:
    """Analyse the stored articles among these URLs (whatever their analysis version) and load their facts;
    None when a stop request abandoned the batch before its load (its articles still await analysis).
    Its steps overlap those of the batches before and after it inside `flows.overlap.in_flight`."""
    texts, hashes = await overlap.blocking(_texts, db, urls)
    if not texts:
        return AnalysisCounts()
    try:
        found = await overlap.blocking(_analysed, texts, parse_pool(len(texts)))
    except interrupt.Interrupted:
        return None
    async with overlap.step("load"):
        return await overlap.blocking(store_facts, db, run_id, found, hashes, count_changes)


def _texts(db: str, urls: list[str]) -> tuple[list[ArticleText], dict[str, str]]:
    """The stored texts of these URLs, and their text hashes (`store_facts` loads facts only of texts unchanged since)."""
    with connect(db) as con:
        texts = read.article_texts(con, urls)
        return texts, read.text_hashes(con, [t.url for t in texts])


def _analysed(texts: list[ArticleText], pool: Executor | None) -> list[ArticleFacts]:
    """The facts of each text, in the pool's workers; `flows.interrupt.Interrupted` once a stop is requested."""
    found = []
    for f in or_stop(analyze_all(texts, pool)):
        found.append(f)
        progress.add(analysed=1)
    return found


async def analyze_stale(db: str, summary: RunSummary, limit: int | None = None, batch_size: int = BATCH,
                        staging: str | None = None) -> None:
    """Stage 2: analyse every article not analysed by this extractor version (at most `limit`, oldest
    first), batch by batch (on the flow's Dask cluster when it has one, through `staging`), and count what
    was done and what is left into `summary`."""
    with connect(db) as con:
        todo = read.unanalysed(con, EXTRACTOR_VERSION, limit)
    alone = summary.flow == "analyze"  # the run's progress counts articles to analyse, not pages
    if alone:
        await progress.begin(len(todo))
    if cluster_batches.on_cluster():
        await cluster_batches.analyze_on_cluster(db, summary, todo, staging, batch_size)
    else:
        async def settle(urls: list[str], counts: AnalysisCounts) -> None:
            counts.add_to(summary)
            if alone:
                await progress.settled(len(urls), 0, counts.failed)

        await overlap.in_flight(chunks(todo, batch_size), lambda urls: analyze_batch(db, summary.run_id, urls), settle)
    count_left(db, summary)


def count_left(db: str, summary: RunSummary) -> None:
    """Put into `summary` how many articles still await analysis by this extractor version."""
    with connect(db) as con:
        summary.analysis_left, summary.to_reparse = read.unanalysed_counts(con, EXTRACTOR_VERSION)


@flow(name="analyze", log_prints=True)
async def analyze(db: str, limit: int | None = None, batch_size: int = BATCH, staging: str | None = None) -> RunSummary:
    """Analyse the stored articles whose facts are missing or were made by another extractor version,
    at most `limit` of them (oldest first); returns the run's summary. `staging`: where batches for a
    Dask cluster are staged (`flows.cluster_batches`); batches an earlier run left there are loaded first."""
    async with recorded_run(db, "analyze", newest=False) as summary:
        if staging:
            cluster_batches.load_leftovers(db, summary, staging)
        await analyze_stale(db, summary, limit, batch_size, staging)
    return summary

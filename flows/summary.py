"""The run summary: what an ingest, analyze or reprocess run did, for the log, the artifact and the terminal."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path


def artifact_key(flow: str, db: str | Path) -> str:
    """The Prefect artifact key of a flow's summaries for one warehouse: "newsflow-ingest-demo-3f2a9c1b".

    Artifacts with one key form one timeline in the Prefect UI, so the key names the
    warehouse (its file name, and a hash of its full path for two files of one name).
    Prefect allows lower-case letters, digits and dashes.
    """
    path = Path(db).expanduser().resolve()
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40] or "warehouse"
    return f"newsflow-{flow}-{stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


@dataclass
class RunSummary:
    run_id: str
    flow: str
    feeds_read: int = 0  # feed documents fetched with a body
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    entries: int = 0  # distinct entry URLs seen in the feeds
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rejects recorded by this run, all stages
    to_retry: int = 0  # of those, fetch failures that may pass: a later run tries them again
    same_page: int = 0  # entries whose page is another entry's article (a redirect, the same canonical page)
    facts_changed: int = 0  # reprocess: articles whose entities, mentions, roles or agreements changed
    analysed: int = 0  # articles whose facts this run's analysis made
    analysis_failed: int = 0  # of those, articles whose analysis failed (a reject says why)
    analysis_left: int = 0  # articles not analysed by this extractor version when the run ended (`newsflow analyze`)
    to_reparse: int = 0  # of the articles not analysed, those stored before their whole text was kept (`newsflow reprocess`)
    staged_loaded: int = 0  # staged batches an earlier run left unloaded, loaded by this one first
    cluster: dict = field(default_factory=dict)  # a run on a Dask cluster: flows.cluster_batches.ClusterWork (stage 1)
    cluster_analysis: dict = field(default_factory=dict)  # the same for its analysis batches (stage 2)
    seconds: float = 0.0
    newest: list[tuple[str, str | None]] = field(default_factory=list)  # (title, date)
    interrupted: bool = False  # stopped by a signal (Ctrl-C, SIGTERM) before its pages were done
    pages_left: int | None = None  # of an interrupted run: pages it did not commit (None: stopped before it knew its pages)

    def as_dict(self) -> dict:
        return asdict(self)

    def interrupted_line(self) -> str:
        """What an interrupted run kept, in one line: "interrupted: 400 articles loaded, 1,600 pages left for the next run"."""
        loaded = self.new + self.updated
        if self.flow == "analyze":
            return f"interrupted: {self.analysed:,} articles analysed; the next analyze takes up the rest"
        if self.flow == "reprocess":
            left = "" if self.pages_left is None else f", {self.pages_left:,} pages not reached"
            return f"interrupted: {loaded + self.unchanged:,} articles reprocessed{left}; the next reprocess goes through them all"
        if self.pages_left is None:
            return "interrupted while reading the feeds: nothing loaded; the next run reads them again"
        return f"interrupted: {loaded:,} articles loaded, {self.pages_left:,} pages left for the next run"

    def analysis_line(self) -> str:
        """What the analysis stage did and what it left: "analysis: 6 articles analysed, 0 failed; 120 left for `newsflow analyze`"."""
        line = f"analysis: {self.analysed} articles analysed, {self.analysis_failed} failed"
        if self.analysis_left:
            line += f"; {self.analysis_left} left for `newsflow analyze`"
        if self.to_reparse:
            line += f"; {self.to_reparse} stored by an older newsflow need `newsflow reprocess`"
        return line

    def lines(self) -> list[str]:
        out = [f"{self.flow} run {self.run_id} in {self.seconds:.1f} s" + (" (interrupted)" if self.interrupted else "")]
        if self.flow != "analyze":
            out += [
                f"feeds:    {self.feeds_read} read, {self.feeds_not_modified} not modified, {self.feeds_failed} failed"
                + (f"; {self.entries} entries" if self.flow == "ingest" else ""),
                f"articles: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.rejected} rejected"
                + (f" ({self.to_retry} to retry later)" if self.to_retry else "")
                + (f"; {self.same_page} {'entry was' if self.same_page == 1 else 'entries were'} the page of another" if self.same_page else "")
                + (f"; facts changed in {self.facts_changed}" if self.flow == "reprocess" else ""),
            ]
        out.append(self.analysis_line())
        if self.staged_loaded:
            many = self.staged_loaded != 1
            out.append(f"staged:   {self.staged_loaded} batch{'es' if many else ''} an earlier run left {'were' if many else 'was'} loaded first")
        for label, c, unit, again, read in (("cluster: ", self.cluster, "page", "their URLs come back next run", "fetch"),
                                             ("analysis on the cluster:", self.cluster_analysis, "article",
                                              "their articles still await analysis", "read")):
            if c:
                out.append(
                    f"{label} {c['batches']} batches on {c['workers']} workers"
                    + (f", {c['failed']} failed ({again})" if c["failed"] else "")
                    + f"; coordinator CPU {c['cpu_ms']} ms/{unit} ({read} {c['fetch_ms']}, staging {c['stage_ms']}, load {c['load_ms']});"
                    + f" warehouse held {c['load_wall_ms']} ms/{unit}"
                )
        if self.newest:
            out.append("newest:")
            out += [f"  {date or '----------'}  {title or '(untitled)'}" for title, date in self.newest]
        return out

    def markdown(self) -> str:
        rows = "\n".join(f"| {date or ''} | {title or ''} |" for title, date in self.newest)
        return (
            f"### newsflow {self.flow} `{self.run_id}`" + (" (interrupted)" if self.interrupted else "") + "\n\n"
            "| feeds read | not modified | failed | new | updated | unchanged | rejected | analysed | analysis failed "
            "| left to analyse | seconds |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n"
            f"| {self.feeds_read} | {self.feeds_not_modified} | {self.feeds_failed} | {self.new} | {self.updated} "
            f"| {self.unchanged} | {self.rejected} | {self.analysed} | {self.analysis_failed} | {self.analysis_left} | {self.seconds:.1f} |\n\n"
            + (f"**Newest**\n\n| date | title |\n|---|---|\n{rows}\n" if rows else "")
        )

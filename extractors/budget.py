"""How much of one article the analysis reads: a length budget and a time budget.

Entities and agreements cost time linear in the text they read, so a length budget
bounds the time of every page; the time budget is the guard for what the length budget
cannot foresee (a machine under load, a pathological sentence). Past either, only a
stated part is analysed and the article says so (a line in `Article.warnings`, which the
warehouse keeps with the article); nothing hangs.
The figures are data: `schemas/reference/analysis_budget.tsv`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

from extractors.sentences import split_spans
from schemas.article import PARAGRAPH_BREAK, Article
from schemas.reference import rows

LIMITED = "analysis limited: "  # how the warning line of a partly analysed article begins


@dataclass(frozen=True)
class AnalysisLimit:
    """Why an article was analysed only in part: entities and agreements were read from the first
    `analysed_chars` characters of its body (and the title and the captions that fit)."""

    reason: str  # one line, as it goes into `Article.warnings`
    analysed_chars: int


@dataclass(frozen=True)
class Budget:
    max_chars: int  # characters of title, body and captions analysed
    max_sentence_chars: int  # longer "sentences" are not read for agreements
    seconds: float  # wall-clock seconds for one article's analysis


@cache
def default_budget() -> Budget:
    """The budget of `analysis_budget.tsv`."""
    figures = dict(rows("analysis_budget.tsv", 2))
    return Budget(int(figures["max_chars"]), int(figures["max_sentence_chars"]), float(figures["seconds"]))


class Clock:
    """The deadline of one article's analysis; readers that stop early say where."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.stopped: str | None = None  # what was left unread when the deadline passed

    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def stop(self, what: str) -> None:
        self.stopped = self.stopped or what


def _cut(text: str, room: int) -> str:
    """The longest prefix of `text` within `room` characters that ends at a sentence end (`extractors.sentences`),
    else at a space."""
    end = max((e for _, e in split_spans(text) if e <= room), default=0)
    if end > 0:
        return text[:end]
    head = text[:room]
    space = head.rfind(" ")
    return head[:space] if space > 0 else head


def also_limited(limit: AnalysisLimit | None, reason: str, analysed_chars: int) -> AnalysisLimit:
    """`limit` with one more reason (without its LIMITED prefix), or a limit of `reason` alone."""
    line = f"{LIMITED}{reason}"
    if limit is None:
        return AnalysisLimit(reason=line, analysed_chars=analysed_chars)
    return AnalysisLimit(reason=f"{limit.reason}; {reason}", analysed_chars=min(limit.analysed_chars, analysed_chars))


def within_budget(article: Article, budget: Budget) -> tuple[Article, AnalysisLimit | None]:
    """The part of `article` the analysis reads: the title, then paragraphs, then captions, while they fit
    in `budget.max_chars`; a paragraph that does not fit is cut at a sentence end. Spans found in the part
    are spans of the whole article (the part is a prefix of the body). The limit is None when all fits."""
    title = article.title or ""
    total = len(title) + len(article.body) + sum(len(c) for c in article.captions)
    if total <= budget.max_chars:
        return article, None
    room = budget.max_chars - len(title)
    paragraphs = []
    for p in article.paragraphs:
        if len(p) > room:
            if cut := _cut(p, room):
                paragraphs.append(cut)
            room = 0
            break
        paragraphs.append(p)
        room -= len(p) + len(PARAGRAPH_BREAK)
    captions = []
    for c in article.captions:
        if len(c) > room:
            break
        captions.append(c)
        room -= len(c)
    kept = len(PARAGRAPH_BREAK.join(paragraphs))
    part = article.model_copy(update={"paragraphs": paragraphs, "captions": captions,
                                      "edits": [e for e in article.edits if e.end <= kept]})
    limit = AnalysisLimit(
        reason=f"{LIMITED}text of {total:,} characters is over the budget of {budget.max_chars:,}: entities and "
               f"agreements were read from the first {kept:,} characters of the body and {len(captions)} of "
               f"{len(article.captions)} captions", analysed_chars=kept)
    return part, limit

"""Everything extraction finds in one page: the article, its entities, then the agreements between them.

The one path from fetched bytes to records, shared by ingest, reprocess and `newsflow extract`.
Every article is analysed within a budget of length and time (`extractors/budget.py`): a page
past it is analysed in part and says so in `Article.warnings`, never left to hang a run.
"""

from __future__ import annotations

import datetime as dt

from extractors.agreements import extract_agreements
from extractors.budget import AnalysisLimit, Budget, Clock, default_budget, within_budget
from extractors.entities import extract_entities
from extractors.page import parse_page
from schemas import Agreement, Article, Entity


def analyze(article: Article, budget: Budget | None = None) -> tuple[list[Entity], list[Agreement], AnalysisLimit | None]:
    """Entities and agreements of the part of `article` within `budget` (default: the reference budget),
    and the limit that applied, if any."""
    budget = budget or default_budget()
    clock = Clock(budget.seconds)
    part, limit = within_budget(article, budget)
    entities = extract_entities(part)
    agreements = extract_agreements(part, entities, clock, budget.max_sentence_chars)
    if clock.stopped:
        reason = f"analysis limited: stopped after its time budget of {budget.seconds:g} s: {clock.stopped}"
        limit = AnalysisLimit(reason=f"{limit.reason}; {reason.removeprefix('analysis limited: ')}" if limit else reason,
                              analysed_chars=limit.analysed_chars if limit else len(part.body))
    return entities, agreements, limit


def read_page(
    body: bytes, content_type: str | None = None, url: str | None = None, reference_date: dt.date | None = None
) -> tuple[Article, list[Entity], list[Agreement]]:
    """Parse a page or text once and analyze it; raises `UnusableDocument` with the reject reason.
    An article analysed only in part carries the reason among its `warnings`."""
    article = parse_page(body, content_type, url, reference_date)
    entities, agreements, limit = analyze(article)
    if limit:
        article.warnings.append(limit.reason)
    return article, entities, agreements

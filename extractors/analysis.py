"""Everything extraction finds in one page: the article, its entities, then the agreements between them.

`analyze` is the one analysis of an article, shared by ingest, reprocess, `newsflow analyze` and
`newsflow extract`: `read_page` parses and analyses a page at once (extract), `analyze_texts` analyses
a batch of stored articles (stage 2 of a run) and returns their facts as records to load.
Every article is analysed within a budget of length and time (`extractors/budget.py`): a page
past it is analysed in part and says so in `Article.warnings`, never left to hang a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from extractors.agreements import extract_agreements
from extractors.budget import AnalysisLimit, Budget, Clock, also_limited, default_budget, within_budget
from extractors.entities import extract_entities
from extractors.entities.nlp import ner_reads
from extractors.page import parse_page
from extractors.records import article_facts, warnings_after
from extractors.version import extractor_version
from schemas import Agreement, Article, ArticleFacts, ArticleText, Entity


def analyze(article: Article, budget: Budget | None = None) -> tuple[list[Entity], list[Agreement], AnalysisLimit | None]:
    """Entities and agreements of the part of `article` within `budget` (default: the reference budget),
    and the limit that applied, if any: the budget, or a page in a language the entity model does not read
    (`extractors.entities.nlp.ner_reads`), which gets no NER at all."""
    budget = budget or default_budget()
    clock = Clock(budget.seconds)
    part, limit = within_budget(article, budget)
    entities = extract_entities(part)
    agreements = extract_agreements(part, entities, clock, budget.max_sentence_chars)
    if clock.stopped:
        limit = also_limited(limit, f"stopped after its time budget of {budget.seconds:g} s: {clock.stopped}", len(part.body))
    if not ner_reads(article.language):
        limit = also_limited(limit, f"the page is in {article.language!r} and the entity model reads English only: no NER, "
                                    "entities are the reference names (countries, places, known organizations) found", len(part.body))
    return entities, agreements, limit


def read_page(
    body: bytes, content_type: str | None = None, url: str | None = None, reference_date: dt.date | None = None
) -> tuple[Article, list[Entity], list[Agreement]]:
    """Parse a page or text once and analyze it; raises `UnusableDocument` with the reject reason.
    An article analysed only in part carries the reason among its `warnings`."""
    article = parse_page(body, content_type, url, reference_date)
    entities, agreements, limit = analyze(article)
    article.warnings = warnings_after(article.warnings, limit)
    return article, entities, agreements


def analyze_text(text: ArticleText) -> ArticleFacts:
    """Stage 2 for one stored article: its facts, decided (`extractors.records.article_facts`), made
    by this process's extractor version."""
    entities, agreements, limit = analyze(text.article)
    return article_facts(text, entities, agreements, limit, extractor_version())


def analyze_texts(texts: Iterable[ArticleText]) -> list[ArticleFacts]:
    """Stage 2 for a batch: the facts of each article, in order; no I/O, so it runs wherever the records go
    (a worker process, another machine). An article whose analysis raises (a bug in an extractor) costs
    itself only: its `ArticleFacts` has no facts and says why in `error`."""
    out = []
    for text in texts:
        try:
            out.append(analyze_text(text))
        except Exception as e:  # a bug must cost one article, not the batch
            out.append(ArticleFacts(url=text.url, extractor_version=extractor_version(), warnings=text.article.warnings,
                                    error=f"analysis error: {type(e).__name__}: {e}"))
    return out

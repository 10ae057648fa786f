"""Everything extraction finds in one page: the article, its entities, then the agreements between them.

The one path from fetched bytes to records, shared by ingest, reprocess and `newsflow extract`.
"""

from __future__ import annotations

import datetime as dt

from extractors.agreements import extract_agreements
from extractors.entities import extract_entities
from extractors.page import parse_page
from schemas import Agreement, Article, Entity


def analyze(article: Article) -> tuple[list[Entity], list[Agreement]]:
    entities = extract_entities(article)
    return entities, extract_agreements(article, entities)


def read_page(
    body: bytes, content_type: str | None = None, url: str | None = None, reference_date: dt.date | None = None
) -> tuple[Article, list[Entity], list[Agreement]]:
    """Parse a page or text once and analyze it; raises `UnusableDocument` with the reject reason."""
    article = parse_page(body, content_type, url, reference_date)
    return (article, *analyze(article))

"""Everything extraction finds in one article: its entities, then the agreements between them."""

from __future__ import annotations

from extractors.agreements import extract_agreements
from extractors.entities import extract_entities
from schemas import Agreement, Article, Entity


def analyze(article: Article) -> tuple[list[Entity], list[Agreement]]:
    entities = extract_entities(article)
    return entities, extract_agreements(article, entities)

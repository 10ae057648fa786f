"""The records between the two stages of a run: an article's text as stored, and the facts its analysis found.

Stage 1 (fetch, parse, load) stores the text of each article; stage 2 (analysis) reads it back as an
`ArticleText` and returns an `ArticleFacts`, which the warehouse loads as it is. Both are plain
records, so a batch of them can travel to another process or machine and back (a Dask worker, a
Parquet file) without the warehouse.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from schemas.agreements import Agreement
from schemas.article import Article
from schemas.entities import Entity, Span

CreditRole = Literal["reporter", "photographer", "editor"]


class ArticleText(BaseModel):
    """An article as the warehouse stores it, for analysis: its key (`url`, the canonical entry URL) and
    its parse, with every field the analysis reads (title, blocks, byline, dateline, edits, dates)."""

    url: str
    article: Article


class Role(BaseModel):
    """A post a person holds, as the article reports it on its date (`observed_on`)."""

    person_id: str  # the person's `Entity.id` in the same `ArticleFacts`
    title: str
    organization: str | None = None  # as the article names it
    organization_id: str | None = None  # the organization's `Entity.id` in the same `ArticleFacts`, when it is one
    observed_on: dt.date | None = None  # the date the page gives itself, in its own time zone
    evidence: Span | None = None


class Credit(BaseModel):
    """A reporter, photographer or editor of the article: credited, never an actor in the story."""

    entity_id: str  # the person's (or agency's) `Entity.id` in the same `ArticleFacts`
    name: str
    role: CreditRole


class ArticleFacts(BaseModel):
    """Everything analysis found in one article, decided and ready to load.

    Every entity has an `id`, collective parties ("15 central enterprises") included; roles, credits and
    agreement parties point at those ids (`Party.entity_id` is None only for a party that names no entity
    of the article). `warnings` are the article's warnings after analysis: the parse's, and the line that
    says the analysis read only part of it. `error`, when set, is why the analysis failed (a bug in an
    extractor): such an article keeps no facts, and a reject says why.
    """

    url: str
    extractor_version: str
    entities: list[Entity] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    credits: list[Credit] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None

"""Entities found in one article: who and what it names, where, and in which role.

Spans point into the text as published: `Article.body` for block "body" (the clean
text is only used for recognition; offsets are mapped back through the edits), or
`Article.captions[index]` / `Article.credits[index]` / `Article.title`, `Article.byline[index]`,
`Article.dateline.raw` or `Article.end_markers[index]`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EntityKind = Literal["person", "organization", "place", "collective"]
OrgKind = Literal["government", "company", "soe", "party", "ngo", "media", "other"]
Block = Literal["title", "body", "caption", "credit", "byline", "dateline", "end_marker"]
MentionRole = Literal["actor", "credit", "dateline"]  # credits and datelines are never actors
AliasKind = Literal["name", "abbreviation", "spelling_variant", "short_form", "description"]


class Span(BaseModel):
    """A stretch of published text: which block, which item of it, and character offsets."""

    block: Block
    index: int = 0
    start: int
    end: int


class Mention(BaseModel):
    surface: str
    span: Span
    sentence: str  # the sentence (or caption) the mention stands in, as published
    role: MentionRole = "actor"
    resolved_by: str = "exact"  # exact | abbreviation | short_form | description | spelling_variant


class Alias(BaseModel):
    text: str
    kind: AliasKind


class Title(BaseModel):
    """A post a person holds, as stated: "Secretary of the Party Committee" at an organization."""

    title: str
    organization: str | None = None  # the resolved organization's (or country's) name
    organization_id: str | None = None  # that organization's `Entity.id` in the same article
    evidence: Span | None = None


class Entity(BaseModel):
    """One real-world person, organization, place or collective, resolved within the article."""

    id: str | None = None  # article-local identity ("e1", "e2", ...): titles and agreement parties point at it
    kind: EntityKind
    name: str  # the fullest form the article uses
    aliases: list[Alias] = Field(default_factory=list)
    org_kind: OrgKind | None = None
    titles: list[Title] = Field(default_factory=list)
    credit: Literal["reporter", "photographer", "editor"] | None = None  # a credit of the article, not an actor
    count: int | None = None  # collectives: "15 central enterprises"
    mentions: list[Mention] = Field(default_factory=list)

    @property
    def alias_texts(self) -> list[str]:
        return [a.text for a in self.aliases]

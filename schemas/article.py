"""The parsed article: what `extractors.article` returns and `warehouse` stores."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

PARAGRAPH_BREAK = "\n\n"  # `Article.body` is the paragraphs joined by a blank line; extractors.sentences maps offsets


class Dateline(BaseModel):
    """The lead's "AGENCY, Place, Month Day (Reporters)" or "PLACE, Date (Agency) --"."""

    agency: str | None = None
    place: str | None = None
    date: dt.date | None = None
    raw: str = ""


class TextEdit(BaseModel):
    """One cleaning edit: `body[start:end]` as published reads `replacement` in the clean text."""

    start: int
    end: int
    replacement: str
    kind: Literal["stutter"] = "stutter"


class Article(BaseModel):
    """One article as parsed from a page or a text file.

    `paragraphs` is the clean body; captions, credits, bylines, datelines and end
    markers are split out of it so that nothing downstream mistakes them for story text.
    `warnings` are one-line notes on what the parse had to repair or guess (bytes replaced
    with U+FFFD, an ambiguous time zone), so nothing is stored silently.
    """

    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    paragraphs: list[str] = Field(default_factory=list)
    captions: list[str] = Field(default_factory=list)
    credits: list[str] = Field(default_factory=list)
    byline: list[str] = Field(default_factory=list)
    dateline: Dateline | None = None
    end_markers: list[str] = Field(default_factory=list)
    edits: list[TextEdit] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # what parsing had to guess or repair: a charset, a zone

    @property
    def body(self) -> str:
        """The story text as published: paragraphs joined by blank lines."""
        return PARAGRAPH_BREAK.join(self.paragraphs)

    @property
    def clean_body(self) -> str:
        """`body` with the cleaning `edits` applied (machine-translation stutter collapsed)."""
        text, out, pos = self.body, [], 0
        for e in sorted(self.edits, key=lambda e: e.start):
            out += [text[pos : e.start], e.replacement]
            pos = e.end
        return "".join(out) + text[pos:]


PublishedSource = Literal["page", "feed", "dateline"]


class StoredArticle(BaseModel):
    """An article ready for the warehouse (stage 1: its text, no analysis): the parse, where it came
    from, and its publication date as decided (`extractors.records.published`): the page's, else the
    feed entry's, else the dateline's, with which one it is in `published_source`."""

    url: str
    raw_sha256: str
    article: Article
    feed_url: str | None = None
    final_url: str | None = None
    published_at: dt.datetime | None = None
    published_source: PublishedSource | None = None

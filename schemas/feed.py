"""Feed documents and their entries (RSS, Atom, JSON Feed, sitemaps, OPML)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

FeedKind = Literal["rss", "atom", "json", "sitemap", "sitemap_index", "opml"]


class FeedEntry(BaseModel):
    """An entry as the feed gives it; `url` is canonicalized, `link` is as written."""

    url: str
    link: str
    title: str | None = None
    published_at: dt.datetime | None = None
    guid: str | None = None


class BadEntry(BaseModel):
    """An entry whose link cannot be fetched (javascript:, file:, mailto:, ...)."""

    link: str
    reason: str


class ParsedFeed(BaseModel):
    """One feed document. `feeds` holds further feed URLs (OPML, sitemap index); `next_url` the rel=next page."""

    kind: FeedKind
    title: str | None = None
    entries: list[FeedEntry] = Field(default_factory=list)
    bad_entries: list[BadEntry] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    next_url: str | None = None
    warning: str | None = None
    truncated: bool = False


class FeedState(BaseModel):
    """What the warehouse remembers of one feed URL between polls (conditional GET)."""

    url: str
    name: str
    kind: FeedKind | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: dt.datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    raw_sha256: str | None = None

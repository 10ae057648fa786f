"""The texts of an article that entities are read from, and the offset map back to them.

Recognition runs on the clean text (stutter collapsed, so "State-owned State-owned
State-owned" cannot become three organizations), but every span is reported in the text
as published; the cleaning edits say how the two line up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.article import Article, TextEdit


@dataclass
class Unit:
    """One block of an article: its published text, its clean text and the edits between them."""

    block: str  # title | body | caption
    index: int
    published: str
    clean: str
    edits: list[TextEdit] = field(default_factory=list)

    def to_published(self, start: int, end: int) -> tuple[int, int]:
        """Clean offsets to published ones; a span touching a collapsed stutter covers all of it."""
        return self._map(start, False), self._map(end, True)

    def _map(self, c: int, is_end: bool) -> int:
        shift = 0
        for e in self.edits:
            cs = e.start - shift
            ce = cs + len(e.replacement)
            if c <= cs:
                return c + shift
            if c < ce:
                return e.end if is_end else e.start
            shift += (e.end - e.start) - len(e.replacement)
        return c + shift


def article_units(article: Article) -> list[Unit]:
    """Title, body and captions: the blocks read by the tagger. A shouted title is left out (no
    case, no names to read); credits, bylines and datelines are read by rule, not by the tagger."""
    units = []
    if article.title and not article.title.isupper():
        units.append(Unit("title", 0, article.title, article.title))
    if article.paragraphs:
        edits = sorted(article.edits, key=lambda e: e.start)
        units.append(Unit("body", 0, article.body, article.clean_body, edits))
    units += [Unit("caption", i, c, c) for i, c in enumerate(article.captions)]
    return units

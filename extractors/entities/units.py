"""The texts of an article that entities are read from, and the offset map back to them.

Recognition runs on the clean text (stutter collapsed, so "State-owned State-owned
State-owned" cannot become three organizations), but every span is reported in the text
as published; the cleaning edits say how the two line up.
"""

from __future__ import annotations

from bisect import bisect_right
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
    _edges: list[int] | None = field(default=None, init=False, repr=False, compare=False)
    _shifts: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    def to_published(self, start: int, end: int) -> tuple[int, int]:
        """Clean offsets to published ones; a span touching a collapsed stutter covers all of it."""
        return self._map(start, False), self._map(end, True)

    def _map(self, c: int, is_end: bool) -> int:
        edges = self._edges if self._edges is not None else self._index_edits()
        k = bisect_right(edges, c)  # the first edit that `c` is before or inside
        if k == len(self.edits):
            return c + self._shifts[k]
        e = self.edits[k]
        if c <= e.start - self._shifts[k]:
            return c + self._shifts[k]
        return e.end if is_end else e.start

    def _index_edits(self) -> list[int]:
        """For each edit (in order, never overlapping): the clean offset up to which a position is before or
        inside it, and the shift of published against clean offsets before it (and after the last)."""
        shift, edges, self._shifts = 0, [], []
        for e in self.edits:
            cs = e.start - shift
            edges.append(max(cs + 1, cs + len(e.replacement)))  # c < this: before or inside the edit
            self._shifts.append(shift)
            shift += (e.end - e.start) - len(e.replacement)
        self._shifts.append(shift)
        self._edges = edges
        return edges


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

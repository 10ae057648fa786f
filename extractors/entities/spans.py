"""The mentions of one text, sorted by start, with lookups by position that cost the mentions near it.

Rules that read around one mention ("the organization right after this title", "is this word
inside a name?") asked every mention of the text in turn: on a long article that is the
number of mentions squared. A mention covering a position starts at most the longest
mention's length before it, so a lookup only visits the mentions starting in that stretch.
Every lookup yields mentions in the order of the sorted list (by start, ties in the order
given), as a scan of the whole list would.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import Generic, Protocol, TypeVar


class _Span(Protocol):
    start: int
    end: int


T = TypeVar("T", bound=_Span)


class Spans(Generic[T]):
    """Mentions (anything with `start` and `end` offsets, end after start) sorted by start."""

    def __init__(self, items: Sequence[T]):
        self.items: list[T] = sorted(items, key=lambda c: c.start)
        self._starts = [c.start for c in self.items]
        self._longest = max((c.end - c.start for c in self.items), default=0)
        self._by_end = sorted(range(len(self.items)), key=lambda k: self.items[k].end)
        self._ends = [self.items[k].end for k in self._by_end]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def _range(self, lo: int, hi: int) -> list[T]:
        """The mentions whose start is in [lo, hi)."""
        return self.items[bisect_left(self._starts, lo):bisect_left(self._starts, hi)]

    def starting_at(self, pos: int) -> list[T]:
        """Mentions with start == pos."""
        return self._range(pos, pos + 1)

    def covering(self, pos: int) -> list[T]:
        """Mentions with start <= pos < end."""
        return [c for c in self._range(pos - self._longest + 1, pos + 1) if pos < c.end]

    def around(self, pos: int) -> list[T]:
        """Mentions with start < pos < end (`pos` strictly inside)."""
        return [c for c in self._range(pos - self._longest + 1, pos) if pos < c.end]

    def within(self, start: int, end: int) -> list[T]:
        """Mentions with start <= c.start and c.end <= end."""
        return [c for c in self._range(start, end + 1) if c.end <= end]

    def overlapping(self, start: int, end: int) -> list[T]:
        """Mentions with c.start < end and start < c.end."""
        return [c for c in self._range(start - self._longest + 1, end) if start < c.end]

    def ending_in(self, lo: int, hi: int) -> list[T]:
        """Mentions with lo <= end <= hi."""
        found = self._by_end[bisect_left(self._ends, lo):bisect_right(self._ends, hi)]
        return [self.items[k] for k in sorted(found)]

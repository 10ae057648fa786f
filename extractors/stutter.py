"""Machine-translation stutter: the same words emitted twice or more in a row.

MT systems repeat a phrase ("State-owned State-owned State-owned Enterprises",
"with high standards and high standards"); the repeat creates bogus entity names.
English also doubles words on purpose ("had had", "bye bye", "very very"), so only
content words are collapsed, and the edit keeps the offsets of the text as published.
"""

from __future__ import annotations

import re

from schemas.article import TextEdit
from schemas.reference import limit, word_lists

Token = tuple[int, int, str]  # start, end, lower-case word

_TOKEN = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?")
# Doubled on purpose in ordinary English, or reduplicated names; never collapsed alone (text_words.tsv).
_KEEP = frozenset(word_lists("text_words.tsv")["doubled"])
_MIN_SINGLE = limit("stutter_single_min_chars")  # "Li Li" is a name, "ha ha" a laugh
_MAX_N = limit("stutter_max_words")


def _is_content(word: str) -> bool:
    return word.lower() not in _KEEP and not any(c.isdigit() for c in word)


def _collapsible(words: list[str]) -> bool:
    """A repeated unit is collapsed when it carries content; a lone word must also be long or hyphenated."""
    if len(words) > 1:
        return any(_is_content(w) for w in words)
    return _is_content(words[0]) and ("-" in words[0] or len(words[0]) >= _MIN_SINGLE)


def find_stutters(text: str, offset: int = 0) -> list[TextEdit]:
    """Stutter edits in `text`; spans cover the whole repetition, shifted by `offset`."""
    toks = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    words = [w for _, _, w in toks]
    edits: list[TextEdit] = []
    i = 0
    while i < len(toks):
        end = None
        if words[i] not in words[i + 1 : i + _MAX_N + 2]:
            i += 1  # the word does not come back where a repeat of any unit starting here would start
            continue
        for n in range(min(_MAX_N, len(toks) - i), 0, -1):
            if not _may_repeat(toks, i, n):
                continue
            if not _tight(text, toks, i, n) or not _collapsible([text[s:e] for s, e, _ in toks[i : i + n]]):
                continue
            end = _repeats(text, toks, i, n) or (_and_repeat(text, toks, i, n) if n >= 2 else None)
            if end:
                start = toks[i][0]
                edits.append(TextEdit(start=start + offset, end=toks[end - 1][1] + offset,
                                      replacement=text[start : toks[i + n - 1][1]]))
                break
        i = end or i + 1
    return edits


def _may_repeat(toks: list[Token], i: int, n: int) -> bool:
    """Cheap test that the unit's first word comes back where a repeat ("U U" or "U and U") would start."""
    word = toks[i][2]
    nxt = toks[i + n][2] if i + n < len(toks) else None
    return nxt == word or n > 1 and nxt == "and" and i + n + 1 < len(toks) and toks[i + n + 1][2] == word


def _tight(text: str, toks: list[Token], i: int, n: int) -> bool:
    """Tokens i .. i+n-1 are separated by whitespace only (no punctuation breaks the unit)."""
    return all(not text[toks[k][1] : toks[k + 1][0]].strip() for k in range(i, i + n - 1))


def _same(toks: list[Token], i: int, j: int, n: int) -> bool:
    return j + n <= len(toks) and all(toks[i + k][2] == toks[j + k][2] for k in range(n))


def _repeats(text: str, toks: list[Token], i: int, n: int) -> int | None:
    """End token index of "U U [U ...]" starting at i, for a unit U of n tokens."""
    j = i + n
    while _same(toks, i, j, n) and _tight(text, toks, j - 1, n + 1):
        j += n
    return j if j > i + n else None


def _and_repeat(text: str, toks: list[Token], i: int, n: int) -> int | None:
    """End token index of "U and U" (an MT stutter only for multi-word units)."""
    j = i + n + 1
    if i + n < len(toks) and toks[i + n][2] == "and" and _same(toks, i, j, n) and _tight(text, toks, i, 2 * n + 1):
        return j + n
    return None

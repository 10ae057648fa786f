"""Patterns anchored at the end of a prefix of a long text, read from its last words only.

`pattern.search(text[:end])` for a pattern ending in `$` copies the prefix and tries every
position of it: called once per mention on a 100,000-character article body, that made
resolution cost the length of the text times the number of mentions. A pattern whose
matches span at most `words` whitespace-separated words (and the spaces around them) can
only start within those last words, so searching from there finds the same match.
"""

from __future__ import annotations

import re


def words_back(text: str, end: int, words: int) -> int:
    """Where the last `words` runs of non-space characters before `end` start (the spaces after
    each are included); 0 when the text before `end` holds fewer."""
    i = end
    for _ in range(words):
        while i > 0 and text[i - 1].isspace():  # str.isspace is exactly re's \s on str
            i -= 1
        while i > 0 and not text[i - 1].isspace():
            i -= 1
    return i


def search_before(pattern: re.Pattern[str], text: str, end: int, words: int) -> re.Match[str] | None:
    """`pattern.search(text[:end])`, in offsets of `text`, for a `$`-anchored pattern whose matches span at
    most `words` words: searched from the start of the last `words` words only. `\\b` and look-behinds still
    see the character before that start, as they do in the prefix."""
    return pattern.search(text, words_back(text, end, words), max(end, 0))

"""Numbers written as words, once: counts of collective parties ("fifteen central enterprises",
"twenty-one companies") and terms of agreements ("a ten-year contract"). The words and their
values are data: `schemas/reference/number_words.tsv`."""

from __future__ import annotations

from schemas.reference import rows

NUMBER_WORDS: dict[str, int] = {word: int(value) for word, value in rows("number_words.tsv", 2)}
_UNITS = [w for w, v in NUMBER_WORDS.items() if 1 <= v <= 9]
# A number word, or a compound of tens and a unit ("twenty-one"); a regex, for case-insensitive use.
NUMBER_WORD = ("(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")(?:-(?:" + "|".join(_UNITS) + "))?")


def number_value(text: str) -> int | None:
    """The value of "15", "1,200", "fifteen" or "twenty-one" (any case); None for anything else."""
    t = text.lower().replace(",", "")
    if t.isdigit():
        return int(t)
    parts = t.split("-")
    if all(p in NUMBER_WORDS for p in parts):
        return sum(NUMBER_WORDS[p] for p in parts)
    return None

"""The language of a story whose page does not declare it (no `lang` attribute, no Content-Language).

Pure: text in, an ISO 639-1 code or None out. The data is `schemas/reference/language_words.tsv`
(scripts, and each language's common function words) and the `language_*` rows of `thresholds.tsv`.

A text written mostly in one script that only some languages use (kana, Hangul, Han, Cyrillic,
Arabic, ...) is that script's language; a text in Latin letters is the language whose function
words make the largest share of its words, when that share is high enough and clearly above the
next language's. Anything less certain (short texts, mixed languages) is None: no language is
better than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from schemas.reference import limit, rows, thresholds

_WORD = re.compile(r"[^\W\d_]+")  # a run of letters
_SAMPLE_CHARS = 5000  # characters of the story read: plenty for a language, bounded for long pages


@cache
def _scripts() -> list[tuple[str, re.Pattern[str], float]]:
    return [(lang, re.compile(f"[{what}]"), float(share)) for lang, kind, what, share in rows("language_words.tsv", 4) if kind == "script"]


@cache
def _words() -> dict[str, frozenset[str]]:
    return {lang: frozenset(what.split("|")) for lang, kind, what, _ in rows("language_words.tsv", 4) if kind == "words"}


def detect_language(paragraphs: Iterable[str]) -> str | None:
    """The ISO 639-1 code of the language `paragraphs` (a story's text) are written in, or None when unsure.

    None for fewer than `language_min_words` words (letters, for a script's language), for a share of
    function words under `language_min_share`, and for two languages within `language_margin` of each other.
    """
    text = " ".join(paragraphs)[:_SAMPLE_CHARS]
    letters = [c for c in text if c.isalpha()]
    if len(letters) < limit("language_min_words"):
        return None
    for lang, script, share in _scripts():
        if sum(1 for c in letters if script.match(c)) >= share * len(letters):
            return lang
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < limit("language_min_words"):
        return None
    shares = sorted(((sum(w in known for w in words) / len(words), lang) for lang, known in _words().items()), reverse=True)
    (best, lang), (second, _) = shares[0], shares[1]
    t = thresholds()
    if best < t["language_min_share"] or best < t["language_margin"] * second:
        return None
    return lang

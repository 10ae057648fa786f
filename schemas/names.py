"""The matching key of a name: one rule for every place that compares names.

`name_key` is what two spellings of one name share ("The People's Gov't" and "peoples
govt"); `name_words` are its words with the plural rule of `singular`, for comparisons that
are looser than equality (a short form inside a full name, a collective "15 central SOEs"
against "central enterprises"). The search tokenizer follows `name_key` and
`singular`, in Python and in SQL (`warehouse/search.py`, migration 015,
tests/test_search_tokens.py), and the page extractors recognise a
headline, a caption or a byline name seen again by it (a headline in the body, a site's name
in a title, an editor among the authors).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection


def name_key(name: str) -> str:
    """Case-, punctuation- and leading-article-insensitive form: "The People's Gov't" -> "peoples govt"."""
    s = unicodedata.normalize("NFKC", name).lower().replace("’", "'").replace("&", " and ")
    s = re.sub(r"[.']", "", s)
    s = re.sub(r"[\W_]+", " ", s).strip()
    return s[4:] if s.startswith("the ") else s


def singular(word: str) -> str:
    """A lower-case noun without its plural ending: "companies" -> "company", "hospitals" -> "hospital";
    words ending in -ss, -us or -is ("business", "campus", "analysis") and short words kept."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def name_words(name: str, drop: Collection[str] = ()) -> list[str]:
    """The words of `name_key(name)` that are not in `drop`, each `singular`."""
    return [singular(w) for w in name_key(name).split() if w not in drop]

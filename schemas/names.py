"""The matching key of a name: one rule for every place that compares names."""

from __future__ import annotations

import re
import unicodedata


def name_key(name: str) -> str:
    """Case-, punctuation- and leading-article-insensitive form: "The People's Gov't" -> "peoples govt"."""
    s = unicodedata.normalize("NFKC", name).lower().replace("’", "'").replace("&", " and ")
    s = re.sub(r"[.']", "", s)
    s = re.sub(r"[\W_]+", " ", s).strip()
    return s[4:] if s.startswith("the ") else s

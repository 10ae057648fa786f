"""News agencies and media outlets, listed once: the `media` rows of `schemas/reference/organizations.tsv`.

Datelines ("BEIJING, Nov. 19 (Xinhua) --"), bylines ("By Jane Doe, Reuters"), photo
credits and entity recognition all read this one list, so an agency added there is known
everywhere: in a dateline it is the source, in a byline it is never an author.
"""

from __future__ import annotations

from functools import cache

from schemas import reference
from schemas.names import name_key


@cache
def _names() -> tuple[str, ...]:
    """Every name and alias of an agency or outlet, as the reference spells it."""
    return tuple(name for entry in reference.entries() if entry.type == "media" for name in entry.names)


@cache
def _spellings() -> dict[str, str]:
    """Name key (`schemas.names.name_key`) of a name or alias -> the spelling the reference gives it
    ("xinhua" -> "Xinhua")."""
    out: dict[str, str] = {}
    for name in _names():
        out.setdefault(name_key(name), name)
    return out


def agency_name(text: str) -> str | None:
    """The reference spelling of the agency or outlet `text` names ("REUTERS" -> "Reuters",
    "xinhua" -> "Xinhua"); None when `text` is no known agency."""
    return _spellings().get(name_key(text)) if text.strip() else None


@cache
def agency_pattern() -> str:
    """A regex alternation of every agency name and alias, longest first (for datelines)."""
    return reference.alternation(set(_names()))

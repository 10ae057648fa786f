"""Reference data: places (countries, Chinese province-level divisions, world regions) and
organizations (Chinese central government bodies, central SOEs, news agencies, international
bodies), with the other names and abbreviations news reports use for them.

Recognition is only as good as the names it knows: a statistical tagger splits
"State-owned Assets Supervision and Administration Commission" at its hyphen and cannot
know that "SASAC" or "Xinhuanet" name an organization it has seen in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schemas.names import name_key

HERE = Path(__file__).parent


@dataclass(frozen=True)
class RefEntry:
    """One known place or organization. `type` is a place type (country, province, ...) or an org kind."""

    id: str
    kind: str  # "place" | "organization"
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def rows(filename: str, width: int = 4) -> list[list[str]]:
    """The tab-separated rows of a reference file, each padded or cut to `width` fields;
    blank lines and `#` comments skipped."""
    return [
        (line.split("\t") + [""] * width)[:width]
        for line in (HERE / filename).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _split(field: str) -> tuple[str, ...]:
    return tuple(a for a in field.split("|") if a)


@cache
def entries() -> tuple[RefEntry, ...]:
    """Every reference entry, places first."""
    out = [RefEntry(f"place:{name}", "place", typ, name, _split(al), _split(dem))
           for typ, name, al, dem in rows("places.tsv")]
    out += [RefEntry(f"org:{name}", "organization", typ, name, _split(al))
            for typ, name, al, _ in rows("organizations.tsv")]
    return tuple(out)


@cache
def _index() -> dict[str, RefEntry]:
    idx: dict[str, RefEntry] = {}
    for e in entries():
        for n in e.names:
            idx.setdefault(name_key(n), e)
    return idx


@cache
def _by_id() -> dict[str, RefEntry]:
    return {e.id: e for e in entries()}


def lookup(name: str) -> RefEntry | None:
    """The entry one of whose names is `name` (case- and punctuation-insensitive)."""
    return _index().get(name_key(name))


def by_id(ref_id: str) -> RefEntry | None:
    return _by_id().get(ref_id)


@cache
def _demonyms() -> dict[str, RefEntry]:
    return {d.lower(): e for e in entries() for d in e.demonyms}


def demonym(word: str) -> RefEntry | None:
    """The place a nationality adjective refers to: "Venezuelan" -> Venezuela."""
    return _demonyms().get(word.lower())

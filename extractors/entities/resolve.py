"""Resolution within one article: which mentions name the same person, organization or place.

Rules, in order of trust: the same reference entry; an explicit link ("Long Name (ABBR)",
a ticker, a department of a named hospital); the same normalized name; a short form
(every word of it in one longer name with the same head noun: "Changhai Hospital",
"People's Government of the Autonomous Region"; a surname: "Wang", "Mr Chavez");
initials ("SASAC", a hyphenated word counting once); a transliteration variant
(Jaro-Winkler at least `variant_name_similarity` of thresholds.tsv, same surname, every differing word a near-spelling,
so "Tibet" vs "Xinjiang" government stays two).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from extractors.entities.legal_forms import legal_form, plain_forms
from extractors.entities.mentions import Cand
from extractors.entities.similarity import jaro_winkler
from extractors.entities.titles import generic
from extractors.entities.vocab import INDUSTRY_HEADS, ORDINALS, ORG_HEADS, PLACE_TYPES
from extractors.lookback import search_before
from schemas import reference
from schemas.names import name_key, singular

_STOP = {"of", "the", "and", "for", "in", "at", "on", "to", "a", "an", "affiliated", "s"}
_SUBUNIT = re.compile(r"^(?:the\s+)?(?:department|division|section|unit|office|ward|laboratory)\s+of\b", re.I)
_ACRONYM = re.compile(r"^[A-Z][A-Z&.]{1,9}$")
_COMMA_AFTER = re.compile(r",\s*")
_LOCATED = re.compile(r"\b(?:in|at|from|to|near|of|across)\s+(?:the\s+)?$", re.I)


@cache
def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in name_key(text).split() if w not in _STOP and not re.fullmatch(r"\d+(st|nd|rd|th)?", w)
            and w not in ORDINALS)


def key_text(text: str, place: bool = False) -> str:
    words = [singular(w) for w in _words(text)]
    if place:
        words = [w for w in words if w not in PLACE_TYPES] or words
    return " ".join(words)


def key(c: Cand) -> tuple[str, str]:
    if c.ref is not None:
        return ("ref", c.ref.id)
    return (c.kind, key_text(c.text, c.kind == "place"))


def _head(text: str) -> str:
    base = re.split(r"\s+(?:of|affiliated to)\s+", text, maxsplit=1, flags=re.I)[0]
    words = _words(base)
    return singular(words[-1]) if words else ""


def _core(text: str) -> list[str]:
    """A company's name without its designators: "Coloroll Group Plc" -> ["coloroll"], "Harrow Foods" -> ["harrow"]."""
    words = list(_words(text))
    while len(words) > 1 and words[-1] in plain_forms() | INDUSTRY_HEADS | {"group", "holding", "holdings"}:
        words.pop()
    return words


def initials(text: str) -> set[str]:
    """Initials of the content words, a hyphenated word counting once; whole name and part before "of"."""
    out = set()
    for part in (text, re.split(r"\s+of\s+", text, maxsplit=1)[0]):
        words = [w for w in re.findall(r"[\w'’]+(?:-[\w'’]+)*", part) if w.lower() not in _STOP]
        out.add("".join(w[0] for w in words).upper())
    return out


class Clusters:
    """Union-find over mentions."""

    def __init__(self, cands: list[Cand]):
        self.cands = cands
        self.parent = list(range(len(cands)))
        self.index = {id(c): i for i, c in enumerate(cands)}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: Cand, b: Cand) -> None:
        ra, rb = self.find(self.index[id(a)]), self.find(self.index[id(b)])
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[Cand]]:
        out: dict[int, list[Cand]] = {}
        for i, c in enumerate(self.cands):
            out.setdefault(self.find(i), []).append(c)
        return list(out.values())


def vote_kinds(cands: list[Cand], texts: list[str]) -> None:
    """One kind per name: the tagger calls "Abbott" a place once and an organization once.
    A dateline names a place; a lone word that starts a company's name and is never
    located in ("Cardona" beside "Cardona Transport") is that company."""
    keys = {c.text: name_key(c.text) for c in cands}  # one name key per distinct text
    votes: dict[str, Counter[str]] = {}
    for c in cands:
        if c.ref is None:
            votes.setdefault(keys[c.text], Counter())[c.kind] += 1
    order = {"organization": 2, "place": 1, "person": 0}
    people = {w for c in cands if c.kind == "person" and len(c.text.split()) > 1 for w in c.text.split()}
    datelined = {keys[c.text] for c in cands if c.role == "dateline" and c.kind == "place"}
    companies = _company_starts(cands, texts, keys)
    for c in cands:
        if c.ref is not None or c.role != "actor":
            continue
        if " " not in c.text and c.text in people:
            c.kind = "person"
        elif keys[c.text] in datelined:
            c.kind = "place"
        elif keys[c.text] in companies:
            c.kind = "organization"
        else:
            counts = votes[keys[c.text]]
            c.kind = max(counts, key=lambda k: (counts[k], order[k]))


def _company_starts(cands: list[Cand], texts: list[str], keys: dict[str, str]) -> set[str]:
    """First words of company names that the article never uses as a location ("in Xiamen"). `keys` are the
    name keys of the mentions' texts."""
    starts = {name_key(c.text.split()[0]) for c in cands if c.kind == "organization" and c.ref is None
              and len(c.text.split()) > 1 and (c.text.split()[-1].lower() in INDUSTRY_HEADS or legal_form(c.text.split()[-1]))}
    located = {key for c in cands if (key := keys[c.text]) in starts
               and (c.role != "actor" or search_before(_LOCATED, texts[c.unit], max(c.start, 0), 2))}
    return starts - located


def resolve(cands: list[Cand], texts: list[str]) -> list[list[Cand]]:
    """Groups of mentions naming one entity each. `texts` are the units' clean texts."""
    cl = Clusters(cands)
    linked = _link_subunits(cands, cl, texts)
    by_key: dict[tuple[str, str], Cand] = {}
    for c in cands:
        if c.same_as is not None:
            cl.union(c, c.same_as)
        if id(c) not in linked:
            cl.union(by_key.setdefault(key(c), c), c)
    for c in cands:  # "Shanghai Changhai Hospital of Naval Military Medical University" is the hospital
        m = re.match(r"(.+?)\s+(?:of|affiliated to)\s+", c.text, re.I)
        target = by_key.get(("organization", key_text(m.group(1)))) if m and c.kind == "organization" else None
        if target is not None and not generic(target):
            c.how = "short_form"
            cl.union(target, c)
    reps = _representatives(cl)
    near = _Kin(reps)
    for c in reps:
        form = _longer_form(c, near, cl) if c.kind != "person" else _person_form(c, near)
        if form is not None:
            c.how = form[1]
            cl.union(form[0], c)
    return cl.groups()


def _representatives(cl: Clusters) -> list[Cand]:
    """The longest mention of each current group."""
    return [max(g, key=lambda c: len(c.text)) for g in cl.groups()]


def _link_subunits(cands: list[Cand], cl: Clusters, texts: list[str]) -> set[int]:
    """A department belongs to the institution named with it (", X" or "of X") or before it in its sentence."""
    orgs = sorted((c for c in cands if c.kind == "organization"), key=lambda c: (c.unit, c.start))
    linked = set()
    for c in orgs:
        if not _SUBUNIT.match(c.text):
            continue
        inner = [o for o in orgs if o.unit == c.unit and c.start < o.start and o.end <= c.end and o is not c]
        after = _COMMA_AFTER.match(texts[c.unit], c.end)
        nxt = [o for o in orgs if after and o.unit == c.unit and o.start == after.end()]
        before = [o for o in orgs if o.unit == c.unit and o.end <= c.start and o.start >= c.sent[0]
                  and not _SUBUNIT.match(o.text)]
        target = next(iter(inner or nxt or before[-1:]), None)
        if target is not None:
            c.how = "short_form"
            cl.union(target, c)
            linked.add(id(c))
    return linked


class _Kin:
    """The representatives that may be another form of a mention's name, looked up by what each rule of
    `_longer_form` and `_person_form` needs the two names to share (a core, any word, a name-key prefix,
    initials, a head and a length; a person's first or last word), instead of every
    representative for every mention (the number of names squared on a long article). The rules are
    still checked on each representative found, in the order of `reps`."""

    def __init__(self, reps: list[Cand]):
        self.reps = reps
        self._index: dict[tuple[object, ...], list[int]] = {}
        for k, o in enumerate(reps):
            if o.kind == "person":
                ow = o.text.split()
                for w in {ow[0], ow[-1]} if len(ow) > 1 else ():
                    self._add(("part", w), k)
                if ow:
                    self._add(("first", len(ow), ow[0]), k)
                    self._add(("last", len(ow), ow[-1]), k)
                continue
            kind, words = o.kind, _words(o.text)
            self._add(("core", kind, tuple(_core(o.text))), k)
            self._add(("variant", kind, _head(o.text), len(words)), k)
            self._add(("key", kind, name_key(o.text)), k)
            for w in set(map(singular, words)):
                self._add(("word", kind, w), k)
            for abbr in initials(o.text):
                self._add(("initials", kind, abbr), k)
            if company_name(o):
                self._add(("company", kind), k)

    def _add(self, key: tuple[object, ...], k: int) -> None:
        self._index.setdefault(key, []).append(k)

    def _get(self, *keys: tuple[object, ...]) -> list[Cand]:
        found: set[int] = set()
        for key in keys:
            found.update(self._index.get(key, ()))
        return [self.reps[k] for k in sorted(found)]

    def longer(self, c: Cand) -> list[Cand]:
        """Every representative for which a rule of `_longer_form` may hold (and some for which none does)."""
        kind, words = c.kind, _words(c.text)
        stems = set(map(singular, words))
        keys = [("core", kind, tuple(_core(c.text))), ("variant", kind, _head(c.text), len(words))]
        # a short form's words, and a company's first words (`_company_prefix`), are all in the longer name: any
        # of them finds it, the rarest the fewest; a name with no content words is the start of every company's
        if stems:
            keys.append(min((("word", kind, w) for w in stems), key=lambda key: len(self._index.get(key, ()))))
        elif kind == "organization":
            keys.append(("company", kind))
        if kind == "organization":
            parts = name_key(c.text).split(" ")
            keys += [("key", kind, " ".join(parts[:i])) for i in range(1, len(parts))]
            keys.append(("initials", kind, c.text.replace(".", "")))
        return self._get(*keys)

    def people(self, c: Cand) -> list[Cand]:
        """The persons `_person_form` may join `c` to: by its one word, else by its first or last word."""
        words = c.text.split()
        if len(words) == 1:
            return self._get(("part", words[0]))
        return self._get(("first", len(words), words[0]), ("last", len(words), words[-1])) if words else []


def _longer_form(c: Cand, near: _Kin, cl: Clusters) -> tuple[Cand, str] | None:
    """The longer name that `c` shortens, abbreviates, extends or misspells; None if none or ambiguous."""
    words, head = set(map(singular, _words(c.text))), _head(c.text)
    found: dict[str, list[Cand]] = {}
    for o in near.longer(c):
        if o is c or o.kind != c.kind or key(o) == key(c):
            continue
        owords = set(map(singular, _words(o.text)))
        if _core(c.text) == _core(o.text) and len(_words(c.text)) < len(_words(o.text)):
            found.setdefault("company_core", []).append(o)  # "Cardona": "Cardona Transport", not "Westline Cardona"
        elif c.kind == "organization" and _company_prefix(c, o):
            found.setdefault("company_core", []).append(o)
        elif words and words < owords and _head(o.text) == head:
            found.setdefault("short_form", []).append(o)
        elif c.kind == "organization" and o.ref is None and name_key(c.text).startswith(name_key(o.text) + " ") \
                and not generic(o) and _head(o.text) in ORG_HEADS and not set(_words(c.text)) & ORG_HEADS - owords:
            found.setdefault("short_form", []).append(o)  # "Shanghai Changhai Hospital Vascular Surgery"
        elif c.kind == "organization" and _ACRONYM.match(c.text) and c.text.replace(".", "") in initials(o.text):
            found.setdefault("abbreviation", []).append(o)
        elif _variant(c.text, o.text, head == _head(o.text)):
            found.setdefault("spelling_variant", []).append(o)
    if found.get("company_core"):  # one core, one company: "Dalton Industries" and "Dalton Industries Inc"
        return max(found["company_core"], key=lambda t: len(t.text)), "short_form"
    for how in ("short_form", "abbreviation", "spelling_variant"):
        targets = found.get(how, [])
        if targets and len({cl.find(cl.index[id(t)]) for t in targets}) == 1:
            return targets[0], how
    return None


def _company_prefix(c: Cand, o: Cand) -> bool:
    """`c` is the first words of company `o`'s name, a place starting `o` left out: "Sichuan Tequ Education"
    of "Sichuan Tequ Education Investment Management Co., Ltd.", "Ruyi" of "Shandong Ruyi"."""
    if c.ref is not None or generic(c) or not company_name(o):
        return False
    short, full = _words(c.text), _words(o.text)
    while len(full) > len(short) and full[:len(short)] != short and is_place_word(full[0]):
        full = full[1:]
    return len(short) < len(full) and full[:len(short)] == short and not (len(short) == 1 and is_place_word(short[0]))


def company_name(c: Cand) -> bool:
    """`c` names a company: a known company or SOE, or a name ending in a legal form, an industry word or
    "Group"/"Holdings"."""
    last = c.text.split()[-1]
    return c.ref is not None and c.ref.type in ("company", "soe") or c.ref is None and (
        legal_form(last) or last.lower() in INDUSTRY_HEADS | {"group", "holdings"})


@cache
def is_place_word(word: str) -> bool:
    """`word` alone is a known place's name ("Sichuan", "China")."""
    ref = reference.lookup(word)
    return ref is not None and ref.kind == "place"


def _variant(a: str, b: str, same_head: bool) -> bool:
    wa, wb = _words(a), _words(b)
    limits = reference.thresholds()
    if not same_head or len(wa) != len(wb) or jaro_winkler(" ".join(wa), " ".join(wb)) < limits["variant_name_similarity"]:
        return False
    return all(x == y or jaro_winkler(x, y) >= limits["variant_word_similarity"] for x, y in zip(wa, wb, strict=True))


def _person_form(c: Cand, near: _Kin) -> tuple[Cand, str] | None:
    words = c.text.split()
    people = [o for o in near.people(c) if o is not c]
    if len(words) == 1:
        found = [o for o in people if len(o.text.split()) > 1 and words[0] in (o.text.split()[0], o.text.split()[-1])]
        return (found[0], "short_form") if len({name_key(o.text) for o in found}) == 1 else None
    for o in people:
        ow = o.text.split()
        if len(ow) == len(words) and (ow[0] == words[0] or ow[-1] == words[-1]) and _variant(c.text, o.text, True):
            return o, "spelling_variant"
    return None

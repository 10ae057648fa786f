"""Persons, organizations and places of an article, each resolved to one entity.

    extract_entities(article) -> list[Entity]
    extract_entities_many(articles) -> list[list[Entity]]   (one spaCy pass over all texts)

Recognition runs on the clean text with reference names and head-noun phrases ahead of
spaCy's tagger; credits, bylines and datelines are read by rule so their people are
credits, never actors; spans are reported in the published text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from extractors.entities.build import build_entity
from extractors.entities.contract import to_contract
from extractors.entities.credits import credit_mentions, title_tag
from extractors.entities.mentions import Cand, unit_mentions
from extractors.entities.nlp import ner_reads, tag
from extractors.entities.resolve import initials, resolve, vote_kinds
from extractors.entities.shortforms import company_short_forms
from extractors.entities.spans import Spans
from extractors.entities.titles import find_titles
from extractors.entities.units import Unit, article_units
from extractors.sentences import sentence_around
from schemas import reference
from schemas.article import Article
from schemas.entities import Entity
from schemas.reference import RefEntry

__all__ = ["extract_entities", "extract_entities_many", "to_contract"]

_INITIALISM = re.compile(r"\b[A-Z]{2,8}s?\b")
_ABBR_AFTER = re.compile(r"\s*\((?P<abbr>[A-Z][A-Za-z&.]{1,9})\)")
_PLACE_WORDS = {"autonomous region", "province", "municipality"}
_DESCRIPTION = re.compile(r"\bthe (?P<what>autonomous region|province|municipality|commission|ministry|"
                          r"committee|council|bureau|hospital|university|alliance|association|company|group)\b")


def extract_entities(article: Article) -> list[Entity]:
    return extract_entities_many([article])[0]


def extract_entities_many(articles: Sequence[Article]) -> list[list[Entity]]:
    prepared = []
    for a in articles:
        units = article_units(a)
        if units and units[0].block == "title" and (m := title_tag(units[0].published)):
            units[0].clean = units[0].published[:m.start()]
        prepared.append(units)
    texts = [u.clean for units in prepared for u in units]
    docs = iter(tag(texts, [ner_reads(a.language) for a, units in zip(articles, prepared, strict=True) for _ in units]))
    return [_entities(a, units, [next(docs) for _ in units]) for a, units in zip(articles, prepared, strict=True)]


def _entities(article: Article, units: list[Unit], docs: list[Doc]) -> list[Entity]:
    common = set(re.findall(r"\b[a-z][a-z'-]+\b", " ".join(u.clean for u in units)))
    cands: list[Cand] = []
    per_unit = []
    for i, (unit, doc) in enumerate(zip(units, docs, strict=True)):
        found = unit_mentions(doc, unit.clean, i, common)
        per_unit.append(found)
        cands += found + _abbreviations(unit.clean, i, found)
    cands += _initialisms(units[:len(docs)], cands)
    cands += company_short_forms([u.clean for u in units[:len(docs)]], per_unit)
    cands += credit_mentions(article, units)
    vote_kinds(cands, [u.clean for u in units])
    home = _home_country(article, cands)
    for unit, found in zip(units, per_unit, strict=False):  # after the vote: "Dalton Chairman X" needs Dalton known as a company
        cands += find_titles(unit.clean, found, home)
    cands = [c for c in cands if not c.dropped]  # a place inside a company's short form, a title's portfolio word
    groups = resolve(cands, [u.clean for u in units])
    groups = _descriptions(units, groups)
    return _build(groups, units)


def _build(groups: list[list[Cand]], units: list[Unit]) -> list[Entity]:
    """Entities of the groups, places and organizations first, with article-local ids "e1", "e2", ...
    in that order, so that a title's organization (built before its holder) is known by id."""
    owner = {id(c): id(g) for g in groups for c in g}
    built: dict[int, Entity] = {}
    by_ref: dict[str, Entity] = {}
    entities: list[Entity] = []

    def title_org(org: Cand | None) -> tuple[str | None, str | None]:
        if org is None:
            return None, None
        ent = built.get(owner.get(id(org), -1)) or (by_ref.get(org.ref.id) if org.ref is not None else None)
        if ent is not None:
            return ent.name, ent.id
        return (org.ref.name if org.ref is not None else org.text), None

    for g in sorted(groups, key=lambda g: not any(c.kind != "person" for c in g)):  # organizations first
        ent = build_entity(g, units, title_org)
        if ent is None:
            continue
        ent.id = f"e{len(entities) + 1}"
        built[id(g)] = ent
        for c in g:
            if c.ref is not None:
                by_ref.setdefault(c.ref.id, ent)
        entities.append(ent)
    return entities


def _home_country(article: Article, cands: list[Cand]) -> RefEntry | None:
    """The country of the dateline's place ("OTTAWA" -> Canada), where an unattributed minister serves; None
    when the article names a place in another country ("BRUSSELS - Prime Minister X said Britain ..."): a
    dateline says where the report was filed, not whose minister speaks."""
    place = article.dateline.place if article.dateline is not None else None
    home = next((c for part in (place or "").split(",") if (c := reference.country_of(part.strip()))), None)
    if home is None:
        return None
    for cand in cands:
        if cand.kind == "place" and cand.role == "actor" and not cand.dropped:
            country = reference.country_of(cand.ref.name if cand.ref is not None else cand.text)
            if country is not None and country.id != home.id:
                return None
    return home


def _abbreviations(text: str, unit: int, cands: list[Cand]) -> list[Cand]:
    """"Long Name (ABBR)": the abbreviation names the organization before it."""
    out = []
    for c in cands:
        if c.kind == "organization" and (m := _ABBR_AFTER.match(text, c.end)):
            out.append(Cand("organization", m["abbr"], unit, m.start("abbr"), m.end("abbr"), c.ref,
                            how="abbreviation", sent=c.sent, same_as=c))
    return out


def _initialisms(units: list[Unit], cands: list[Cand]) -> list[Cand]:
    """Capital initials the tagger missed that spell an organization of the article ("SASAC")."""
    orgs: dict[str, Cand] = {}
    for c in cands:
        if c.kind == "organization" and len(c.text.split()) > 2:
            for abbr in initials(c.text):
                orgs.setdefault(abbr, c)
    out = []
    for i, unit in enumerate(units):
        known: Spans[Cand] | None = None  # the unit's mentions, indexed when an initialism first needs them
        for m in _INITIALISM.finditer(unit.clean):
            target = orgs.get(m.group().rstrip("s"))
            if target is None:
                continue
            if known is None:
                known = Spans([c for c in cands if c.unit == i])
            if not known.overlapping(m.start(), m.end()):
                out.append(Cand("organization", m.group(), i, m.start(), m.end(), target.ref, how="abbreviation",
                                sent=sentence_around(unit.clean, m.start(), m.end()), same_as=target))
    return out


def _descriptions(units: list[Unit], groups: list[list[Cand]]) -> list[list[Cand]]:
    """"the autonomous region", "the commission": the one entity of that kind named in the article."""
    fitting: dict[str, list[list[Cand]]] = {}  # by description: a description added to a group changes no fit
    for i, unit in enumerate(units):
        for m in _DESCRIPTION.finditer(unit.clean):
            what = m["what"]
            kind = "place" if what in _PLACE_WORDS else "organization"
            if what not in fitting:
                fitting[what] = [g for g in groups if any(c.kind == kind and c.how != "description"
                                                          and re.search(rf"(?i)\b{what}$", c.text) for c in g)]
            fits = fitting[what]
            if len(fits) == 1:
                fits[0].append(Cand(fits[0][0].kind, m.group(), i, m.start(), m.end(), how="description",
                                    sent=sentence_around(unit.clean, m.start(), m.end())))
    return groups

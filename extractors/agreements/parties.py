"""Who the parties of a stated agreement are, and their roles.

Parties are read where the dependency parse of the sentence puts them (`structure.py`,
with the roles of `frames.py`); where the parse shows no subject, or no other side, the
word order stands in: the stretch before the signing verb ("X and Y signed"), a "with",
"between" or "among" phrase after it, and for acquisitions the company bought ("agreed to
purchase CompositAir") and the seller. Members listed beside a collective are parties too.
They are resolved to the article's entities (their `name`), or kept as a collective
with its description and count ("15 central enterprises", "eight state-owned
enterprises and their affiliated enterprises"). Never a party: credits, datelines and
agencies; a place that only locates or qualifies something ("Dow Chemical of the
United States", "Paris-based", "southwest China's Guizhou Province"); an organization
that only owns the party named before it ("Changhai Hospital of Naval Military
Medical University"); a person signing for an organization that is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from extractors.agreements.finder import EntityFinder, Named
from extractors.agreements.numbers import NUMBER_WORD, NUMBER_WORDS, number_value
from extractors.agreements.structure import side_offsets
from extractors.agreements.triggers import Trigger
from extractors.agreements.words import COLLECTIVE_NOUNS, PARTY_FOLLOWERS, REPORTING_FORMS
from extractors.entities.vocab import COMPANY_POINTERS
from schemas import reference
from schemas.agreements import Party
from schemas.names import name_key, name_words
from schemas.reference import alternation

_NUM = rf"(?:\d[\d,]*|{NUMBER_WORD})"
_GROUP_NOUNS = f"(?:{alternation(COLLECTIVE_NOUNS)})"
_NOT_MODIFIER = (
    r"(?!(?:the|a|an|and|or|with|of|for|to|in|on|at|by|from|signed|sign|have|has|had|also|their|its|his|her|"
    r"representatives|including|other|were|was|are|is|which|that|who)\b)"
)
_COLLECTIVE = re.compile(
    rf"\b(?:(?P<approx>more\s+than|nearly|about|over|some|around|almost|at\s+least)\s+)?(?P<num>{_NUM})\s+"
    rf"|\b(?P<vague>a\s+(?:large\s+)?number\s+of|several|dozens\s+of|scores\s+of|hundreds\s+of|many|multiple|various|relevant)\s+",
    re.I,
)
_DESCRIPTION = re.compile(
    rf"(?P<desc>(?:{_NOT_MODIFIER}[A-Za-z][\w.’'-]*\s+){{0,4}}?{_GROUP_NOUNS})\b"
    rf"(?:\s*\((?:[A-Z]{{2,6}}s?)\))?(?P<aff>\s+and\s+their\s+(?:affiliated\s+\w+|affiliates|subsidiaries|subordinate\s+\w+))?",
    re.I,
)
# "the member companies of X": a body's members stand as one party; "the European businesses of X" is X's
# (what is bought of X), not a collective.
_QUALIFIED = re.compile(
    rf"\b(?P<desc>members?\s+(?:{_NOT_MODIFIER}[A-Za-z][\w.’'-]*\s+){{0,2}}?{_GROUP_NOUNS}|members)\s+of\s+(?:the\s+)?$", re.I)
_ANAPHORA = re.compile(
    rf"\b(?:(?:the|these|those)\s+(?:(?:above-?mentioned|aforementioned)\s+)?(?:two|2)|both|(?:above-?mentioned|aforementioned)\s+two)"
    rf"\s+(?:[\w-]+\s+){{0,2}}?(?:sides|parties|leaders|heads\s+of\s+state|heads\s+of\s+government|presidents|"
    rf"premiers|prime\s+ministers|delegations|{_GROUP_NOUNS})\b",
    re.I,
)
_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
# Words between an agreement and a later "with" that show the "with" belongs to something else
# ("a loan agreement for a new expressway linking Addis Ababa with the city of Adama").
_DETACHED = re.compile(r"\b(?:for|to|linking|connecting|joining|which|that|aiming|covering|including)\b", re.I)
_REPORT = re.compile(rf"\b(?:{alternation(REPORTING_FORMS)}|that)\b(?:\s+that\b)?", re.I)
_LEADING = re.compile(
    r"^\s*(?:at|in|during|on|after|before|under|following|amid|according\s+to|as\s+part\s+of|as|with|through|since|"
    r"upon|over|within|earlier|later|meanwhile|also|besides|moreover|furthermore|today|yesterday|recently|so\s+far)"
    r"\b[^,]{0,160},\s*", re.I)
_PRONOUN = re.compile(rf"\b(?:it|they|the\s+(?:{alternation(sorted(COMPANY_POINTERS))}))\b", re.I)
_ZONE_END = re.compile(
    r"[,;(]|\.(?:\s|$)|\s(?:to|for|on|during|at|under|which|who|worth|aiming|covering|including|from|in\s+order)\s", re.I)
_OBJECT_END = re.compile(r"[,;(]|\.(?:\s|$)|\s(?:for|from|to|in\s+a|at|which|who|worth)\s", re.I)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|of|from|at|near|to|across|into|throughout|inside|outside|around|for|on|via|based)\s+(?:the\s+)?$", re.I)
_GOVERNED_BEFORE = re.compile(
    r"\b(?:government|governments|authorities|people|city|province|state|municipality|administration)\s+of\s+(?:the\s+)?$", re.I)
_COLLECTIVE_SYNONYMS = [(r"\bsoes?\b", "enterprises"), (r"\bstate[- ]owned\b", ""), (r"\bcentrally[- ]administered\b", "central"),
                        (r"\b(?:companies|firms|corporations)\b", "enterprises")]
_STOP = {"the", "of", "and", "in", "from", "their", "a", "an", "number", "than", "more", "nearly", "about", "over",
         "some", "several", "other", "s"}


@dataclass(frozen=True)
class Side:
    """A party as found in one sentence, with the key that identifies it across sentences."""

    party: Party
    key: tuple[Any, ...]  # ("entity", index) or ("collective", count, identifying words)
    start: int = -1
    end: int = -1
    proxy: bool = False  # the organization of a person who signed for it, not named itself


def collective_words(description: str) -> frozenset[str]:
    """The words that identify a collective, whatever the article calls its members: the name key's words
    ("schemas.names"), synonyms folded ("SOEs", "companies" -> "enterprise"), counts and fillers left out."""
    s = name_key(description)
    for pattern, rep in _COLLECTIVE_SYNONYMS:
        s = re.sub(pattern, rep, s)
    return frozenset(w for w in name_words(s, _STOP | NUMBER_WORDS.keys()) if w.isalpha())


def _short_form(a: Side, b: Side) -> bool:
    """One entity's name is the start of the other's, of the same kind: a short and a full form of one
    name that the article's entities did not join ("Western" / "Western Savings and Loan Co")."""
    if a.party.kind != b.party.kind or a.party.kind == "collective":
        return False
    x, y = name_key(a.party.name).split(), name_key(b.party.name).split()
    short, full = sorted((x, y), key=len)
    return bool(short) and full[: len(short)] == short and len(" ".join(short)) >= 4


def same_side(a: Side, b: Side) -> bool:
    """Two sides name the same party: one entity (or a short and a full form of its name), or collectives
    of one count and kind."""
    if a.key[0] != b.key[0]:
        return False
    if a.key[0] != "collective":
        return a.key == b.key or _short_form(a, b)
    (_, ca, wa), (_, cb, wb) = a.key, b.key
    if ca is not None and cb is not None and ca != cb:
        return False
    overlap = reference.thresholds()["collective_overlap"]
    return bool(wa and wb) and (wa <= wb or wb <= wa or len(wa & wb) / len(wa | wb) >= overlap)


def match_sides(a: list[Side], b: list[Side]) -> dict[int, int]:
    """A largest one-to-one matching of two party lists (index in `a` -> index in `b`)."""
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j, y in enumerate(b):
            if j not in seen and same_side(a[i], y):
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(a)):
        assign(i, set())
    return {i: j for j, i in owner.items()}


def _mask(text: str, named: list[Named]) -> str:
    """The sentence with entity names blanked, so that commas and "to" inside names end no phrase."""
    chars = list(text)
    for n in named:
        chars[n.start : n.end] = "E" * (n.end - n.start)
    return "".join(chars)


def _with_role(side: Side, role: str) -> Side:
    return Side(side.party.model_copy(update={"role": role}), side.key, side.start, side.end, side.proxy)


def _entity_side(n: Named, role: str) -> Side:
    kind = n.entity.kind if n.entity.kind != "collective" else "organization"
    return Side(Party(name=n.entity.name, entity_id=n.entity.id, kind=kind, role=role), ("entity", n.entity_id),
                n.start, n.end)


def _qualifier(text: str, end: int, named: list[Named]) -> tuple[int, str] | None:
    """"... in the autonomous region", "... from Jiangsu, Zhejiang and Guangdong" right after a collective:
    its end and the qualifier in canonical form."""
    m = re.match(r"\s+(?:of|in|from)\s+(?P<the>the\s+)?", text[end:])
    if not m:
        return None
    n = next((n for n in named if n.start in (end + m.start("the"), end + m.end()) and m["the"] or n.start == end + m.end()), None)
    if not n:
        return None
    lead, names, last = text[end : end + m.end()], [n.entity.name], n
    while (sep := _LIST_SEPARATOR.match(text, last.end)) and (
            nxt := next((o for o in named if o.start == sep.end() and o.entity.kind == n.entity.kind), None)):
        names.append(sep.group() + nxt.entity.name)
        last = nxt
    return last.end, lead + "".join([names[0], *names[1:]])


def find_collectives(text: str, named: list[Named]) -> list[Side]:
    """Groups standing as one party: counted ("15 central enterprises"), quantified, or of a named body."""
    anaphora = [a.span() for a in _ANAPHORA.finditer(text)]
    out = []
    for m in _COLLECTIVE.finditer(text):
        d = _DESCRIPTION.match(text, m.end())
        if not d or any(n.start < d.end() and m.start() < n.end for n in named):
            continue
        if any(a <= m.start("num") < b for a, b in anaphora if m["num"]):
            continue  # "the two hospitals" points back; it is no collective
        count = number_value(m["num"]) if m["num"] and not m["approx"] else None
        if m["num"] and count is None and not m["approx"]:
            continue
        end, qualifier = d.end(), ""
        if q := _qualifier(text, d.end(), named):
            end, qualifier = q
        name = text[m.start() if m["num"] else d.start("desc") : d.end()] + qualifier
        name = re.sub(r"\s*\([A-Z]{2,6}s?\)", "", name)  # "(SOEs)"
        out.append(Side(Party(name=name, kind="collective", count=count, with_affiliates=bool(d["aff"])),
                        ("collective", count, collective_words(d["desc"] + (d["aff"] or "") + qualifier)), m.start(), end))
    for n in named:  # "the member companies of Zhanmeng"
        qual = _QUALIFIED.search(text[: n.start])
        if qual and n.entity.kind == "organization" and not any(s.start <= qual.start() < s.end for s in out) \
                and not any(a <= qual.start() < b for a, b in anaphora):
            name = qual["desc"] + text[qual.end("desc") : n.start] + n.entity.name
            out.append(Side(Party(name=name, kind="collective"), ("collective", None, collective_words(name)), qual.start(), n.end))
    return out


def _is_party(text: str, n: Named, named: list[Named]) -> bool:
    before, after = text[: n.start], text[n.end :]
    owner = next((o for o in named if o.end <= n.start and re.fullmatch(r"\s+of\s+(?:the\s+)?", text[o.end : n.start])), None)
    if n.entity.kind == "organization" and owner and owner.entity.kind == "organization":
        return False  # "Shanghai Changhai Hospital of Naval Military Medical University"
    if n.entity.kind != "place":
        return True
    if any(o.end <= n.start and not text[o.end : n.start].strip() and o.entity.kind == "organization" for o in named):
        return False  # "Acme Korea": a place right after a company's name qualifies it
    if _LOCATIVE_BEFORE.search(before) and not _GOVERNED_BEFORE.search(before):
        return False
    if re.match(r"\s*(?:'s|’s|-)", after):
        return False
    nxt = re.match(r"\s*([A-Za-z]+)", after)
    return not (nxt and nxt.group(1).islower() and nxt.group(1) not in PARTY_FOLLOWERS)


def _sides_in(text: str, start: int, end: int, named: list[Named], collectives: list[Side], role: str = "signatory",
              kinds: tuple[str, ...] = ("organization", "place", "person")) -> list[Side]:
    out = [_with_role(s, role) for s in collectives if start <= s.start < end]
    for n in named:
        if start <= n.start and n.end <= end + 1 and n.entity.kind in kinds and _is_party(text, n, named):
            if not any(s.start <= n.start < s.end for s in out):
                out.append(_entity_side(n, role))
    return sorted(out, key=lambda s: s.start)


def _subject_zone(mask: str, verb_start: int) -> tuple[int, int, int | None]:
    """The subject's stretch before the verb, and where the reporting clause before it starts."""
    start, report = 0, None
    for m in _REPORT.finditer(mask, 0, verb_start):
        if m.end() <= verb_start:
            start, report = m.end(), m.start()
    while lead := _LEADING.match(mask[start:verb_start]):
        start += lead.end()
    return start, verb_start, report


def _phrase_after(mask: str, pos: int, words: str, end_pattern: re.Pattern[str]) -> tuple[int, int] | None:
    limit = mask.find(";", pos)
    limit = len(mask) if limit < 0 else limit
    m = re.compile(rf"\b(?:{words})\s+", re.I).search(mask, pos, limit)
    if not m:
        return None
    stop = end_pattern.search(mask, m.end(), limit)
    return m.end(), stop.start() if stop else limit


def _persons(sides: list[Side]) -> list[Side]:
    """A person signs for an organization: dropped beside named ones, else stands for their organization."""
    if any(s.party.kind != "person" for s in sides):
        return [s for s in sides if s.party.kind != "person"]
    return sides


def named_sides(text: str, named: list[Named]) -> list[Side]:
    """Everyone a sentence names who could be a side (not a place it only locates something in): the
    parties "the two sides" points back to when no agreement was told before ("X held talks with Y. ...
    the two heads of state witnessed the signing of ...")."""
    out: list[Side] = []
    for n in named:
        if _is_party(text, n, named) and not any(s.key == ("entity", n.entity_id) for s in out):
            out.append(_entity_side(n, "signatory"))
    return out


def represented(sides: list[Side], finder: EntityFinder) -> list[Side]:
    """Persons signing with no organization named beside them stand for the organization of their
    title ("signed by Tang Hongwei, chairman of CNPC")."""
    if any(s.party.kind != "person" for s in sides):
        return sides
    out: list[Side] = []
    for s in sides:
        org = finder.title_organization(s.key)
        side = s if org is None else Side(Party(name=org[1].name, entity_id=org[1].id, kind=org[1].kind,
                                                role=s.party.role), ("entity", org[0]),
                                          s.start, s.end, True)
        if not any(side.key == o.key for o in out):
            out.append(side)
    return out


def _zone_sides(text: str, trigger: Trigger, named: list[Named], collectives: list[Side]) -> tuple[list[Side], list[Side]]:
    """Sides by their place in the word order, as (subject, others): the subject's stretch before the verb;
    the company bought and its seller, a "with" phrase after it."""
    mask = _mask(text, named)
    acquisition = trigger.object_start is not None
    orgs = ("organization", "person")
    subject: list[Side] = []
    sides: list[Side] = []
    if not trigger.passive or not _phrase_after(mask, trigger.verb_start, "by|with|between|among", _ZONE_END):
        s, e, report = _subject_zone(mask, trigger.verb_start)
        role = ("seller" if trigger.sale else "acquirer") if acquisition else "signatory"
        subject = _sides_in(text, s, e, named, collectives, role)
        if not subject and report is not None and _PRONOUN.search(text[s:e]):
            rs, _, _ = _subject_zone(mask, report)
            subject = _sides_in(text, rs, report, named, collectives, role)
    if trigger.object_start is not None:  # an acquisition
        obj_end = _OBJECT_END.search(mask, trigger.object_start)
        oe = obj_end.start() if obj_end else len(text)
        sides += _sides_in(text, trigger.object_start, oe, named, collectives, "target", orgs)[:1]
        near = mask[: oe + 40]  # "sold X to Y", "bought X from Y": right after the object, not in the next clause
        if trigger.sale and (to := _phrase_after(near, oe, "to", _OBJECT_END)):
            sides += _sides_in(text, *to, named, collectives, "acquirer", orgs)
        if (frm := _phrase_after(near, oe, "from", _OBJECT_END)):
            sides += _sides_in(text, *frm, named, collectives, "seller", orgs)
    words = "with|between|among|by" if trigger.passive else "with|between|among"
    zone = _phrase_after(mask, trigger.verb_start, words, _ZONE_END)
    if zone and not _DETACHED.search(mask, trigger.end, max(trigger.end, zone[0])):
        sides += _sides_in(text, *zone, named, collectives)
    return subject, sides


def _parsed_sides(doc: Doc, trigger: Trigger, named: list[Named],
                  collectives: list[Side]) -> tuple[list[Side] | None, list[Side] | None] | None:
    """Sides where the parse puts them (`structure.py`), as (subject, others), each the collective or
    entity named there; None for a part (or the whole) the parse does not show."""

    def at(offset: int) -> Side | Named | None:
        return next((c for c in collectives if c.start <= offset < c.end), None) or next(
            (n for n in named if n.start <= offset < n.end), None)

    def name_at(offset: int) -> tuple[str, int, int] | None:
        found = at(offset)
        if found is None:
            return None
        return found.party.kind if isinstance(found, Side) else found.entity.kind, found.start, found.end

    read = side_offsets(doc, trigger.start, trigger.end, name_at)
    if read is None:
        return None
    subject: list[Side] = []
    others: list[Side] = []
    buyer = ("seller" if trigger.sale else "acquirer") if trigger.object_start is not None else None
    for role, offset, is_subject in read.sides:
        if is_subject and buyer and role == "signatory":
            role = buyer  # "agrees deal for X": a deal for a company buys it
        found = at(offset)
        if found is None:  # the parse only gives offsets of names (`name_at`)
            continue
        side = _with_role(found, role) if isinstance(found, Side) else _entity_side(found, role)
        (subject if is_subject else others).append(side)
    return (subject if read.subject_seen else None), (others if read.others_seen else None)


def find_sides(text: str, trigger: Trigger, named: list[Named], previous: list[Side], doc: Doc | None = None) -> list[Side]:
    """The parties of one stated agreement: where the parse of the sentence (`doc`) puts them; by word
    order for the subject, or for the other sides, where the parse finds none (a garbled machine
    translation, a misattached phrase). `previous` stands in for "the two sides" and the like."""
    collectives = find_collectives(text, named)
    subject, others = _zone_sides(text, trigger, named, collectives)
    if doc is not None and (parsed := _parsed_sides(doc, trigger, named, collectives)) is not None:
        subject = subject if parsed[0] is None else parsed[0]  # word order where the parse shows nothing
        others = others if parsed[1] is None else parsed[1]
    sides = sorted(subject + others, key=lambda s: s.start)
    if len(sides) < 2 and _ANAPHORA.search(text[: trigger.end + 120]) and previous:
        sides += previous
    unique: list[Side] = []
    for side in _persons(sides):
        if not any(side.key == u.key for u in unique):
            unique.append(side)
    return unique

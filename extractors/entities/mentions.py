"""Mentions of one text unit: reference names, head-noun phrases and the tagger's entities,
with the tagger's usual mistakes on news text repaired by rule.

Precedence on overlap: a reference name or a head-noun phrase beats the tagger (they know
where a long name ends); a phrase that contains a reference place keeps the place out
(a place named only inside an organization's name is not a mention of that place).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from extractors.entities.legal_forms import legal_form, with_tail
from extractors.entities.orgnames import find_phrases
from extractors.entities.vocab import GEO_HEADS, HONORIFICS, NON_ORG_HEADS, ORDINALS, ORG_HEADS, PLACE_HEADS, TITLE_WORDS
from extractors.sentences import text_spans
from schemas import reference
from schemas.reference import RefEntry

_LABEL_KIND = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place"}
_CONNECTORS = {"of", "and", "the", "for", "de", "du", "la", "le", "von", "van", "der", "da", "al", "bin", "&", "-",
               "'s", "’s", "affiliated"}
_EDGE = {"the", "a", "an", "'s", "’s", "-", "<", ">", "\"", "'", "“", "”", "‘", "’", "(", ")", ",", ".", ":", ";"}
_DASHES = {"-", "–", "—"}
_TRAILING = {"of", "and", "for", "in", "at", "to"}
_CURRENCY = re.compile(r"\s+(?:dollars?|dlrs|yuan|pounds?|euros?|yen|rupees?|rubles?|roubles?)\b", re.I)
_ORDINAL = re.compile(r"(?:\d+(?:st|nd|rd|th)|" + "|".join(ORDINALS) + r")\s+$", re.I)
# Lower-case nouns after a name that make it a facility or a product, not an organization.
_FACILITY_AFTER = re.compile(r"\s+(?:[a-z]+\s+)?(?:pipelines?|railways?|railroads?|highways?|expressways?|bridges?|"
                             r"tunnels?|dams?|corridors?|canals?|airports?|ports?|oilfields?|gas\s+fields?)\b")
_LOCATED = re.compile(r"\b(?:in|at|from|to|near|across|of|outside|inside)\s+(?:the\s+)?$", re.I)
_LOCAL_GOVERNMENT = re.compile(
    r"(?:(?P<place>[A-Z][\w'-]*(?: [A-Z][\w'-]*)*) (?:(?:district|county|city|municipal|provincial|prefecture|"
    r"regional|local|state|town|township|village) )?government\b|\bgovernment of (?:the )?(?P<place2>[A-Z][\w'-]*"
    r"(?: [A-Z][\w'-]*)*))"
)


@dataclass
class Cand:
    """A mention before resolution; offsets are characters in the unit's clean text."""

    kind: str  # person | organization | place
    text: str
    unit: int
    start: int
    end: int
    ref: RefEntry | None = None
    role: str = "actor"  # actor | credit | dateline
    credit: str | None = None
    how: str = "exact"
    nested: bool = False
    honorific: bool = False
    org_kind: str | None = None
    titles: list[tuple[str, Cand | None]] = field(default_factory=list)  # (title, its organization) from titles.py
    sent: tuple[int, int] = (0, 0)  # the sentence around the mention, clean offsets
    same_as: Cand | None = None  # another mention known to name the same entity ("Ferro Corp <FOE>")
    dropped: bool = False  # found to be part of a title, not a name ("Energy" in "Energy Minister X")


def _trim(span: Span) -> Span | None:
    s, e = span.start, span.end
    dash = next((t.i for t in span if t.text in _DASHES and t.i > s and span.doc[t.i - 1].whitespace_ and t.whitespace_), None)
    e = dash if dash is not None else e  # "Hu Wenhua - Party Secretary": a spaced dash ends a name
    while s < e and span.doc[s].lower_ in _EDGE:
        s += 1
    while e > s and (span.doc[e - 1].lower_ in _EDGE or span.doc[e - 1].lower_ in _TRAILING):
        e -= 1
    return span.doc[s:e] if e > s else None


def _hyphen_tail(tok: Token) -> bool:
    """The lower-case part of a hyphenated name: "moon" in "Ban Ki-moon"."""
    return tok.i > 1 and tok.doc[tok.i - 1].text == "-" and not tok.doc[tok.i - 1].whitespace_ \
        and not tok.doc[tok.i - 2].whitespace_ and tok.doc[tok.i - 2].text[:1].isupper()


def _proper(span: Span) -> bool:
    """Every word capitalised but the connectors and legal forms ("Rolls-Royce plc"): not "anesthesia",
    not "Enterprises to Help"."""
    return all(t.text[:1].isupper() or t.lower_ in _CONNECTORS or t.like_num or not t.is_alpha or _hyphen_tail(t)
               or t.i > span.start and legal_form(t.text) for t in span) and span[0].text[:1].isupper()


def _country_after(doc: Doc, end: int, refs: dict[int, Span]) -> Span | None:
    """The reference country in "X of (the) Germany" right after token `end`."""
    i = end
    if i < len(doc) and doc[i].lower_ == "of":
        i += 1
        if i < len(doc) and doc[i].lower_ == "the":
            i += 1
        ent = refs.get(i)
        if ent is not None and reference.entry(ent.ent_id_).type == "country":
            return ent
    return None


def unit_mentions(doc: Doc, text: str, unit: int, common_words: set[str]) -> list[Cand]:
    """All mentions of one unit's doc. `text` is the text the doc was made of (its `Doc.text`, which spaCy
    rebuilds from every token on each call). `common_words` are the article's lower-case words: a capitalised
    word also written lower case there is an ordinary word ("State", "Continue")."""
    ents = list(doc.ents)
    refs = {e.start: e for e in ents if e.ent_id_}
    sents = text_spans(text)  # the sentences the pipeline marked (`extractors.sentences`), as characters
    sent_starts = [s for s, _ in sents]
    phrases = find_phrases(doc, text)
    taken = [False] * len(doc)
    out: list[Cand] = []

    def free(s: int, e: int) -> bool:
        return not any(taken[s:e])

    def take(s: int, e: int) -> None:
        taken[s:e] = [True] * (e - s)

    def add(kind: str, span: Span, ref: RefEntry | None = None, **kw: Any) -> None:
        k = bisect_right(sent_starts, span.start_char) - 1
        sent = sents[k] if k >= 0 and sents[k][1] >= span.end_char else (span.start_char, span.end_char)
        out.append(Cand(kind, span.text, unit, span.start_char, span.end_char, ref, sent=sent, **kw))

    for ent in ents:  # "Gulf of" + reference "Venezuela": the tagger stopped at the known name
        nxt = refs.get(ent.end)
        if nxt is not None and ent.label_ in ("FAC", "LOC", "GPE") and ent[-1].lower_ == "of" \
                and ent[0].lower_ in GEO_HEADS | {"the"}:
            span = _trim(doc[ent.start:nxt.end])
            if span is not None:
                take(span.start, span.end)
                add("place", span)
    tops = [p for p in phrases if not p.nested]
    # indexes for the lookups around each phrase: reference names (doc.ents: in order, never overlapping)
    # by start and end, nested phrases (as indexes into `phrases`) by start
    ref_list = list(refs.values())
    ref_starts, ref_ends = [e.start for e in ref_list], [e.end for e in ref_list]
    nested = sorted((k for k, n in enumerate(phrases) if n.nested), key=lambda k: phrases[k].start)
    nested_starts = [phrases[k].start for k in nested]
    for p in sorted(tops, key=lambda p: p.start - p.end):  # longest first
        near = ref_list[bisect_right(ref_ends, p.start):bisect_left(ref_starts, p.end)]  # the references overlapping p
        ref_inside = [e for e in near if p.start <= e.start and e.end <= p.end]
        exact = [e for e in ref_inside if e.start == p.start and e.end == p.end]
        if not free(p.start, p.end) or exact or len(ref_inside) < len(near):
            continue
        take(p.start, p.end)
        if p.kind == "organization":
            add("organization", doc[p.start:p.end])
            for n in (phrases[k] for k in sorted(nested[bisect_left(nested_starts, p.start):bisect_left(nested_starts, p.end)])):
                if n.end <= p.end and not any(e.start == n.start and e.end == n.end for e in ref_inside):
                    add("organization", doc[n.start:n.end], nested=True)
                elif n.end <= p.end:
                    e = refs[n.start]
                    add("organization", e, reference.by_id(e.ent_id_), nested=True)
    for span in _described_companies(doc, text, ents, refs):
        if free(span.start, span.end):
            take(span.start, span.end)
            add("organization", span)
    for span in _cued_companies(doc, ents, refs, common_words):
        if free(span.start, span.end):
            take(span.start, span.end)
            add("organization", span)
    for span in _place_led_companies(doc, text, ents, refs):
        if free(span.start, span.end):
            take(span.start, span.end)
            add("organization", span)
    for e in refs.values():
        ref = reference.entry(e.ent_id_)
        span = doc[e.start:with_tail(doc, e.end, text)] if ref.kind == "organization" else e
        if free(span.start, span.end) and not _CURRENCY.match(text, e.end_char):
            take(span.start, span.end)
            add(ref.kind, span, ref)
    for m in _LOCAL_GOVERNMENT.finditer(text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None and free(span.start, span.end) and not span.text.startswith(("The ", "A ")):
            take(span.start, span.end)
            add("organization", span, org_kind="government")
    for ent in ents:
        if ent.ent_id_ or ent.label_ not in _LABEL_KIND:
            continue
        span = _trim(ent)
        if span is None or not free(span.start, span.end):
            continue
        kind = _tagged_kind(span, text, ent.label_, refs, common_words)
        if kind is None:
            continue
        honorific = False
        if kind == "person" and with_tail(doc, span.end, text) > span.end:
            kind = "organization"  # "Banco Santander, S.A.": a legal form makes a company of a name
        if kind == "person":
            span, honorific = _person_span(span)
            if span is None:
                continue
        elif kind == "organization":
            span = doc[span.start:with_tail(doc, span.end, text)]
            if not free(span.start, span.end):
                continue
        take(span.start, span.end)
        add(kind, span, honorific=honorific)
    return out


_NOT_NAMES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP"}


def _described_companies(doc: Doc, text: str, ents: list[Span], refs: dict[int, Span]) -> list[Span]:
    """A name right after a noun that describes a company is that company's: "energy firm Velco",
    "chip maker Acme", "carmaker Norda" (organization nouns from WordNet, `reference.company_nouns`). Never
    a name of several words the tagger reads as a person's ("arms dealer Viktor Bout", "corporate raider Carl
    Icahn") unless a legal form ends it; one word it calls a person is no evidence (it says so of most unknown
    one-word names)."""
    nouns = reference.company_nouns()
    # the tokens written as one of the nouns, found in the doc's array of lower-case forms, not token by token
    ids = _ids(nouns)
    hits = [i for i, lower in enumerate(doc.to_array("LOWER")[:-1].tolist()) if lower in ids]
    not_names = {t.i for e in ents if e.label_ in _NOT_NAMES for t in e} if hits else set()
    persons = {t.i for e in ents if e.label_ == "PERSON" and len(e) > 1 for t in e} if hits else set()
    out = []
    for tok in (doc[i] for i in hits):
        if tok.lower_ not in nouns or not tok.text.islower() or tok.whitespace_ != " ":
            continue
        end = tok.i + 1
        while end < len(doc) and end - tok.i <= 4 and doc[end].text[:1].isupper() and end not in refs \
                and end not in not_names and not _title_before_name(doc, end) and (end == tok.i + 1 or doc[end - 1].whitespace_):
            end += 1
        if end == tok.i + 1 or doc[end - 1].text.endswith("."):  # (the walk stops at a reference name)
            continue
        tail = with_tail(doc, end, text)
        if tail == end and any(i in persons for i in range(tok.i + 1, end)):
            continue
        span = doc[tok.i + 1:tail]
        if not reference.known_place(span.text) and reference.demonym(span.text) is None:
            out.append(span)
    return out


# "shares of Kelvex", "Kelvex shares rose": what has shares is a company.
_SHARES_BEFORE = {"shares", "stake", "stock", "shareholders", "shareholder", "stakes"}
_SHARES_AFTER = {"shares", "stock", "shareholders", "shareholder"}


def _cued_companies(doc: Doc, ents: list[Span], refs: dict[int, Span], common_words: set[str]) -> list[Span]:
    """One capitalised word that the tagger misses or misreads (as an unknown place, a person's one-word
    name) is a company's name where a company cue stands by it: its shares ("shares of Kelvex", "Kelvex
    shares"), or an apposition describing it ("Kelvex, the Swedish steel company,"). Never a known place,
    a nationality, a title word, or a word the article also writes in lower case."""
    nouns = reference.company_nouns() | ORG_HEADS
    named = {t.i for e in ents if e.label_ == "ORG" or e.label_ == "PERSON" and len(e) > 1 or e.label_ in _NOT_NAMES for t in e}
    out = []
    for tok in doc:
        i = tok.i
        if not tok.text[:1].isupper() or not tok.is_alpha or i in refs or i in named:
            continue
        if i and doc[i - 1].text[:1].isupper() or i + 1 < len(doc) and doc[i + 1].text[:1].isupper():
            continue  # one word, not a word of a longer name
        shares = i > 1 and doc[i - 1].lower_ in ("of", "in") and doc[i - 2].lower_ in _SHARES_BEFORE \
            or i + 1 < len(doc) and doc[i + 1].lower_ in _SHARES_AFTER
        if (shares or _described_after(doc, i, nouns)) and tok.lower_ not in common_words and tok.lower_ not in TITLE_WORDS \
                and not reference.known_place(tok.text) and reference.demonym(tok.text) is None:
            out.append(doc[i:i + 1])
    return out


def _described_after(doc: Doc, i: int, nouns: frozenset[str]) -> bool:
    """"Kelvex, the Swedish steel company,": an apposition after token `i` headed by a company or institution noun."""
    if i + 2 >= len(doc) or doc[i + 1].text != "," or doc[i + 2].lower_ not in ("a", "an", "the"):
        return False
    for k in range(i + 3, min(i + 9, len(doc))):
        if doc[k].text in (",", ".", ";", "(") or doc[k].lower_ in ("of", "that", "which", "who"):
            return doc[k - 1].lower_ in nouns
    return False


def _title_before_name(doc: Doc, i: int) -> bool:
    """Whether token `i`, in a run of capitalised words, is a title before a name ("Acme Chairman John Doe"):
    a title head with a capitalised word after it. One that ends the run is a name's word, as surnames from
    trades are ("trader John Smith", "Tim Cook")."""
    return doc[i].lower_ in TITLE_WORDS and i + 1 < len(doc) and doc[i + 1].text[:1].isupper()


@cache
def _ids(words: frozenset[str]) -> frozenset[int]:
    """The ids spaCy's string store gives the words (as in `Doc.to_array("LOWER")`)."""
    return frozenset(get_string_id(w) for w in words)


def _place_led_companies(doc: Doc, text: str, ents: list[Span], refs: dict[int, Span]) -> list[Span]:
    """A known place that starts a company's name is part of it: reference "Hebei" + the tagger's
    organization "Dastrom" is "Hebei Dastrom", "China" + "Eastern" is "China Eastern", not the province or
    the country. A name the tagger calls a person's joins the place only with a company cue, since news
    puts a place right before a person too ("In Beijing Wang Yi met ..."): a legal form after it, a
    company noun before the place ("textile group Hebei Dastrom"), or the joined form used again."""
    nouns = reference.company_nouns() | ORG_HEADS
    out = []
    by_end = {p.end: p for p in refs.values()}  # reference names never overlap: one ends at each token
    for ent in ents:
        place = by_end.get(ent.start)
        if ent.ent_id_ or ent.label_ not in ("ORG", "PERSON") or place is None \
                or reference.entry(place.ent_id_).kind != "place" or doc[place.end - 1].whitespace_ != " ":
            continue
        if not all(t.text[:1].isupper() for t in ent) or any(_title_before_name(doc, t.i) for t in ent):
            continue
        end = with_tail(doc, ent.end, text)
        span = doc[place.start:end]
        if ent.label_ == "PERSON" and end == ent.end and not (
                place.start and doc[place.start - 1].lower_ in nouns and doc[place.start - 1].text.islower()) \
                and text.count(span.text) < 2:
            continue
        out.append(span)
    return out


def _tagged_kind(span: Span, text: str, label: str, refs: dict[int, Span], common_words: set[str]) -> str | None:
    """What a tagger entity really is, or None when it is no entity worth keeping."""
    doc, kind = span.doc, _LABEL_KIND[label]
    if label == "FAC" and not any(t.lower_ in GEO_HEADS for t in span):
        return None
    if not _proper(span) or _ORDINAL.search(text[max(0, span.start_char - 12):span.start_char]):
        return None
    words = [t for t in span if t.is_alpha]
    if len(words) == 1 and any(words[0].lower_ + end in common_words for end in ("", "s", "es", "d", "ed")):
        return None
    if len(span) == 1 and reference.demonym(span.text) is not None:
        return None  # "Kazakh state energy company": a nationality adjective names nothing
    if _FACILITY_AFTER.match(text, span.end_char):
        return None  # "the Beineu-Shymkent gas pipeline": a facility, not an organization
    last = span[-1].lower_.rstrip(".")
    if last in PLACE_HEADS:
        return "place"  # "Garze Tibetan Autonomous Prefecture", "Luding County"
    if len(span) > 1 and legal_form(span[-1].text):
        return "organization"
    if kind == "organization" and last in NON_ORG_HEADS:
        return None
    if _country_after(doc, span.end, refs) is not None and last not in ORG_HEADS:
        return "organization"  # "Siemens of Germany", "Shiseido of Japan": a company named with its country
    if kind == "place":
        if len(span) == 1 and span.text.isupper() and len(span.text) > 1:
            return None  # an unknown acronym is no place the reference data does not know
        if len(span) == 1 and not reference.known_place(span.text) and not _LOCATED.search(text[max(0, span.start_char - 12):span.start_char]):
            return None  # one unknown word never used as a location ("Pertamina said"): no place
    return kind


def _person_span(span: Span) -> tuple[Span | None, bool]:
    """The name without honorifics and titles before it ("Mr Chavez", "Professor Feng Rui")."""
    s, honorific = span.start, span.start > 0 and span.doc[span.start - 1].lower_ in HONORIFICS
    while s < span.end and (span.doc[s].lower_ in HONORIFICS or span.doc[s].lower_ in TITLE_WORDS and span.end - s > 2):
        honorific |= span.doc[s].lower_ in HONORIFICS
        s += 1
    name = span.doc[s:span.end]
    if not len(name) or len(name) > 4 or any(not t.text[:1].isupper() and t.lower_ not in _CONNECTORS
                                             and not _hyphen_tail(t) for t in name):
        return None, False
    return name, honorific

"""Titles of persons as the text states them, with the organization each is held in.

Shapes that carry titles in news copy:
- an apposition after the name: "Wu Yingjie, secretary of the Party Committee of the Tibet
  Autonomous Region, pointed out"; "Stuart Quint, an analyst at Gartmore"; "Rodrigo de Rato, the
  IMF's managing director"; "X, who is also chairman of Y"; "Hao Peng, Secretary of the Party
  Committee and Director of X" holds two, at one organization;
- an apposition before the name: "The Turkish economics minister, Ali Babacan, said";
  "Western's president, Christopher J. Sumner, will";
- title words before the name: "Venezuelan president Hugo Chavez", "IMF Managing Director X",
  "Energy Minister Subroto", "President Xi Jinping of China";
- a verb of office: "X, who heads Y" (`title_verbs.tsv`).

A title ends in a head noun of an open lexicon (occupations and offices from WordNet,
`title_heads.tsv`: "director", "economist", "analyst", "strategist"), never a list of titles seen
in news. The organization is the one the phrase names (after "of", "at", "with", "for", or a
possessive before the title), else the country of a nationality word; a state office
(minister, head of state, legislator, diplomat; never "president", which companies have too)
named with neither is held in the country of the dateline when the article names no other
country, and in none otherwise ("BRUSSELS - Prime Minister X said Britain ...": not Belgium's).
"""

from __future__ import annotations

import re

from extractors.agreements.words import REPORTED_FORMS
from extractors.entities.legal_forms import legal_form
from extractors.entities.mentions import Cand
from extractors.entities.spans import Spans
from extractors.entities.vocab import COMPANY_POINTERS, GENERIC_ORG_WORDS, ORG_HEADS, STATE_OFFICES, TITLE_MODIFIERS, TITLE_WORDS
from extractors.lookback import search_before, words_back
from extractors.sentences import paragraph_around
from schemas import reference
from schemas.names import name_words, singular
from schemas.reference import RefEntry, alternation

# Where an apposition ends: punctuation, a reporting verb in the past ("X, secretary of Y pointed out";
# agreement_words.tsv reporting_verb) or a verb that starts the clause's predicate.
_STOP = re.compile(rf"[,.;:()\"“”]| (?:{alternation(REPORTED_FORMS)}|was|is|has|had|who|will|would|and said)\b")
_LEAD = re.compile(r"^(?:the|a|an|then|now|its|his|her|their)\s+", re.I)
_WORD = re.compile(r"[\w'’-]+")
_AND_TITLE = re.compile(r"\s+and\s+(?=(?:the\s+)?([\w-]+))", re.I)
_POSSESSIVE = re.compile(r"['’]s\s+")
# Words that may stand before a title's head: not these, which end or leave a noun phrase.
_NOT_IN_TITLE = frozenset("of at with for in from to on by as and or but than that which who whom whose is was are "
                          "were be been has have had will would said says after before while when where".split())
_COMMA_BEFORE = re.compile(r",\s*$")
_APPOSITION = re.compile(r"\s*(?:,|\s[-–—])\s*(?:(?:who|and)\s+(?:is|was|has\s+been|had\s+been|serves\s+as|served\s+as|became)"
                         r"\s+(?:also\s+|now\s+|currently\s+)?)?")
_COMMA_AFTER = re.compile(r",\s*")
_SPACED_COMMA_AFTER = re.compile(r"\s*,")
_PUNCTUATION_AFTER = re.compile(r"\s*[,.;]")
_OF_AFTER = re.compile(r"\s+of\s+(?:the\s+)?")
_OFFICE_VERB = re.compile(r"\s*,\s*who\s+(?:(?:also|now|currently|still)\s+)?(?P<verb>[\w-]+)\s+(?:the\s+)?")


def _is_head(word: str) -> bool:
    """A title's head noun; a hyphenated one by either part ("vice-president", "secretary-general")."""
    w = word.lower()
    return w in TITLE_WORDS or "-" in w and any(part in TITLE_WORDS for part in (w.split("-")[0], w.split("-")[-1]))


def _is_title_word(word: str) -> bool:
    return _is_head(word) or word.lower() in TITLE_MODIFIERS


def _state_office(title: str) -> bool:
    """The title is a state office only ("Energy Minister"; not "President", which companies have too)."""
    words = _WORD.findall(title)
    last = words[-1].split("-")[-1] if words else ""
    return last.lower() in STATE_OFFICES


def generic(cand: Cand | None) -> bool:
    """An organization named only by generic words ("the Party Committee") describes, not names."""
    return cand is not None and cand.ref is None and all(
        w.lower() in GENERIC_ORG_WORDS for w in _WORD.findall(cand.text))


def _phrase_end(text: str, start: int, cands: Spans[Cand]) -> int:
    """Where an apposition ends: the first stop outside any mention."""
    pos = start
    while (m := _STOP.search(text, pos)) is not None:
        inside = next(iter(cands.around(m.start())), None)
        if inside is None:
            return m.start()
        pos = inside.end
    return len(text)


def _title_start(text: str, start: int, end: int, cands: Spans[Cand], unit: int) -> tuple[int, Cand | None] | None:
    """Where the title words of the noun phrase text[start:end] begin, and the organization a
    possessive or a nationality word before them names; None when the phrase holds no title.

    "the IMF's managing director" -> (at "managing", IMF); "an analyst" -> (at "analyst", None)."""
    pos, owner = start, None
    if m := _REFERRING_OWNER.match(text, pos, end):  # "its chairman", "the company's chief executive"
        pos, owner = m.end(), _antecedent(text, m["noun"] or "", start, cands)
    elif m := _LEAD.match(text[pos:end]):
        pos += m.end()
    org = next((c for c in cands.starting_at(pos) if c.kind != "person"), None)
    if org is not None and (m := _POSSESSIVE.match(text, org.end)):
        pos, owner = m.end(), org
    words = list(_WORD.finditer(text, pos, end))[:6]
    if words and (place := reference.demonym(words[0].group())) is not None and words[0].group()[:1].isupper():
        owner = owner or Cand("place", place.name, unit, -1, -1, place)
        pos = words[0].end() + 1
        words = words[1:]
    for w in words:
        if _is_head(w.group()):
            return pos, owner
        if w.group().lower() in _NOT_IN_TITLE or cands.covering(w.start()):
            return None
    return None


_COMPANY_NOUNS = "|".join(sorted(COMPANY_POINTERS))
_REFERRING_OWNER = re.compile(rf"(?:its|(?:the|this)\s+(?P<noun>{_COMPANY_NOUNS})['’]s)\s+", re.I)
_REFERRING_COMPLEMENT = re.compile(rf"\s+(?:of|at|with|for)\s+(?:the|its|this)\s+(?P<noun>{_COMPANY_NOUNS})\b", re.I)


def _antecedent(text: str, noun: str, before: int, cands: Spans[Cand]) -> Cand | None:
    """The organization "the company" or "its" refers to: the nearest one named before `before` in the same
    paragraph, one whose name has the noun as a word first ("Velora Bank" for "the bank", "Acme Group" for
    "the group")."""
    para = paragraph_around(text, before)[0]
    orgs = [c for c in cands.within(para, before) if c.kind == "organization" and not c.nested
            and not generic(c) and c.role == "actor"]
    if noun:
        orgs = [c for c in orgs if singular(noun.lower()) in name_words(c.text)] or orgs
    return max(orgs, key=lambda c: c.end, default=None)


def _org_in(cands: Spans[Cand], start: int, end: int) -> Cand | None:
    inside = [c for c in cands.within(start, end) if c.kind != "person" and not c.nested]
    orgs = [c for c in inside if c.kind == "organization"]
    countries = [c for c in inside if c.ref is not None and c.ref.type == "country"]
    return next(iter(orgs or countries or inside), None)


def _titles_in(text: str, start: int, end: int, cands: Spans[Cand], owner: Cand | None = None, p: Cand | None = None,
               created: list[Cand] | None = None) -> list[tuple[str, Cand | None]]:
    """One or more titles in text[start:end], split at "and" before another title word; `owner` is the
    organization of a possessive before them ("Metlife's chairman and chief executive"). An organization
    only the title names ("an analyst at Gartmore") becomes a new mention of `p`'s unit, added to `created`."""
    cuts = [start] + [m.end() for m in _AND_TITLE.finditer(text, start, end) if _is_title_word(m.group(1))] + [end]
    parts: list[tuple[str, Cand | None]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        seg = text[a:b]
        seg_end = a + len(re.sub(r"\s+and\s*$", "", seg))
        org = _org_in(cands, a, seg_end)
        title = text[a:seg_end]
        if org is not None:  # "chief economist at Barclays Capital in London": the title ends before its organization
            m = re.search(r"\s+(?:of|at|in|with|for|from)(?:\s+the)?\s*$", text[a:org.start])
            if m:
                title = text[a:a + m.start()]
        elif (ref := _REFERRING_COMPLEMENT.search(text, a, seg_end)) and (org := _antecedent(text, ref["noun"], a, cands)):
            title = text[a:ref.start()]  # "president of the company": the company the article names before
        elif p is not None and created is not None and (new := _complement_org(text, a, seg_end, p, cands, created)):
            title, org = text[a:new[0]], new[1]
            created.append(org)
        parts.append((_LEAD.sub("", title.strip()), org))
    for k in range(len(parts) - 2, -1, -1):  # "Secretary of the Party Committee and Director of X": both at X
        if parts[k][1] is None or generic(parts[k][1]):
            parts[k] = (parts[k][0], parts[k + 1][1])
    parts = [(t, o or owner) for t, o in parts]
    return [(t, o) for t, o in parts if t and _is_head(_WORD.findall(t)[-1] if _WORD.findall(t) else "")
            or t and o is not None]


def find_titles(text: str, cands: list[Cand], home: RefEntry | None = None) -> list[Cand]:
    """Attach (title, organization mention) pairs to the person mentions of one unit. `home` is the
    country where a state office named without an organization is held: the dateline's, when the article
    names no other country (`extract_entities`).
    Returns the organizations only a title names ("an analyst at Gartmore"), new mentions of the unit."""
    near = Spans(cands)  # by position: what each person looks up is near them
    created: list[Cand] = []
    for p in near:
        if p.kind == "organization" and p.ref is None and p.role == "actor" and _looks_personal(p):
            if any(org is not None for _, org in _after(text, p, near)):
                p.kind = "person"  # "Rodrigo de Rato, the IMF's managing director": a post makes a person
        if p.kind != "person" or p.role != "actor":
            continue
        found = (_after(text, p, near, created) + _before(text, p, near, created) + _office_verb(text, p, near)
                 + _prefix_title(text, p, near))
        for title, org in found:
            if org is None and home is not None and _state_office(title):
                org = Cand("place", home.name, p.unit, -1, -1, home)
            p.titles.append((title, org))
    return created


def _looks_personal(c: Cand) -> bool:
    """A tagger's organization that could be a person's name: no head noun or legal form ("Rodrigo de Rato")."""
    words = c.text.split()
    return len(words) > 1 and not any(w.lower().rstrip(".") in ORG_HEADS or legal_form(w) for w in words)


_COMPLEMENT = re.compile(r"\s+(?:at|with|of|for)\s+(?:the\s+)?(?P<org>[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|of|and|&))*)")


def _complement_org(text: str, start: int, end: int, p: Cand, cands: Spans[Cand],
                    created: list[Cand]) -> tuple[int, Cand] | None:
    """"analyst at Gartmore" with no known Gartmore: the capitalised words after the title's preposition
    in text[start:end] name its organization. Returns where the title ends and that new mention, or None."""
    m = _COMPLEMENT.search(text, start, end)
    words = _WORD.findall(text[start:m.start()]) if m else []
    if m is None or not words or not _is_head(words[-1]):
        return None
    name = re.sub(r"(?:\s+(?:of|and|&))+$", "", m["org"])
    s, e = m.start("org"), m.start("org") + len(name)
    if name.lower() in TITLE_WORDS or reference.demonym(name) or cands.overlapping(s, e) \
            or any(c.start < e and s < c.end for c in created):
        return None
    ref = reference.lookup(name)
    return m.start(), Cand("place" if ref and ref.kind == "place" else "organization", name, p.unit, s, e, ref, sent=p.sent)


def _after(text: str, p: Cand, cands: Spans[Cand], created: list[Cand] | None = None) -> list[tuple[str, Cand | None]]:
    """"X, managing director of Y", "X - Party Secretary and Vice President of Y", "X, the IMF's managing director"."""
    after = _APPOSITION.match(text, p.end)
    if not after:
        return []
    start = after.end()
    end = _phrase_end(text, start, cands)
    found = _title_start(text, start, end, cands, p.unit)
    if found is None:
        return []
    tstart, owner = found
    nxt = _COMMA_AFTER.match(text, end)
    org = next((c for c in cands.starting_at(nxt.end()) if c.kind == "organization"), None) if nxt else None
    if org is not None and _PUNCTUATION_AFTER.match(text, org.end):  # "X, chairman, Y Corp, said"
        return [(t, org) for t, o in _titles_in(text, tstart, end, cands, owner)]
    return _titles_in(text, tstart, end, cands, owner, p, created)


def _before(text: str, p: Cand, cands: Spans[Cand], created: list[Cand] | None = None) -> list[tuple[str, Cand | None]]:
    """"The Turkish economics minister, Ali Babacan, said", "Western's president, Christopher J. Sumner, will",
    "Acme said its president, John Doe, would retire"."""
    comma = search_before(_COMMA_BEFORE, text, p.start, 1)
    if not comma or not _SPACED_COMMA_AFTER.match(text, p.end):
        return []
    clause = max(text.rfind(", ", 0, comma.start()) + 2, text.rfind("; ", 0, comma.start()) + 2, p.sent[0])
    words = list(_WORD.finditer(text, clause, comma.start()))
    if not words or not _is_head(words[-1].group()):
        return []
    for w in words:  # the longest title phrase that ends the clause: "Acme said its president, X, ..."
        found = _title_start(text, w.start(), comma.start(), cands, p.unit)
        if found is not None:
            return _titles_in(text, found[0], comma.start(), cands, found[1], p, created)
    return []


def _office_verb(text: str, p: Cand, cands: Spans[Cand]) -> list[tuple[str, Cand | None]]:
    """"X, who heads Y": the post the verb states, at Y."""
    m = _OFFICE_VERB.match(text, p.end)
    title = reference.title_verbs().get(m["verb"].lower()) if m else None
    org = next((c for c in cands.starting_at(m.end()) if c.kind == "organization"), None) if m else None
    return [(title, org)] if title and org is not None else []


def _prefix_title(text: str, p: Cand, cands: Spans[Cand]) -> list[tuple[str, Cand | None]]:
    """Title words before a name: "Venezuelan president Hugo Chavez", "Chinese Foreign Minister Wang Yi",
    "Serbian Minister of Internal and Foreign Trade X", "Chinese Ambassador to Ethiopia X", "Dalton Chairman X",
    "Energy Minister X" (a portfolio word before a state office is part of the title, not an organization)."""
    lead, start = _title_lead(text, p, cands)
    org = _lead_org(text, lead, start, p, cands)
    words = list(_WORD.finditer(text, start, p.start))
    if org is not None and org.ref is None and lead == "cand" and len(org.text.split()) == 1 and words \
            and _state_office(text[start:p.start]) and not _POSSESSIVE.match(text, org.end):
        org.dropped = True  # "Energy Minister": a portfolio
        words = list(_WORD.finditer(text, org.start, p.start))
        org = None
    if org is None:  # without a nationality or organization before it, a title starts with a title word
        while words and not _is_title_word(words[0].group()) and not (  # or a portfolio: "Prime Minister", "Energy Minister"
                words[0].group()[:1].isupper() and len(words) > 1 and _is_head(words[1].group())):
            words.pop(0)
    while words and words[0].group().lower() in _TITLE_CONNECTORS:
        words.pop(0)
    if not any(_is_head(w.group()) for w in words):
        return []
    m = _OF_AFTER.match(text, p.end)
    if org is None and m:
        org = next((c for c in cands.starting_at(m.end()) if c.kind != "person"), None)
    p.honorific = True  # a title before a name makes one word a name ("Energy Minister Subroto")
    return [(text[words[0].start():words[-1].end()], org)]


_TITLE_CONNECTORS = {"of", "and", "to", "for", "the"}


def _title_lead(text: str, p: Cand, cands: Spans[Cand]) -> tuple[str | None, int]:
    """Walk back over the title before `p`: (what stopped the walk: a word or None, where the title starts)."""
    pos = p.start
    while p.start - pos < 100:  # a title is a few words, not a paragraph of capitals
        m = re.search(r"([\w'’-]+)\s+$", text[max(0, pos - 60):pos])
        if not m:
            return None, pos
        w_start = pos - len(m.group())
        word = m.group(1)
        inside = next((c for c in cands.covering(w_start) if c is not p), None)
        name_start = inside.start if inside is not None else w_start
        prev = re.search(r"([\w'’-]+)\s+$", text[max(0, name_start - 20):name_start])
        complement = prev is not None and prev.group(1).lower() in ("to", "of")
        if inside is not None and not complement:
            return "cand", pos
        if inside is not None:
            pos = inside.start
            continue
        if reference.demonym(word) is not None:
            return word, pos
        if not (_is_title_word(word) or word[:1].isupper() or word.lower() in _TITLE_CONNECTORS):
            return None, pos
        pos = w_start
    return None, pos


def _lead_org(text: str, lead: str | None, start: int, p: Cand, cands: Spans[Cand]) -> Cand | None:
    """The organization or country named just before the title: "Harrow chief executive", "Chinese"."""
    if lead == "cand":
        # between the name and the title only spaces and a possessive: the name ends in the last two words
        return next((c for c in cands.ending_in(words_back(text, start, 2), start)
                     if text[c.end:start].strip() in ("", "'s", "’s")
                     and c.kind != "person"), None)
    if lead is not None:
        place = reference.demonym(lead)
        return Cand("place", place.name, p.unit, -1, -1, place) if place is not None else None
    return None

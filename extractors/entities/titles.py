"""Titles of persons as the text states them.

Two shapes carry nearly all titles in news copy: the apposition after a name ("Wu Yingjie,
secretary of the Party Committee of the Tibet Autonomous Region, pointed out"; "Hao Peng,
Secretary of the Party Committee and Director of X" holds two) and title words before a
name ("Venezuelan president Hugo Chavez", "President Xi Jinping of China"). The
organization is the one named in the title phrase, or the country of a nationality word.
"""

from __future__ import annotations

import re

from extractors.entities.mentions import Cand
from extractors.entities.vocab import GENERIC_ORG_WORDS, TITLE_MODIFIERS, TITLE_WORDS
from schemas import reference

_STOP = re.compile(r"[,.;:()\"“”]| (?:said|says|told|pointed|noted|stressed|emphasized|emphasised|added|was|is|"
                   r"has|had|who|will|would|and said)\b")
_LEAD = re.compile(r"^(?:the|a|an|then|now)\s+", re.I)
_WORD = re.compile(r"[\w'’-]+")
_AND_TITLE = re.compile(r"\s+and\s+(?=(?:the\s+)?([\w-]+))", re.I)


def _is_title_word(word: str) -> bool:
    return word.lower() in TITLE_WORDS or word.lower() in TITLE_MODIFIERS


def _starts_with_title(phrase: str) -> bool:
    words = _WORD.findall(phrase)
    for w in words[:3]:
        if w.lower() in TITLE_WORDS:
            return True
        if w.lower() not in TITLE_MODIFIERS:
            return False
    return False


def generic(cand: Cand | None) -> bool:
    """An organization named only by generic words ("the Party Committee") describes, not names."""
    return cand is not None and cand.ref is None and all(
        w.lower() in GENERIC_ORG_WORDS for w in _WORD.findall(cand.text))


def _phrase_end(text: str, start: int, cands: list[Cand]) -> int:
    """Where an apposition ends: the first stop outside any mention."""
    pos = start
    while (m := _STOP.search(text, pos)) is not None:
        inside = next((c for c in cands if c.start < m.start() < c.end), None)
        if inside is None:
            return m.start()
        pos = inside.end
    return len(text)


def _org_in(cands: list[Cand], start: int, end: int) -> Cand | None:
    inside = [c for c in cands if start <= c.start and c.end <= end and c.kind != "person" and not c.nested]
    orgs = [c for c in inside if c.kind == "organization"]
    countries = [c for c in inside if c.ref is not None and c.ref.type == "country"]
    return (orgs or countries or inside or [None])[0]


def _titles_in(text: str, start: int, end: int, cands: list[Cand]) -> list[tuple[str, Cand | None]]:
    """One or more titles in text[start:end], split at "and" before another title word."""
    cuts = [start] + [m.end() for m in _AND_TITLE.finditer(text, start, end) if _is_title_word(m.group(1))] + [end]
    parts = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        seg = text[a:b]
        seg_end = a + len(re.sub(r"\s+and\s*$", "", seg))
        org = _org_in(cands, a, seg_end)
        title = text[a:seg_end]
        if org is not None and org.end == seg_end:
            m = re.search(r"\s+(?:of|at|in)(?:\s+the)?\s*$", text[a:org.start])
            if m:
                title = text[a:a + m.start()]
        parts.append([_LEAD.sub("", title.strip()), org])
    for k in range(len(parts) - 2, -1, -1):  # "Secretary of the Party Committee and Director of X": both at X
        if parts[k][1] is None or generic(parts[k][1]):
            parts[k][1] = parts[k + 1][1]
    return [(t, o) for t, o in parts if t]


def find_titles(text: str, cands: list[Cand]) -> None:
    """Attach (title, organization mention) pairs to the person mentions of one unit."""
    cands = sorted(cands, key=lambda c: c.start)
    for p in cands:
        if p.kind != "person" or p.role != "actor":
            continue
        after = re.match(r"\s*,\s*", text[p.end:])
        if after:
            start = p.end + after.end()
            if _starts_with_title(text[start:start + 60]):
                end = _phrase_end(text, start, cands)
                nxt = re.match(r",\s*", text[end:])
                org = next((c for c in cands if nxt and c.start == end + nxt.end() and c.kind == "organization"), None)
                if org is not None and re.match(r"\s*[,.;]", text[org.end:]):
                    p.titles += [(t, org) for t, o in _titles_in(text, start, end, cands)]
                else:
                    p.titles += _titles_in(text, start, end, cands)
        p.titles += _prefix_title(text, p, cands)


def _prefix_title(text: str, p: Cand, cands: list[Cand]) -> list[tuple[str, Cand | None]]:
    """Title words before a name: "Venezuelan president Hugo Chavez", "Chinese Foreign Minister Wang Yi",
    "Serbian Minister of Internal and Foreign Trade X", "Chinese Ambassador to Ethiopia X", "Dalton Chairman X"."""
    lead, start = _title_lead(text, p, cands)
    words = list(_WORD.finditer(text, start, p.start))
    org = _lead_org(text, lead, start, p, cands)
    if org is None:  # without a nationality or organization before it, a title starts with a title word
        while words and not _is_title_word(words[0].group()):
            words.pop(0)
    while words and words[0].group().lower() in _TITLE_CONNECTORS:
        words.pop(0)
    if not any(w.group().lower() in TITLE_WORDS for w in words):
        return []
    m = re.match(r"\s+of\s+(?:the\s+)?", text[p.end:])
    if org is None and m:
        org = next((c for c in cands if c.start == p.end + m.end() and c.kind != "person"), None)
    return [(text[words[0].start():words[-1].end()], org)]


_TITLE_CONNECTORS = {"of", "and", "to", "for", "the"}


def _title_lead(text: str, p: Cand, cands: list[Cand]) -> tuple[str | None, int]:
    """Walk back over the title before `p`: (what stopped the walk: a word or None, where the title starts)."""
    pos = p.start
    while p.start - pos < 100:  # a title is a few words, not a paragraph of capitals
        m = re.search(r"([\w'’-]+)\s+$", text[max(0, pos - 60):pos])
        if not m:
            return None, pos
        w_start = pos - len(m.group())
        word = m.group(1)
        inside = next((c for c in cands if c.start <= w_start < c.end and c is not p), None)
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


def _lead_org(text: str, lead: str | None, start: int, p: Cand, cands: list[Cand]) -> Cand | None:
    """The organization or country named just before the title: "Harrow chief executive", "Chinese"."""
    if lead == "cand":
        return next((c for c in cands if c.end <= start and text[c.end:start].strip() in ("", "'s", "’s")
                     and c.kind != "person"), None)
    if lead is not None:
        place = reference.demonym(lead)
        return Cand("place", place.name, p.unit, -1, -1, place)
    return None

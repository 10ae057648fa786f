"""Organization and event names read from capitalised phrases by their head noun.

Machine-translated Chinese news names organizations by long phrases the tagger cuts up
("People's Government of the Tibet Autonomous Region", "Zhongshan Hospital Affiliated to
Xiamen University"). A name here is a run of capitalised words (hyphenated words and
"People's" kept whole) ending in a head noun ("Government", "Hospital"), optionally joined
to an earlier run by "and" ("Supervision and Administration Commission") and extended by
"of ..." / "affiliated to ..." complements. A headed complement that is itself an
organization ("... of Naval Military Medical University") is reported as nested.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from extractors.entities.legal_forms import legal_form, with_tail
from extractors.entities.vocab import EVENT_HEADS, INDUSTRY_HEADS, INSTITUTION_HEADS, ORDINALS, ORG_HEADS

_JOIN = {"and", "&"}
Segment = tuple[str | None, int, int]  # the connector before it ("and", "of" or None), token start, token end
Chain = list[Segment]
_ADJECTIVE_SUFFIXES = {"based", "headquartered", "born", "listed", "made", "run", "backed", "funded", "led"}
_COMPLEMENT = {"of", "for", "de", "du", "des", "del", "di", "affiliated"}


@dataclass(frozen=True)
class Phrase:
    start: int  # token offsets in the doc
    end: int
    kind: str  # "organization" | "event"
    nested: bool = False


def _is_name_word(tok: Token) -> bool:
    t = tok.text
    if not t[:1].isupper() or tok.like_num and tok.lower_ not in ORDINALS:  # "Second National Bank" keeps "Second"
        return False
    return not (tok.is_stop and not t.isupper())


def _affiliated(doc: Doc, i: int, end: int) -> bool:
    return doc[i].lower_ == "affiliated" and i + 1 < end and doc[i + 1].lower_ == "to"


def _segments(doc: Doc, start: int, end: int) -> list[Chain]:
    """Runs of name words and the connector before each: [(connector, seg_start, seg_end)], chains split."""
    chains: list[Chain] = []
    chain: Chain = []
    i, conn = start, None
    while i < end:
        tok = doc[i]
        if _is_name_word(tok) and not _affiliated(doc, i, end):
            j = i + 1
            while j < end:
                t = doc[j]
                if t.text == "-" and not doc[j - 1].whitespace_ and not t.whitespace_ and j + 1 < end \
                        and doc[j + 1].lower_ not in _ADJECTIVE_SUFFIXES:
                    j += 2
                elif t.text in ("'s", "’s") and j + 1 < end and _is_name_word(doc[j + 1]) and not doc[j - 1].ent_id_:
                    j += 1
                elif _is_name_word(t) and not _affiliated(doc, j, end):
                    j += 1
                else:
                    break
            chain.append((conn, i, j))
            conn, i = None, j
            continue
        word = tok.lower_
        if chain and conn is None and (word in _JOIN or word in _COMPLEMENT):
            k = i + 1
            if word == "affiliated" and k < end and doc[k].lower_ == "to":
                k += 1
            elif word == "affiliated":
                k = end
            if k < end and doc[k].lower_ == "the":
                k += 1
            if k < end and _is_name_word(doc[k]):
                conn, i = ("and" if word in _JOIN else "of"), k
                continue
        if chain:
            chains.append(chain)
        chain, conn, i = [], None, i + 1
    if chain:
        chains.append(chain)
    return chains


def _possessive(doc: Doc, seg: Segment) -> bool:
    """"of China and Ethiopia's Ministry": a possessive starts the next name, it joins no complement."""
    return seg[2] < len(doc) and doc[seg[2]].text in ("'s", "’s")


def _head(doc: Doc, seg: Segment) -> str:
    return str(doc[seg[2] - 1].lower_).rstrip(".")


def _legal(doc: Doc, seg: Segment) -> bool:
    """The segment is a name ending in a legal form: "Fincantieri SpA", "Royal Dutch Shell N.V."."""
    return seg[2] - seg[1] > 1 and legal_form(doc[seg[2] - 1].text)


def _headed(doc: Doc, seg: Segment, heads: frozenset[str]) -> bool:
    return _head(doc, seg) in heads or heads is ORG_HEADS and _legal(doc, seg)


def _name_at(doc: Doc, chain: Chain, s: int, heads: frozenset[str]) -> tuple[int, list[int]] | None:
    """The name starting at segment s: (last segment, complement segments that start names)."""
    j = s
    while not _headed(doc, chain[j], heads) and j + 1 < len(chain) and chain[j + 1][0] == "and":
        j += 1
    head = _head(doc, chain[j])
    if not _headed(doc, chain[j], heads) or head in INDUSTRY_HEADS and chain[j][2] - chain[s][1] < 2:
        return None  # "Oil prices": an industry word alone names no company
    inner = []
    complements = head not in INDUSTRY_HEADS and not _legal(doc, chain[j])  # "Dow Chemical of the U.S.", "X Corp of Y"
    while j + 1 < len(chain) and chain[j + 1][0] == "of" and complements:
        j += 1
        inner.append(j)
        while j + 1 < len(chain) and chain[j + 1][0] == "and" and _head(doc, chain[j + 1]) not in INSTITUTION_HEADS \
                and not _possessive(doc, chain[j + 1]):
            j += 1
    return j, inner


def _names(doc: Doc, text: str, chain: Chain, heads: frozenset[str], kind: str) -> list[Phrase]:
    out, s = [], 0
    while s < len(chain):
        found = _name_at(doc, chain, s, heads)
        if found is None:
            s += 1
            continue
        last, inner = found
        out.append(Phrase(chain[s][1], with_tail(doc, chain[last][2], text) if kind == "organization" else chain[last][2], kind))
        for c in inner:
            sub = _name_at(doc, chain, c, heads)
            if sub:
                out.append(Phrase(chain[c][1], chain[sub[0]][2], kind, nested=True))
        s = last + 1
    return out


def _goods(doc: Doc, i: int, legal: int) -> bool:
    """Token `i` is a plural word a company's name lists among its goods ("Oils"): no name of the tagger's
    claims it, unless that name reads over the list's commas too or ends in the legal form at `legal`."""
    t = doc[i]
    if not (t.is_alpha and t.text[:1].isupper() and t.lower_.endswith("s")):
        return False
    return not t.ent_type_ or any(e.start <= i < e.end and (e.start <= legal < e.end or any(w.text == "," for w in e))
                                  for e in doc.ents)


def _goods_list_start(doc: Doc, phrase: Phrase, sent_start: int) -> int:
    """Where a company's name that lists its goods with commas starts, anchored at its legal form: for
    "Chemicals Corp" in "Velora National Metals, Minerals and Chemicals Corp", at "Velora"; else the
    phrase's own start. The list is plural words no other name claims ("Royal Philips, Siemens and Airbus
    SE" is three names), separated by commas and a last "and", after a name of two capitalised words or more
    whose last word is the first good ("Metals")."""
    legal = phrase.end - 1
    if not legal_form(doc[legal].text) or legal - 1 < sent_start or not _goods(doc, legal - 1, legal):
        return phrase.start
    k, seps = legal - 1, []
    while k - 2 >= sent_start and doc[k - 1].lower_ in (",", "and") and _goods(doc, k - 2, legal):
        seps.append(doc[k - 1].lower_)
        k -= 2
    if not seps or seps[0] != "and" or "," not in seps:
        return phrase.start
    start = k
    while start > sent_start and doc[start - 1].is_alpha and doc[start - 1].text[:1].isupper():
        start -= 1
    return start if k - start >= 1 and start < phrase.start else phrase.start


def find_phrases(doc: Doc, text: str) -> list[Phrase]:
    """Organization and event names in `doc`, sentence by sentence. `text` is `doc.text`, read once by the
    caller (spaCy rebuilds it from every token on each call)."""
    out = []
    for sent in doc.sents:
        found = []
        for chain in _segments(doc, sent.start, sent.end):
            found += _names(doc, text, chain, EVENT_HEADS, "event")
            found += _names(doc, text, chain, ORG_HEADS, "organization")
        for p in [p for p in found if p.kind == "organization" and not p.nested]:
            start = _goods_list_start(doc, p, sent.start)
            if start < p.start:  # one name over the commas: the phrases inside it go
                found = [q for q in found if not start <= q.start < p.start and q is not p] + [
                    Phrase(start, p.end, p.kind)]
        out += found
    return out

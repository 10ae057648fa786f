"""Where the sides of a stated agreement stand in its sentence, read from the dependency parse.

The parser runs only on the sentences that state an agreement (a few per article). From the
word that states it (the agreement noun, or the acquisition verb) the reading finds the verb
that concludes it: "signed a deal", "signed for a loan", "entered into an agreement", "the
contract Pertamina signed with ...", "the agreement signed by ...", "the signing of ...",
"agreed to buy" (the subject of "agreed" buys). The frame of that verb and of the noun
(`frames.py`) says which phrase holds which side: subject, object, passive subject, the "by"
of a passive, "with" / "between" / "among" / "from" / "to" phrases, a possessor.

Each phrase gives one side per name it lists: coordination ("with A, B and C respectively",
"X and Y signed") and apposition ("a developer, CompositAir") expand; members listed beside
a collective ("13 central SOEs, including A, B and C") are sides too. A description that
heads its phrase leads to the name it is built on ("Japanese apparel maker Renown Inc",
"its Travelers Life & Annuity insurance arm", "a 41 percent stake in Renown", "the
government of Belluno"). A pronoun subject ("it will buy") is the subject of the reporting
verb above it ("Shandong Ruyi said ... that it will buy").
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from spacy.tokens import Doc, Token

from extractors.agreements.frames import has_frame, noun_frame, verb_frame
from extractors.agreements.triggers import CONCLUDE
from extractors.agreements.words import COMMITMENT_VERBS, REPORTING_LEMMAS, VALUE_NOUNS, VALUE_VERBS
from extractors.entities.nlp import parse_sentences
from extractors.entities.vocab import COMPANY_POINTERS
from schemas.names import singular

# Relations by which a noun is what a verb concludes ("signed a deal", "a deal was signed").
_OBJECT_DEPS = {"dobj", "nsubjpass", "attr", "oprd", "dative", "obj"}
# Prepositions that link a verb to the agreement it concludes ("signed for a loan", "entered into").
_LINKING_PREPS = {"for", "into", "on", "to"}
_QUANTITY_NOUNS = {"total", "number", "series", "batch", "set", "package", "raft", "slew", "range"}
# Nouns that name the act of concluding ("the signing of the agreement between ...").
_ACT_NOUNS = {"signing", "signature", "conclusion", "sign"}
# Clause links a side's subject is inherited through ("agreed to buy", "signed and sealed", "a proposal to borrow").
_INHERIT = {"xcomp", "conj"}
_STAND_IN_PRONOUNS = {"it", "they", "we"}
# Forms of "be" (the parser's lemmas leave auxiliaries as written): a copula concludes no agreement.
_BE = {"be", "is", "are", "was", "were", "been", "being", "am", "'s", "’s", "'re"}
_SIDE_PREPS = {"with", "between", "among", "amongst"}
_COUNTERPARTS = (("lender", "borrower"), ("borrower", "lender"))
_LIST_PREPS = {"including", "like", "namely", "includes"}
# Prepositions by which a description leads to the name it is built on ("representatives for ...").
_DESCRIBED_PREPS = {"of", "in", "for", "from"}
_PHRASE_PREPS = {"on", "of", "for", "with", "worth", "covering", "involving"}
# Modifiers of an agreement noun whose "with" phrase is the agreement's ("a contract worth $X with Y").
_NOUN_MODIFIERS = {"amod", "npadvmod", "advmod", "appos", "nummod", "quantmod", "compound"}

# The name covering a character offset: its kind (an entity kind, or "collective"), start and end.
NameAt = Callable[[int], "tuple[str, int, int] | None"]


_MARKS = str.maketrans("<>", "  ")


def parse_many(texts: list[str]) -> list[Doc]:
    """The dependency parse of each sentence, in one batch. Wire copy's marks around company names
    ("<Acme Inc>") are read as spaces, which keeps every offset."""
    return parse_sentences([t.translate(_MARKS) for t in texts])


def _anchor(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _governor(noun: Token) -> Token | None:
    """The verb (or act noun) that concludes the agreement `noun` names, if the parse shows one: its own
    clause first ("48 projects being signed", "the contract Pertamina signed"), else the verb it depends on."""
    n = noun
    while n.dep_ == "pobj" and n.head.lower_ == "of" and n.head.head.lemma_.lower() in _QUANTITY_NOUNS:
        n = n.head.head  # "a total of 48 projects"
    clauses = [c for t in (noun, n) for c in t.children if c.dep_ in ("relcl", "acl") and c.pos_ == "VERB"]
    if own := next((c for c in clauses if CONCLUDE.fullmatch(c.text)), None):
        return own
    while n.dep_ in ("conj", "appos") and n.head is not n:
        n = n.head  # "signed an engine and maintenance service agreement"
    head = n.head
    if n.dep_ in _OBJECT_DEPS and head.pos_ in ("VERB", "AUX") and head.lower_ not in _BE:  # not "it was a deal"
        return head
    if n.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
        above = head.head
        if head.lower_ in ("of", "on") and above.lower_ in _ACT_NOUNS:
            return above
        if head.lower_ in _LINKING_PREPS and above.pos_ == "VERB":
            return above
    return clauses[0] if clauses else None


def _verb_lemma(verb: Token) -> str:
    if verb.lower_ in _ACT_NOUNS:
        return "sign"
    lemma = verb.lemma_.lower()
    particle = next((c.lower_ for c in verb.children if c.dep_ == "prt"), None)
    return f"{lemma} {particle}" if particle and has_frame(f"{lemma} {particle}") else lemma  # "take over", "buy up"


def _pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ == "pobj"]


class Slot(NamedTuple):
    """A phrase that holds a side: the role the frame gives it, its head, and whether it is the subject
    (the side that stands before the verb)."""

    role: str
    head: Token
    subject: bool = False


_DEP_SLOTS = {"nsubj": "subject", "nsubjpass": "passive", "dobj": "object", "dative": "dative", "poss": "poss",
              "obj": "object"}


def _slots(word: Token, frame: dict[str, str], skip: AbstractSet[int] = frozenset()) -> list[Slot]:
    """Each filled slot of `word`'s frame; a phrase the parse hangs on the object ("bought a stake in X from
    Y") counts as the verb's."""
    out = []
    objects = [c for c in word.children if c.dep_ in ("dobj", "obj") and c.i not in skip]
    for c in [*word.children, *(p for o in objects for p in o.children if p.dep_ == "prep" and p.lower_ in ("from", "to"))]:
        if c.i in skip:
            continue
        dep = c.dep_
        if dep in ("prep", "dative") and c.pos_ == "ADP" and c.lower_ in frame:  # "sold X to Y" (to: dative)
            out += [Slot(frame[c.lower_], o) for o in _pobjs(c)]
        elif dep == "agent" and "agent" in frame:
            out += [Slot(frame["agent"], o) for o in _pobjs(c)]
        elif (slot := _DEP_SLOTS.get(dep)) in frame:
            out.append(Slot(frame[slot], c, slot == "subject"))
    return out


def _reporter(verb: Token) -> Token | None:
    """The subject of the reporting verb above `verb` ("X said it will buy"), when it is no pronoun."""
    v = verb
    for _ in range(6):
        if v.lemma_.lower() in REPORTING_LEMMAS and v is not verb:  # the subject next to the verb, past a dateline's place
            subject = next((c for c in reversed(list(v.lefts)) if c.dep_ == "nsubj"), None)
            return subject if subject is not None and subject.pos_ != "PRON" else None
        if v.head is v:
            return None
        v = v.head
    return None


def _stand_in(token: Token) -> bool:
    """A pronoun or a description that stands for the company reporting: "it", "the company", "its board"."""
    return (token.pos_ == "PRON" and token.lower_ in _STAND_IN_PRONOUNS or singular(token.lower_) in COMPANY_POINTERS
            and any(c.lower_ == "the" for c in token.children)) \
        or any(c.dep_ == "poss" and c.lower_ in ("its", "their") for c in token.children)


def _passive(verb: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in verb.children)


def _inherited(verb: Token, frame: dict[str, str]) -> list[Slot]:
    """Sides a verb takes from the clauses it depends on: the subject of "agreed" for "agreed to buy",
    and their "with" phrases ("agreed a proposal with the IMF to borrow")."""
    out: list[Slot] = []
    v, subject = verb, any(c.dep_ == "nsubj" for c in verb.children)
    for _ in range(4):
        if v.dep_ == "acl" and v.head.dep_ in _OBJECT_DEPS:  # "a proposal (with Y) to borrow": its verb
            out += _side_preps([v.head])
            v = v.head.head
        elif v.dep_ in _INHERIT and v.head is not v:
            v = v.head
        else:
            break
        out += _side_preps([v], modifiers=False)
        if not subject and "subject" in frame and (nsubj := next((c for c in v.children if c.dep_ == "nsubj"), None)):
            # "X agreed to be bought by Y": the subject of a passive is what its passive subject is
            role = frame.get("passive", frame["subject"]) if _passive(verb) else frame["subject"]
            out.append(Slot(role, nsubj, True))
            subject = True
    return out


def _side_preps(words: list[Token], modifiers: bool = True) -> list[Slot]:
    """The "with" / "between" / "among" phrases of some words, and of their modifiers ("a contract worth
    $X with Y")."""
    out = []
    stack = list(words)
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in _SIDE_PREPS:
                out += [Slot("signatory", o) for o in _pobjs(c)]
            if modifiers and c.dep_ in _NOUN_MODIFIERS:
                stack.append(c)
            elif modifiers and c.dep_ == "prep" and c.lower_ in _PHRASE_PREPS:  # "agreements on 30 projects
                stack += _pobjs(c)  # with a total investment of 20 billion yuan with X"
    return out


def _members(token: Token, name_at: NameAt, depth: int = 0) -> list[Token]:
    """The names a phrase lists: its head, conjuncts, what "including" / "such as" lists, and the name in
    apposition to a description ("a developer, CompositAir"; not the description beside a name)."""
    out = [token]
    if depth > 12:
        return out
    name = name_at(token.idx)
    # a name's own words may carry the next conjunct ("Hospital Affiliated to X University and Y Hospital")
    heads = [t for t in token.doc if name[1] <= t.idx < name[2]] if name else [token]
    for t in heads:
        for c in t.children:
            if name and name[1] <= c.idx < name[2]:
                continue
            if c.dep_ == "conj":
                out += _members(c, name_at, depth + 1)
            elif c.dep_ in ("poss", "nmod") and (other := name_at(c.idx)) and other[0] != "place":
                out += _members(c, name_at, depth + 1)  # two names the parse folded into one ("A's B and C")
            elif c.dep_ == "appos":  # the name beside a description; past a description beside a name
                out += _members(c, name_at, depth + 1) if name_at(c.idx) or not name else [
                    m for g in c.children if g.dep_ == "conj" for m in _members(g, name_at, depth + 1)]
            elif c.dep_ == "prep" and (c.lower_ in _LIST_PREPS or c.lower_ == "as" and any(g.lower_ == "such" for g in c.children)):
                for o in _pobjs(c):
                    out += _members(o, name_at, depth + 1)
    return out


def _kind_at(offset: int, name_at: NameAt) -> str | None:
    found = name_at(offset)
    return found[0] if found else None


def _kind(token: Token, name_at: NameAt) -> str | None:
    return _kind_at(token.idx, name_at)


def _named_in(token: Token, name_at: NameAt, depth: int = 0) -> list[int]:
    """Offsets of the names a phrase head stands for: itself, or the names of the description it heads.
    A place inside a description, or after "in" / "from", only qualifies it ("China, Kazakhstan firms",
    "two hospitals in Shanghai and Xiamen")."""
    if (kind := _kind(token, name_at)) == "place":  # "Acme Korea": a country right after a company's name qualifies it
        named = [c.idx for c in token.lefts if c.dep_ in ("compound", "nmod") and _kind(c, name_at) not in (None, "place")]
        return named[:1] or [token.idx]
    if kind:
        return [token.idx]
    if token.pos_ not in ("NOUN", "PROPN", "X") or depth > 3:
        return []
    inside = [t.idx for c in token.lefts if c.dep_ not in ("poss", "det") for t in c.subtree
              if _kind(t, name_at) not in (None, "place")]
    if inside:
        return inside[:1]  # "its Travelers Life & Annuity insurance arm"
    for c in token.children:  # the first phrase that names: "a stake in X (from Y)", "representatives for X"
        if c.dep_ == "prep" and c.lower_ in _DESCRIBED_PREPS:
            out = [n for o in _pobjs(c) for m in _members(o, name_at)
                   if c.lower_ in ("of", "for") or _kind(m, name_at) != "place" for n in _named_in(m, name_at, depth + 1)]
            if out:
                return out
    return []


class Reading(NamedTuple):
    """What the parse shows of one stated agreement: each side as (role, character offset of its name,
    whether it is the subject), and whether a subject phrase and another side's phrase were found at all
    (a phrase may hold no name the article knows: "a stake in electronics retailer Laox")."""

    sides: list[tuple[str, int, bool]]
    subject_seen: bool
    others_seen: bool


def _fragment_slots(verb: Token, name_at: NameAt) -> list[Slot]:
    """Organizations listed in a fragment closed by "etc." right before a clause whose subject is a plural
    pointer back to them: machine translation writes "At the meeting, Acme Corp of Japan, Beta Inc and Gamma
    AG, etc. The member companies signed ..."; the names listed are what "the member companies" stands for.
    Never places, and never when the subject is a name."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.tag_ != "NNS" or not any(
            c.dep_ == "det" and c.lower_ in ("the", "these", "those") for c in subject.children):
        return []
    sents = list(verb.doc.sents)
    k = sents.index(verb.sent)
    words = [t for t in sents[k - 1] if not t.is_punct] if k else []
    if not words or words[-1].lower_ != "etc":
        return []
    return [Slot("signatory", t, True) for t in sents[k - 1] if t.dep_ in ("conj", "appos", "dobj", "nsubj", "ROOT", "npadvmod")
            and t.pos_ == "PROPN" and any(_kind_at(o, name_at) == "organization" for o in _named_in(t, name_at))]



def reads_as_noun(doc: Doc, start: int, end: int) -> bool:
    """Whether the word at `doc.text[start:end]` stands as a noun after a determiner ("the share purchase
    will make ..."), not as the verb of a clause."""
    anchor = _anchor(doc, start, end)
    return anchor is not None and anchor.pos_ in ("NOUN", "PROPN") and any(
        c.dep_ == "det" for c in anchor.children)


def _predicate(anchor: Token, start: int, end: int) -> tuple[Token | None, Token | None, Token | None]:
    """(agreement noun, the verb that concludes it, the verb of its purpose) for an anchor word."""
    noun = anchor if anchor.pos_ not in ("VERB", "AUX") else None
    verb = _governor(anchor) if noun is not None else anchor
    purpose = None if noun is None else next(
        (c for c in noun.children if c.dep_ == "acl" and c is not verb and has_frame(_verb_lemma(c))), None)
    return noun, verb, purpose


def values_agreement(doc: Doc, start: int, end: int, money_start: int, money_end: int) -> bool:
    """Whether the sum at `doc.text[money_start:money_end]` is the value of the agreement stated by
    `doc.text[start:end]`: it hangs on the agreement phrase ("a contract worth $X", "the $4bn share
    purchase"), on the verb that concludes it ("sold X for $Y", "to borrow $10bn") or on a value noun of
    either ("with a total contract value of $Z"), not on another noun ("payments on loans worth $3.7m")."""
    anchor, money = _anchor(doc, start, end), _anchor(doc, money_start, money_end)
    if anchor is None or money is None:
        return False
    noun, verb, purpose = _predicate(anchor, start, end)
    targets = {t.i for t in doc if start <= t.idx < end} | {t.i for t in (verb, purpose) if t is not None}
    v = verb
    while v is not None and v.dep_ in ("xcomp", "conj") and v.head is not v:  # "agreed to acquire X for $Y"
        v = v.head
        targets.add(v.i)
    if noun is not None and noun.dep_ in ("nsubj", "nsubjpass") and noun.head.lower_ in _BE:
        targets.add(noun.head.i)  # "the deal is worth $X"
    t = money
    for _ in range(8):
        if t.i in targets:
            return True
        if t.lemma_ in VALUE_VERBS and t.i and doc[t.i - 1].text == ",":
            return True  # ", involving a total investment of $X": a clause set off on the whole statement
        if t is not money and t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() not in VALUE_NOUNS:
            return False  # the sum of another thing ("payments on loans worth $3.7m")
        if t is not money and t.pos_ == "VERB" and t.lemma_ not in VALUE_VERBS and not has_frame(_verb_lemma(t)):
            return False  # the sum of another clause ("to refinance loans worth $40m"), not of a purchase or loan
        if t.head is t:
            return False
        t = t.head
    return False


def committed_by(doc: Doc, start: int, end: int) -> int | None:
    """The character offset of the subject that commits the sum at `doc.text[start:end]` by a commitment verb
    (`words.COMMITMENT_VERBS`): "Kelvex will contribute an initial investment of $100m", "Kelvex is
    contracted to spend $120m" (the subject of "to spend" is the one of the verb it completes); None for a
    sum that hangs on another noun ("pay for plants worth $5m") or no such verb, or a pronoun subject."""
    t = _anchor(doc, start, end)
    for _ in range(6):
        if t is None or t.head is t or t.pos_ in ("VERB", "AUX"):
            break
        if not start <= t.idx < end and t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() not in VALUE_NOUNS:
            return None
        t = t.head
    if t is None or t.pos_ != "VERB" or t.lemma_.lower() not in COMMITMENT_VERBS:
        return None
    v = t
    while not (subject := next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)) \
            and v.dep_ in ("xcomp", "conj") and v.head is not v:
        v = v.head
    return subject.idx if subject is not None and subject.pos_ != "PRON" else None


def side_offsets(doc: Doc, start: int, end: int, name_at: NameAt) -> Reading | None:
    """The sides of the agreement stated by `doc.text[start:end]`, in sentence order; `name_at(offset)` is
    the name (entity or collective) covering an offset. None when the parse shows no word that states it."""
    anchor = _anchor(doc, start, end)
    if anchor is None:
        return None
    slots: list[Slot] = []
    noun, verb, purpose = _predicate(anchor, start, end)
    if noun is not None:
        phrase = [t for t in doc if start <= t.idx < end]  # "memorandum of understanding with ..."
        frame = noun_frame(noun.lemma_.lower())
        slots += _slots(noun, {k: v for k, v in frame.items() if k not in _SIDE_PREPS}) + _side_preps(phrase)
        slots += [Slot("signatory", c) for c in noun.lefts if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"]
        if purpose is not None:  # "an agreement to acquire X": the verb of its purpose gives the roles
            slots += _slots(purpose, verb_frame(_verb_lemma(purpose)))
    if verb is not None:
        frame = verb_frame(_verb_lemma(purpose if purpose is not None else verb),
                           noun.lemma_.lower() if noun is not None else None)
        if purpose is not None and _passive(purpose) and "passive" in frame:  # "an agreement to be acquired by Y"
            frame = {**frame, "subject": frame["passive"]}
        slots += _slots(verb, frame, {noun.i} if noun is not None else set()) + _inherited(purpose or verb, frame)
        slots += _fragment_slots(verb, name_at)
    if not slots and verb is None:
        return None
    out: dict[int, tuple[str, int, bool]] = {}
    for role, head, subject in sorted(slots, key=lambda s: not s.subject):  # a name keeps its subject's role
        heads = [head]
        reporter = _reporter(verb) if _stand_in(head) and not name_at(head.idx) and verb is not None else None
        if role == "approver":  # "its board approved": the company; "the Commission approved": no side
            if reporter is None:
                continue
            role = "signatory"
        if reporter is not None:
            heads = [reporter, head]  # "X said its Y unit signed": X, and Y where the unit is named
        for member in (m for h in heads for m in _members(h, name_at)):
            for offset in _named_in(member, name_at):
                out.setdefault(offset, (role, offset, subject))
    roles = {r for r, _, _ in out.values()}
    for one, other in _COUNTERPARTS:  # the signatory opposite a lender borrows ("X signed for a loan from Y")
        if one in roles and other not in roles:
            out = {k: (other if r == "signatory" else r, o, sub) for k, (r, o, sub) in out.items()}
    # a passive ("projects were signed") has no subject side: its subject is the agreement
    passive = verb is not None and (_passive(verb) or any(c.dep_ == "nsubjpass" for c in verb.children))
    return Reading(sorted(out.values(), key=lambda s: s[1]), passive or any(s.subject for s in slots),
                   any(not s.subject for s in slots))

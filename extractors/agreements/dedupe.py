"""One row per agreement: statements of one signing merged, within an article and across articles.

A caption and a body sentence, or a headline and its story, tell the same signing in
different words ("15 state-owned enterprises" / "15 central enterprises"): they are one
agreement when the type agrees, the parties match through the resolved entities and
collective counts, and no two dates tell them apart ("on the 25th" and "in 2018" are
two signings between the same hospitals), nor two sums ("a $10bn loan" and "the current
$18.6bn loan"). A short and a full name of one party match ("Western" / "Western Savings
and Loan Co"); a headline, which tells its story in fewer and shorter names, joins the
agreement it shares one side with. A statement that only names an agreement ("part of a
trade deal"), whose parties are not named ("collectively signed a long agreement") or a
headline naming one side only ("China, Kazakhstan firms sign MoU") corroborates one stated
elsewhere and is dropped when there is none. One pointing back ("the deal", "the agreement
was signed by ...", "the contract ... was awarded by X") joins the latest agreement of its type told
before it ("the acquisition" past a contract told since), a bare "the deal" the one told just before,
and, when it states it as made, adds the sides it names (never the organizations of persons who only
signed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from extractors.agreements.parties import Side, match_sides
from schemas import reference
from schemas.agreements import Agreement, Amount, Evidence
from schemas.names import name_key

_WEEKDAY = re.compile(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.I)
# Which status a merged agreement keeps: the furthest a statement takes it.
_STATUS_RANK = {"planned": 0, "agreed": 1, "signed": 2, "completed": 3, "terminated": 4}


@dataclass
class Statement:
    """One sentence stating one agreement."""

    type: str
    status: str
    strong: bool
    sides: list[Side]
    evidence: Evidence
    date: str | None = None
    date_text: str | None = None  # the phrase, even when no year fixes it
    place: str | None = None
    period: str | None = None
    amount: Amount | None = None
    subject: str | None = None
    anaphoric: bool = False  # restates an agreement told before ("the agreement was signed by ...")
    generic: bool = False  # its type is only the default of a bare noun ("the deal")


@dataclass
class _Group:
    first: Statement
    members: list[Statement] = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)
    # one member per distinct date and sum: what `_fits` compares a new statement with
    by_date_and_sum: dict[tuple[object, ...], Statement] = field(default_factory=dict)

    def member(self, s: Statement) -> None:
        self.members.append(s)
        amount = (s.amount.currency, s.amount.value) if s.amount else (None, None)
        self.by_date_and_sum.setdefault((s.date, s.date_text, *amount), s)


def _side_keys(side: Side) -> list[tuple[object, ...]]:
    """What two matching sides share (`parties.same_side`): a collective, or the entity key, or (a short and a
    full form of one name) the kind and first word of the name."""
    if side.key[0] == "collective":
        return [("collective",)]
    words = name_key(side.party.name).split()
    return [side.key] + ([(side.party.kind, words[0])] if words else [])


class _Groups(list[_Group]):
    """The agreements so far, and which of them name a side that may match a statement's: a statement joins
    only a group it shares a side with, so it is compared with those, not with every agreement of the article."""

    def __init__(self) -> None:
        super().__init__()
        self._by_side: dict[tuple[object, ...], set[int]] = {}
        self._position: dict[int, int] = {}
        self.first_of_type: dict[str, _Group] = {}

    def open(self, s: Statement) -> _Group:
        g = _Group(s)
        self._position[id(g)] = len(self)
        self.append(g)
        self.first_of_type.setdefault(s.type, g)
        self.add(g, s)
        return g

    def add(self, g: _Group, s: Statement, proxies: bool = True) -> None:
        _add(g, s, proxies)
        k = self._position[id(g)]
        for side in g.sides:  # a side renamed keeps its old keys too: more groups to compare, never fewer
            for key in _side_keys(side):
                self._by_side.setdefault(key, set()).add(k)

    def fitting(self, s: Statement) -> _Group | None:
        """The first group `s` fits (`_fits`), if it names any side."""
        if not s.sides:
            return None
        near = set().union(*(self._by_side.get(key, ()) for side in s.sides for key in _side_keys(side)))
        return next((self[k] for k in sorted(near) if _fits(self[k], s)), None)


def _overlap(a: list[Side], b: list[Side]) -> int:
    return len(match_sides(a, b))


def _dates_differ(a: Statement, b: Statement) -> bool:
    if a.date and b.date:
        return not (a.date.startswith(b.date) or b.date.startswith(a.date))
    if a.date_text and b.date_text and not (_WEEKDAY.search(a.date_text) or _WEEKDAY.search(b.date_text)):
        return a.date_text.lower() != b.date_text.lower()  # a weekday unresolved may be any date
    return False


def _amounts_differ(a: Statement, b: Statement) -> bool:
    """Two sums in one currency further apart than `amount_tolerance` (thresholds.tsv, 1 %): two agreements ("a $10bn loan" beside "the current
    $18.6bn loan"), never one told twice."""
    x, y = a.amount, b.amount
    if x is None or y is None:
        return False
    tolerance = reference.thresholds()["amount_tolerance"]
    return x.currency == y.currency and abs(x.value - y.value) > tolerance * max(x.value, y.value)


def _compatible(g: _Group, s: Statement) -> bool:
    """A statement pointing back may be the agreement told: same type, or a bare "the deal" / "the agreement"."""
    return s.type == g.first.type or s.generic or g.first.generic


def _referent(told: list[_Group], s: Statement) -> _Group | None:
    """The agreement a statement pointing back refers to, among those told before it: the latest of its type
    ("the acquisition" past a contract told since), else the one just told if compatible ("the deal"); never
    one whose date or sum it contradicts."""
    fits = [g for g in told if not any(_dates_differ(m, s) or _amounts_differ(m, s) for m in g.by_date_and_sum.values())]
    typed = [g for g in fits if g.first.type == s.type]
    if typed and not s.generic:
        return typed[-1]
    return told[-1] if told and told[-1] in fits and _compatible(told[-1], s) else None


def _fits(g: _Group, s: Statement) -> bool:
    if not (s.type == g.first.type or s.anaphoric and _compatible(g, s)):
        return False
    if any(_dates_differ(m, s) or _amounts_differ(m, s) for m in g.by_date_and_sum.values()):
        return False
    shared = _overlap(s.sides, g.sides)
    # a headline tells the story's agreement in fewer or shorter names
    headline = s.evidence.span.block == "title" or all(m.evidence.span.block == "title" for m in g.members)
    return shared >= 2 or shared >= 1 and (headline or shared == min(len(s.sides), len(g.sides)))


def _better_name(old: Side, new: Side) -> Side:
    """Keep the first statement's wording (body before captions) unless only the new one counts the
    collective ("35 member companies") or gives the full form of a short name; never lose a count."""
    p, q = old.party, new.party
    count = p.count if p.count is not None else q.count
    fuller = old.key[0] == "entity" and old.key != new.key and len(q.name) > len(p.name)  # matched as a short form
    name = q.name if p.count is None and q.count is not None or fuller else p.name
    role = p.role if p.role not in (None, "signatory") else q.role or p.role  # a role of its own beats "signatory"
    party = p.model_copy(update={"name": name, "count": count, "with_affiliates": p.with_affiliates or q.with_affiliates,
                                 "role": role})
    key = old.key if old.key[0] != "collective" or old.key[1] is not None else (old.key[0], count, old.key[2] | new.key[2])
    return Side(party, key, old.start, old.end)


def _add(g: _Group, s: Statement, proxies: bool = True) -> None:
    """Add a statement and the sides it names; `proxies=False` leaves out the organizations it only
    names through the persons who signed (a restatement that adds nothing the first one did not say)."""
    g.member(s)
    matched = match_sides(s.sides, g.sides)
    for i, side in enumerate(s.sides):
        if i in matched:
            g.sides[matched[i]] = _better_name(g.sides[matched[i]], side)
        elif proxies or not side.proxy:
            g.sides.append(side)


def _agreement(g: _Group) -> Agreement:
    ordered = sorted(g.members, key=lambda s: s.evidence.span.block == "caption")  # body and title first
    stated = [s for s in ordered if s.strong] or ordered

    def first(attr: str) -> Any:
        return next((getattr(s, attr) for s in ordered if getattr(s, attr)), None)

    subjects = [s.subject for s in sorted(ordered, key=lambda s: (s.evidence.span.block != "body", not s.strong)) if s.subject]
    evidence, seen = [], set()
    for s in g.members:
        span = (s.evidence.span.block, s.evidence.span.index, s.evidence.span.start)
        if span not in seen:
            seen.add(span)
            evidence.append(s.evidence)
    return Agreement(
        type=g.first.type, status=max((s.status for s in stated), key=_STATUS_RANK.__getitem__),
        parties=[s.party for s in g.sides], date=first("date"), place=first("place"), period=first("period"),
        amount=first("amount"), subject=subjects[0] if subjects else None, evidence=evidence,
    )


def merge_statements(statements: list[Statement]) -> list[Agreement]:
    """Agreements from the statements of one article, in the order they are first stated."""
    groups = _Groups()
    later: list[tuple[Statement, int]] = []  # with the number of agreements told before it
    for s in statements:
        g = groups.fitting(s)
        if g:
            groups.add(g, s)
        elif s.strong and not s.anaphoric and (len(s.sides) >= 2 or s.sides and s.evidence.span.block != "title"):
            groups.open(s)
        else:
            later.append((s, len(groups)))
    for s, told in later:  # corroboration, or an agreement first told as known ("the deal between X and Y")
        g = groups.fitting(s)
        if g is None and not s.sides and not s.anaphoric and s.evidence.span.block != "body":
            g = groups.first_of_type.get(s.type) or (groups[0] if len(groups) == 1 else None)
        if g is None and s.anaphoric and s.strong and len(s.sides) >= 2:
            groups.open(s)
        elif g is None and s.anaphoric and (back := _referent(groups[:told], s)) is not None:
            if s.strong:
                groups.add(back, s, proxies=False)  # "the contract was awarded by X": X is a side of it
            else:
                back.member(s)  # "the deal underscores ...": evidence of the one it points back at
        elif g:
            groups.add(g, s)
    return [_agreement(g) for g in groups]

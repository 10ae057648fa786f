"""The indexes that keep analysis linear in the text find what a scan of everything found.

Each lookup that once scanned the whole text, or every mention, for every mention (which made
long pages cost the square of their length) now reads only what is near: the last words before a
position, the mentions starting near it, the names that share a word, the agreements that share
a side. Each test checks one index against the plain scan it replaced, on many generated cases.
"""

from __future__ import annotations

import random
import re

import pytest

from extractors.agreements.dedupe import Statement, _add, _amounts_differ, _dates_differ, _fits, _Group, _Groups, merge_statements
from extractors.agreements.parties import Side
from extractors.entities.mentions import Cand
from extractors.entities.nlp import load_nlp
from extractors.entities.resolve import Clusters, _Kin, _longer_form, _person_form
from extractors.entities.spans import Spans
from extractors.entities.units import Unit
from extractors.lookback import search_before
from extractors.sentences import text_spans
from schemas.agreements import Amount, Evidence, Party
from schemas.article import TextEdit
from schemas.entities import Span

WORDS = ["in", "the", "at", "of", "Acme", "Ltd.", "Co.,", "U.S.", "(Group)", "said", ",", "Inc", "main", "across", "x"]


@pytest.mark.parametrize("pattern", [r"\b(?:in|at|from|to|near|of|across)\s+(?:the\s+)?$", r"\S+$", r",\s*$",
                                     r"([A-Za-z.]+)$"])
def test_a_pattern_before_a_position_is_found_in_the_last_words_as_in_the_whole_prefix(pattern):
    compiled, rnd = re.compile(pattern, re.I), random.Random(7)
    words = 2 if "the" in pattern else 1
    for _ in range(400):
        text = "".join(rnd.choice(WORDS) + rnd.choice([" ", "  ", "\n", "\n\n", ""]) for _ in range(rnd.randint(0, 12)))
        for end in range(len(text) + 1):
            whole = compiled.search(text[:end])
            found = search_before(compiled, text, end, words)
            assert (found and found.span()) == (whole and whole.span()), (text, end)


def _spans(rnd: random.Random) -> list[Cand]:
    out = []
    for _ in range(rnd.randint(0, 25)):
        s = rnd.randint(0, 60)
        out.append(Cand("organization", "x", 0, s, s + rnd.randint(1, 12)))
    return out


def test_mentions_near_a_position_are_those_a_scan_finds_in_the_same_order():
    rnd = random.Random(11)
    for _ in range(300):
        cands = _spans(rnd)
        ordered = sorted(cands, key=lambda c: c.start)
        near = Spans(cands)
        for x in range(-2, 80):
            y = x + rnd.randint(0, 15)
            assert near.starting_at(x) == [c for c in ordered if c.start == x]
            assert near.covering(x) == [c for c in ordered if c.start <= x < c.end]
            assert near.around(x) == [c for c in ordered if c.start < x < c.end]
            assert near.within(x, y) == [c for c in ordered if x <= c.start and c.end <= y]
            assert near.overlapping(x, y) == [c for c in ordered if c.start < y and x < c.end]
            assert near.ending_in(x, y) == [c for c in ordered if x <= c.end <= y]


def _published(edits: list[TextEdit], c: int, is_end: bool) -> int:
    """Clean offset to published by walking the edits in order."""
    shift = 0
    for e in edits:
        cs = e.start - shift
        if c <= cs:
            return c + shift
        if c < cs + len(e.replacement):
            return e.end if is_end else e.start
        shift += (e.end - e.start) - len(e.replacement)
    return c + shift


def test_clean_offsets_map_to_published_ones_as_the_edits_say():
    rnd = random.Random(3)
    for _ in range(500):
        pos, edits = 0, []
        for _ in range(rnd.randint(0, 6)):
            s = pos + rnd.randint(0, 5)
            e = s + rnd.randint(0, 8)
            edits.append(TextEdit(start=s, end=e, replacement="x" * rnd.randint(0, e - s)))
            pos = e
        unit = Unit("body", 0, "", "", edits)
        for c in range(pos + 5):
            assert unit.to_published(c, c) == (_published(edits, c, False), _published(edits, c, True))


NAMES = [("organization", n) for n in [
    "Dalton Industries", "Dalton Industries Inc", "Dalton", "Sichuan Tequ Education Investment Management Co., Ltd.",
    "Sichuan Tequ Education", "Tequ Education", "Shandong Ruyi", "Ruyi", "Shandong Ruyi Group",
    "State-owned Assets Supervision and Administration Commission", "SASAC", "Changhai Hospital",
    "Shanghai Changhai Hospital", "Shanghai Changhai Hospital Vascular Surgery", "China Eastern Airlines",
    "China Eastern", "Harrow Foods", "Harrow", "Coloroll Group Plc", "Coloroll", "People's Government of Tibet",
    "People's Government of the Tibet Autonomous Region", "Government of Xinjiang", "Westline Cardona",
    "Cardona Transport", "Cardona", "First", "The Group"]] + [("place", n) for n in [
    "Tibet Autonomous Region", "Tibet", "Xinjiang", "Lhasa", "Sichuan Province", "Sichuan"]] + [("person", n) for n in [
    "Gonggar Laisong", "Gongga Laisong", "Laisong", "Wu Yingjie", "Wu", "Hao Peng", "Peng", "Li Li", "Li",
    "Ran Wenjuan", "Ran Wenjuang"]]


class _Everyone:
    """Every representative for every mention: the scan the index replaced."""

    def __init__(self, reps: list[Cand]):
        self.reps = reps

    def longer(self, c: Cand) -> list[Cand]:
        return self.reps

    def people(self, c: Cand) -> list[Cand]:
        return [o for o in self.reps if o.kind == "person"]


def test_resolution_finds_the_same_longer_forms_by_its_index_as_by_comparing_every_name():
    rnd = random.Random(5)
    for _ in range(30):
        reps = [Cand(kind, text, 0, 0, len(text)) for kind, text in rnd.sample(NAMES, rnd.randint(2, len(NAMES)))]
        cl, near, everyone = Clusters(reps), _Kin(reps), _Everyone(reps)
        for c in reps:
            if c.kind == "person":
                assert _person_form(c, near) == _person_form(c, everyone)  # type: ignore[arg-type]
            else:
                assert _longer_form(c, near, cl) == _longer_form(c, everyone, cl)  # type: ignore[arg-type]


def _statements(rnd: random.Random) -> list[Statement]:
    parties = [("entity", i, kind, name) for i, (kind, name) in enumerate(
        [("organization", "Western"), ("organization", "Western Savings and Loan Co"), ("organization", "Acme"),
         ("place", "China"), ("place", "Kazakhstan"), ("organization", "Beta Holdings"), ("person", "Wu Yingjie")])]
    collectives = [("collective", 15, frozenset({"central", "enterprise"})), ("collective", None, frozenset({"enterprise"})),
                   ("collective", 8, frozenset({"bank"}))]
    out = []
    for k in range(rnd.randint(1, 30)):
        sides = []
        for _ in range(rnd.randint(0, 3)):
            if rnd.random() < 0.75:
                _, i, kind, name = rnd.choice(parties)
                sides.append(Side(Party(name=name, kind=kind), ("entity", i)))
            else:
                key = rnd.choice(collectives)
                sides.append(Side(Party(name="enterprises", kind="collective", count=key[1]), key))
        amount = rnd.choice([None, Amount(value=10.0, currency="USD"), Amount(value=18.6, currency="USD")])
        block = rnd.choice(["body", "body", "title", "caption"])
        out.append(Statement(type=rnd.choice(["contract", "loan", "memorandum"]), status="signed", strong=rnd.random() < 0.8,
                             sides=sides, evidence=Evidence(text=f"s{k}", span=Span(block=block, index=0, start=k, end=k + 1)),
                             date=rnd.choice([None, "2020-03-01", "2020-03", "2021"]), amount=amount,
                             anaphoric=rnd.random() < 0.2, generic=rnd.random() < 0.3))
    return out


def test_a_statement_is_compared_with_the_agreements_sharing_a_side_and_finds_the_one_a_scan_finds(monkeypatch):
    fitting = _Groups.fitting

    def checked(self: _Groups, s: Statement) -> _Group | None:
        found = fitting(self, s)
        assert found is (next((g for g in self if _fits(g, s)), None) if s.sides else None)
        return found

    monkeypatch.setattr(_Groups, "fitting", checked)
    rnd = random.Random(9)
    for _ in range(200):
        merge_statements(_statements(rnd))


def test_one_member_per_date_and_sum_tells_what_every_member_tells():
    rnd = random.Random(13)
    for _ in range(200):
        statements = _statements(rnd)
        group = _Group(statements[0])
        for s in statements:
            _add(group, s)
        for s in _statements(rnd):
            every = any(_dates_differ(m, s) or _amounts_differ(m, s) for m in group.members)
            assert every == any(_dates_differ(m, s) or _amounts_differ(m, s) for m in group.by_date_and_sum.values())


def test_sentence_starts_are_the_splitters_on_every_token():
    nlp = load_nlp()
    text = ("Wu Yingjie met Hao Peng. The two sides signed a deal with Acme Corp. in Lhasa.\n\n"
            "A second paragraph without a full stop\n\nU.S. firms and China's SOEs agreed. Nov. 17 was the date.")
    doc = nlp(text)
    starts = {s for s, _ in text_spans(text)}
    assert [t.is_sent_start for t in doc] == [t.i == 0 or t.idx in starts for t in doc]

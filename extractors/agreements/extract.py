"""Agreements an article reports, from its sentences and the entities found in it.

Each sentence is searched for statements of an agreement (`triggers.py`); the sentences that
state one as made and name someone are parsed, in one batch per article, and their sides,
sum and date read from the parse (`structure.py`, `parties.py`); then the statements of one
agreement are merged (`dedupe.py`). The parser never sees the other sentences, so its cost
grows with the agreements an article tells, not with its length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from spacy.tokens import Doc

from extractors.agreements.amounts import Money, find_money
from extractors.agreements.dates import find_dates, find_period
from extractors.agreements.dedupe import Statement, merge_statements
from extractors.agreements.events import event_setting, place_in, reports_event
from extractors.agreements.finder import EntityFinder, Named
from extractors.agreements.parties import Side, find_collectives, find_sides, named_sides, represented
from extractors.agreements.structure import committed_by, parse_many, reads_as_noun, values_agreement
from extractors.agreements.triggers import Trigger, find_triggers
from extractors.budget import Clock, default_budget
from extractors.sentences import Sentence, article_sentences
from schemas.agreements import Agreement, Amount, Evidence
from schemas.article import Article
from schemas.entities import Entity, Span

# Words before an amount that make it the price or value of the deal.
_VALUE_CUE = re.compile(
    r"\b(?:for|worth|valued\s+at|value\s+of|valued|totall?ing|total\s+of|amounting\s+to|involving|at|of|about|"
    r"around|some|approximately|priced\s+at|paid|pay|cost|costing)\s+(?:about\s+|around\s+|some\s+|nearly\s+)?$", re.I)
_SUBJECT_END = re.compile(r";|,\s+(?:which|who|aiming|and\s+the|while|but)\b|\s+said\b", re.I)
_PLACE_END = re.compile(r"[,;]|\s(?:to|aiming|which|who)\s")


def _reference(article: Article) -> dt.date | None:
    """The date the text itself carries, against which "on Monday" is read; never a guessed year."""
    if article.dateline and article.dateline.date:
        return article.dateline.date
    return article.published_at.date() if article.published_at else None


_PER_UNIT = re.compile(r"\s*(?:each|apiece|a\s+share|per\s+share|a\s+piece|per\s+unit|a\s+tonne|per\s+tonne)\b", re.I)


def _amount(text: str, trigger: Trigger, doc: Doc | None) -> Amount | None:
    """The value of the agreement: a sum the parse hangs on it (`structure.values_agreement`), else, with no
    parse, by the words around the sum. A price per share or per unit is not the value."""
    sums = _sums(text)
    if doc is not None:
        return next((m.amount for m in sums if trigger.start <= m.start < trigger.end
                     or values_agreement(doc, trigger.start, trigger.end, m.start, m.end)), None)
    for money in sums:
        if trigger.start <= money.start < trigger.end:
            return money.amount  # "their £850m merger"
        if _VALUE_CUE.search(text[: money.start]) and money.start > trigger.verb_start - 1:
            return money.amount
        gap = text[money.end : trigger.start + 1] if money.end <= trigger.start + 1 else None
        if gap is not None and re.fullmatch(r"\s*(?:[\w'’.-]+\s+){0,3}", gap):
            return money.amount  # "$25bn Guidant deal"
    return None


def _subject(text: str, trigger: Trigger, sides: list[Side]) -> str:
    """The agreement phrase and what it is for, without the parties named after it."""
    end = _SUBJECT_END.search(text, trigger.end)
    stop = end.start() if end else len(text)
    rest = text[trigger.end : stop]
    if re.match(r"\s*(?:with|between|among)\s", rest):
        ends = [s.end for s in sides if trigger.end <= s.start < stop]
        rest = text[max(ends) : stop] if ends else rest
    words = re.sub(r"\s+", " ", text[trigger.start : trigger.end] + rest).strip(" ,.\"“”").split()
    return " ".join(words[:30])


def _settle_type(trigger: Trigger, sides: list[Side], amount: Amount | None, companies: frozenset[str]) -> str:
    """A bare deal or agreement between states is a treaty, a trade deal with a company a contract. A contract
    to set up a joint institution ("to set up a collaboration center") is cooperation, unless a side is a
    company or it has a sum: then it is the contract for building or running it. `companies`: the ids of
    the article's company entities."""
    if trigger.generic and len(sides) >= 2 and all(s.party.kind == "place" for s in sides):
        return "treaty"
    if trigger.generic and trigger.type == "treaty" and any(s.party.entity_id in companies for s in sides):
        return "contract"  # "a trade deal with Acme Corp": a treaty is made between states
    if trigger.institution and amount is None and len(sides) >= 2 and not any(s.party.entity_id in companies for s in sides):
        return "cooperation_agreement"
    return trigger.type


def extract_agreements(article: Article, entities: list[Entity], clock: Clock | None = None,
                       max_sentence_chars: int | None = None) -> list[Agreement]:
    """One `Agreement` per agreement the article reports, each with every sentence that states it.
    Sentences longer than `max_sentence_chars` (default: the reference budget) are not read; past the
    `clock`'s deadline no further sentence is read and the clock records what was left."""
    longest = max_sentence_chars or default_budget().max_sentence_chars
    finder = EntityFinder(entities)
    companies = frozenset(e.id for e in entities if e.id and e.kind == "organization" and e.org_kind in ("company", "soe"))
    reference = _reference(article)
    dateline_place = article.dateline.place if article.dateline else None
    read = []
    sentences = article_sentences(article)
    for k, sentence in enumerate(sentences):
        if clock and clock.expired():
            clock.stop(f"{len(sentences) - k} of {len(sentences)} sentences not read for agreements")
            break
        if len(sentence.text) <= longest:
            named = finder.find(sentence.text)
            organizations = [(n.start, n.end) for n in named if n.entity.kind == "organization"]
            headline = sentence.block == "title" or sentence.text.isupper()
            read.append((sentence, named, find_triggers(sentence.text, organizations, headline)))
    # the parser reads, in one batch, the sentences that state an agreement as made and name someone, and
    # those right after one that name someone beside a sum (a side may commit the agreement's value there)
    committing = [(k, s, named) for k, (s, named, triggers) in enumerate(read)
                  if k and read[k - 1][2] and named and s.block == "body" and not any(t.strong and not t.anaphoric for t in triggers)
                  and _sums(s.text)]
    wanted = [s.text for s, named, triggers in read
              if any(t.strong for t in triggers) and (named or find_collectives(s.text, named))] + [s.text for _, s, _ in committing]
    docs = dict(zip(wanted, parse_many(wanted), strict=True))
    statements: list[Statement] = []
    seen: list[tuple[str, list[Named]]] = []  # the sentences before that report an event (the only ones read back)
    previous: list[Side] = []
    for sentence, named, triggers in read:
        doc = docs.get(sentence.text)
        if not triggers and len(told := named_sides(sentence.text, named)) >= 2 and not statements:
            previous = represented(told, finder)  # before any agreement, "the two sides" are the last ones named
        for trigger in triggers:
            if doc is not None and trigger.by_verb and reads_as_noun(doc, trigger.start, trigger.end):
                trigger = replace(trigger, strong=False, anaphoric=True)  # "the share purchase will make ..."
            sides = represented(find_sides(sentence.text, trigger, named, previous, doc), finder)
            if len(sides) < trigger.sides_needed:
                trigger = replace(trigger, strong=False)  # a loan taken at auction, projects with no partner named
            if len(sides) >= 2:
                previous = sides
            statements.append(_statement(sentence, trigger, sides, named, seen, reference, dateline_place, doc,
                                         [t for t in triggers if t is not trigger], companies))
        if reports_event(sentence.text):
            seen.append((sentence.text, named))
    agreements = merge_statements(statements)
    _committed_values(agreements, [(read[k - 1][0], s, named, docs[s.text]) for k, s, named in committing])
    return agreements


def _sums(text: str) -> list[Money]:
    """The sums of a sentence that may be an agreement's value: not a price per share or per unit."""
    return [m for m in find_money(text) if not _PER_UNIT.match(text, m.end)]


def _committed_values(agreements: list[Agreement], committing: list[tuple[Sentence, Sentence, list[Named], Doc]]) -> None:
    """A sum a side commits in the sentence right after one telling its agreement ("Acme and Kelvex formed a joint
    venture. Kelvex will contribute an initial investment of $100m") is the value of that agreement, when it has
    none; the sentence becomes evidence of it. `committing`: (sentence before, sentence, its names, its parse)."""
    for before, sentence, named, doc in committing:
        for money in _sums(sentence.text):
            offset = committed_by(doc, money.start, money.end)
            side = next((n.entity.id for n in named if offset is not None and n.start <= offset < n.end), None)
            told = [a for a in agreements if a.amount is None and any(p.entity_id == side for p in a.parties) and any(
                _same(e.span, s) for e in a.evidence for s in (before, sentence))] if side else []
            if told:
                told[-1].amount = money.amount
                if not any(_same(e.span, sentence) for e in told[-1].evidence):
                    told[-1].evidence.append(Evidence(text=sentence.text, span=Span(
                        block=sentence.block, index=sentence.index, start=sentence.start, end=sentence.end)))
                break


def _same(span: Span, sentence: Sentence) -> bool:
    return (span.block, span.index, span.start) == (sentence.block, sentence.index, sentence.start)


def _statement(sentence: Sentence, trigger: Trigger, sides: list[Side], named: list[Named],
               seen: list[tuple[str, list[Named]]], reference: dt.date | None, dateline_place: str | None,
               doc: Doc | None, others: list[Trigger], companies: frozenset[str]) -> Statement:
    text = sentence.text
    # a date belongs to the agreement stated as made nearest to it ("... similar to a contract X signed in February")
    dates = [d for d in find_dates(text, reference) if not any(s.start <= d.start < s.end for s in sides)
             and trigger.strong and not any(o.strong and abs(d.start - o.verb_start) < abs(d.start - trigger.verb_start)
                                            for o in others)]
    date = min(dates, key=lambda d: abs(d.start - trigger.verb_start), default=None)
    setting = event_setting(seen, text, reference, dateline_place, dated=date is not None)
    stop = _PLACE_END.search(text, trigger.end)
    loose = [n for n in named if not any(s.start <= n.start < s.end for s in sides) and n.end <= (stop.start() if stop else len(text))]
    span = Span(block=sentence.block, index=sentence.index, start=sentence.start, end=sentence.end)
    amount = _amount(text, trigger, doc)
    return Statement(
        type=_settle_type(trigger, sides, amount, companies), status=trigger.status, strong=trigger.strong, sides=sides,
        evidence=Evidence(text=text, span=span),
        date=date.value if date else setting.date, date_text=date.text if date else None,
        place=(place_in(text, loose, trigger.verb_start) if trigger.strong else None) or setting.place,
        period=find_period(text, trigger.start, trigger.end),
        amount=amount, subject=_subject(text, trigger, sides), anaphoric=trigger.anaphoric,
        generic=trigger.generic,
    )

"""When an agreement was made, and for how long, as far as the text fixes it.

A date is only given when the text fixes it: a full date; a year ("In 2015, ...");
a month and day, a month ("in February"), a weekday ("on Monday") or a day of the month ("on the 25th")
resolved against a date the text itself carries (the dateline or the page's own date
line, with its year). No year is guessed: a dateline "July 26" without a year leaves
"on the 25th" unresolved. Dates of reporting ("said on Thursday") and deadlines
("by 2025", "since 2010") are not dates of signing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractors.agreements.numbers import NUMBER_WORD, number_value
from extractors.agreements.words import REPORTED_FORMS, REPORTING_FORMS
from extractors.dateline import parse_dateline
from extractors.dates import MONTH, MONTH_NAMES, WEEKDAYS, month_number, nearest_date
from schemas.reference import alternation

_MONTH_NAME = f"(?:{'|'.join(MONTH_NAMES)})"  # written out in full: "in May", never the verb "may"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DATE = re.compile(
    rf"\b(?P<iso>{_YEAR}-\d{{1,2}}-\d{{1,2}})\b"
    rf"|\b(?P<m1>{MONTH})\s+(?P<d1>{_DAY})\b(?:,?\s+(?P<y1>{_YEAR})\b)?"
    rf"|\b(?P<d2>{_DAY})\s+(?P<m2>{MONTH})\b(?:,?\s+(?P<y2>{_YEAR})\b)?"
    rf"|\b(?P<m3>{MONTH})\s+(?P<y3>{_YEAR})\b"
    rf"|\b(?:[Ii]n|[Dd]uring|[Oo]f)\s+(?:(?:early|late|mid)[- ])?(?P<year>{_YEAR})\b(?![-–/]\d)"
    rf"|\b(?:[Ii]n|[Ll]ast|[Tt]his|[Ee]arly|[Ll]ate|[Mm]id)[- ](?:(?:early|late|mid)[- ])?(?P<m4>{_MONTH_NAME})\b(?!\s+\d)"
    rf"|\b(?:[Oo]n\s+|[Tt]his\s+|[Ll]ast\s+)?(?P<weekday>{'|'.join(WEEKDAYS)})\b"
    rf"|\b[Oo]n\s+the\s+(?P<nth>{_DAY})\b"
    rf"|\b(?P<rel>today|yesterday)\b",
)
# Words that make the date something other than the day of signing: a deadline or a span ("by", "since"),
# or a reporting verb in the past, in lower case ("said on Thursday": the date of the report; agreement_words.tsv
# reporting_verb; never "the United States on Monday" or "member states on Monday").
_NOT_SIGNING_BEFORE = re.compile(
    rf"\b(?:since|until|till|by|before|after|from|ending|ended|ends|through|to|than|as\s+of|"
    rf"(?-i:{alternation(REPORTED_FORMS)}))\s*(?:on\s+)?$", re.I)
_REPORTING_AFTER = re.compile(rf"^\s*,?\s*(?:{alternation(REPORTING_FORMS)})\b", re.I)
_DATE_AFTER = re.compile(rf",?\s+(?:{MONTH}\s+{_DAY}\b|{_DAY}\s+{MONTH}\b)")
_PERIOD_PLAN = re.compile(r"\b(?P<n>\d{1,2}(?:st|nd|rd|th))\s*[\"“”']?\s*Five[- ]Year(?:\s+Plan)?", re.I)
_PERIOD_YEARS = re.compile(
    rf"\b(?P<n>\d{{1,2}}|{NUMBER_WORD})[- ](?P<unit>year|month)s?\b(?![- ]old)", re.I)
# The term told after the agreement: "for ten years", "for a period of 3 years", "a 5-year term".
_PERIOD_AFTER = re.compile(
    rf"\b(?:for|over|lasting|valid\s+for)\s+(?:a\s+(?:period|term)\s+of\s+|the\s+next\s+)?(?=(?:\d{{1,2}}|{NUMBER_WORD})[- ]"
    rf"(?:year|month)s?\b)|\b(?=(?:\d{{1,2}}|{NUMBER_WORD})[- ](?:year|month)s?[- ](?:term|period|duration|tenure)\b)", re.I)


@dataclass(frozen=True)
class DatePhrase:
    start: int
    end: int
    text: str
    value: str | None  # ISO date, "YYYY-MM" or "YYYY"; None when the text does not fix it


def _ymd(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _resolve(m: re.Match[str], reference: dt.date | None) -> str | None:
    if m["iso"]:
        y, mo, d = (int(x) for x in m["iso"].split("-"))
        return _ymd(y, mo, d)
    if m["year"]:
        return str(m["year"])
    if m["m4"]:  # "in February": the month nearest the reference date (the one year rule, mid-month)
        if reference is None:
            return None
        month_no = month_number(m["m4"])
        mid = nearest_date(month_no, 15, reference) if month_no else None
        return f"{mid.year}-{month_no:02d}" if mid else None
    if m["m3"]:
        return f"{m['y3']}-{month_number(m['m3']):02d}"
    month, day, year = m["m1"] or m["m2"], m["d1"] or m["d2"], m["y1"] or m["y2"]
    if month:
        month_no, digits = month_number(month), re.match(r"\d+", day)
        if month_no is None or digits is None:
            return None
        d = int(digits.group())
        if year:
            return _ymd(int(year), month_no, d)
        if reference is None:
            return None
        nearest = nearest_date(month_no, d, reference)
        return nearest.isoformat() if nearest else None
    if reference is None:
        return None
    if m["weekday"]:
        back = (reference.weekday() - WEEKDAYS.index(m["weekday"])) % 7
        return (reference - dt.timedelta(days=back)).isoformat()
    if m["nth"]:
        nth = int(re.sub(r"\D", "", m["nth"]))  # "the 26th", "the 3"
        if nth <= reference.day:
            return _ymd(reference.year, reference.month, nth)
        prev = reference.replace(day=1) - dt.timedelta(days=1)
        return _ymd(prev.year, prev.month, nth)
    return (reference - dt.timedelta(days=1 if m["rel"].lower() == "yesterday" else 0)).isoformat()


def find_dates(text: str, reference: dt.date | None) -> list[DatePhrase]:
    """Phrases in `text` that may date an event there, each resolved where the text allows. The date of a
    dateline left at the head of the sentence ("LONDON, March 2 - X said ...") dates the report, not the event."""
    out = []
    dateline = parse_dateline(text)
    for m in _DATE.finditer(text, dateline[2] if dateline else 0):
        if _NOT_SIGNING_BEFORE.search(text[max(0, m.start() - 24) : m.start()]):
            continue
        if _REPORTING_AFTER.match(text[m.end() :]):
            continue
        if m["weekday"] and (text[m.end() : m.end() + 1].isalpha() or _DATE_AFTER.match(text, m.end())):
            continue  # "on Tuesday, May 5, 2020": the date after the weekday fixes it
        out.append(DatePhrase(m.start(), m.end(), m.group(), _resolve(m, reference)))
    return out


def find_period(text: str, start: int = 0, end: int | None = None) -> str | None:
    """The term of the agreement named by text[start:end] (default: all of `text`): a five-year plan near it,
    "three-year" in its phrase ("a three-year memorandum"), or after it "for ten years", "a 5-year term";
    never another figure of years ("sending its shares to a five-year high")."""
    end = len(text) if end is None else end
    if m := _PERIOD_PLAN.search(text, max(0, start - 60)):
        return f"{m['n']} Five-Year Plan"
    years = _PERIOD_YEARS.search(text, start, end)
    if years is None and (after := _PERIOD_AFTER.search(text, end)):
        years = _PERIOD_YEARS.match(text, after.end())
    if years is not None:
        count = number_value(years["n"])
        return f"{count} {years['unit'].lower()}{'s' if count != 1 else ''}"
    return None

"""Dates: the one reader of dates for feeds, pages, datelines and agreements.

The parsing is done by libraries: `datetime.fromisoformat` (ISO 8601), `email.utils`
(RFC 822) and dateparser 1.5 (written dates in any language: "Dec 4, 2018",
"2 de septiembre de 2016", "16. März 2021"). What is ours is what news needs:

- named zones read with their real offsets (`schemas/reference/timezones.tsv`): "MEST" is
  +02:00, not UTC; an ambiguous abbreviation ("IST": India, Ireland or Israel) is resolved
  by the site's country, else read as the first row of the table and flagged;
- Unix epoch seconds and milliseconds, as strings or JSON numbers;
- the plausibility window (`plausible`);
- the year of a date written without one (`nearest_date`): the nearest such date to the
  reference date, a year back, the same year or a year ahead. With reference 2021-01-28,
  "February 2" is 2021-02-02 and "December 30" is 2020-12-30, wherever it is read.

Which of a page's dates is the publication date is decided in `extractors.html_meta`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import dateparser

from schemas.reference import alternation, limit, rows, word_lists

# 1970-01-01 is the epoch placeholder of broken CMSs, not a date; archives of real news
# (Reuters 1987) are older than the web, so the window opens just after it.
EARLIEST = dt.datetime(1971, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=2)  # time zones and embargoed stories

# The one month table: English month names, and how wire copy abbreviates them ("Jan.", "Sept."):
# the first three letters (May never), and AP style's "Sept". The sentence splitter reads the
# abbreviations as words a full stop does not end a sentence after (extractors/sentences.py).
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
MONTH_ABBREVIATIONS = (*(m[:3] for m in MONTH_NAMES if len(m) > 3), "Sept")
# The days of the week, Monday first, so a day's index is its `date.weekday()`.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# An English month name or its abbreviation, as wire copy writes it ("Sept.", "Nov", "March"); longer
# alternatives first, so "March" is never read as "Mar".
MONTH = "(?:" + "|".join(sorted({*MONTH_NAMES, *MONTH_ABBREVIATIONS}, key=lambda m: (-len(m), m))) + r")\.?"

_MAX_TEXT = limit("date_max_chars")  # longer strings are sentences, not dates
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{12,13}$")
_OFFSET_ZONE = re.compile(r"\b(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?\b")
# A zone name right after a time of day: "08:57:00 MEST", "10:07 AM (IST)".
_NAMED_ZONE = re.compile(
    r"(?P<time>\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*\(?(?P<zone>[A-Z]{2,5})\)?(?![\w+-])"
)
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
# A year in the text: four digits, or the two of "25.04.24".
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)|(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")
_PARSER_SETTINGS = {"PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month"], "PREFER_DAY_OF_MONTH": "first"}


@dataclass(frozen=True)
class DateReading:
    """A date read from text: `when` (None when unreadable or implausible) and a `note` when the
    reading took a guess the caller should record (an ambiguous zone abbreviation)."""

    when: dt.datetime | None
    note: str | None = None


def plausible(date: dt.datetime, now: dt.datetime | None = None) -> bool:
    """True when `date` (naive taken as UTC) lies between EARLIEST and now plus the slack."""
    aware = date if date.tzinfo else date.replace(tzinfo=dt.UTC)
    latest = (now or dt.datetime.now(dt.UTC)) + FUTURE_SLACK
    return EARLIEST <= aware <= latest


def month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation ("Sept.", "june"); None otherwise."""
    key = name.strip(" .").lower()[:3]
    return next((i for i, m in enumerate(MONTH_NAMES, 1) if m[:3].lower() == key), None)


def nearest_date(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The date with this month and day nearest to `reference`; None when no year has it (30 February).

    The one rule for a date written without a year (datelines, agreements, page text): of the
    candidates a year back, in the reference year and a year ahead, the closest wins; a tie
    goes to the earlier date (news reports the past).
    """
    found = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            found.append(dt.date(year, month, day))
        except ValueError:
            continue
    return min(found, key=lambda d: (abs((d - reference).days), d > reference)) if found else None


def country_of(url: str | None = None, language_tag: str | None = None) -> str | None:
    """The ISO country a site writes for: the region of its language tag ("en-IN") or its
    country-code domain (".ie"); None for generic domains. Used to resolve zone names."""
    if language_tag and (m := re.match(r"^[a-zA-Z]{2,3}[-_]([a-zA-Z]{2})\b", language_tag.strip())):
        return m.group(1).upper()
    host = (urlsplit(url).hostname or "") if url else ""
    tld = host.rsplit(".", 1)[-1]
    return tld.upper() if len(tld) == 2 and tld.isalpha() else None


@cache
def date_labels() -> list[tuple[str, re.Pattern[str]]]:
    """(kind, pattern) of the words a page writes before a date ("Updated:", "Veröffentlicht am"),
    kind "updated" or "published", from `schemas/reference/date_labels.tsv`."""
    return [(kind, re.compile(rf"(?<!\w)(?:{alternation(words)})(?!\w)\s*[:：]?", re.I))
            for kind, words in word_lists("date_labels.tsv").items()]


def date_label(text: str) -> str:
    """"updated" when `text` carries an update label ("Aktualisiert am"), "published" for a
    publication label, else ""."""
    for kind, pattern in date_labels():
        if pattern.search(text):
            return kind
    return ""


def read_date(
    value: object,
    *,
    languages: tuple[str, ...] = (),
    country: str | None = None,
    reference: dt.date | None = None,
    now: dt.datetime | None = None,
) -> DateReading:
    """Read a date from a string, a JSON number (epoch) or a one-item list.

    Aware when the value names a zone or offset, else naive (the caller decides what naive
    means: feeds take UTC). `languages` (ISO 639-1 codes) narrow dateparser's guesses;
    `country` resolves ambiguous zone names; `reference` gives the year to a date written
    without one (`nearest_date`), and without it such a date is None. Dates outside
    `plausible` are None.
    """
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if isinstance(value, bool):
        return DateReading(None)
    if isinstance(value, (int, float)):
        when = _epoch(float(value))
        return DateReading(when if when and plausible(when, now) else None)
    if not isinstance(value, str) or not (text := " ".join(value.split())) or len(text) > _MAX_TEXT:
        return DateReading(None)
    if _EPOCH.match(text):
        when = _epoch(float(text))
        return DateReading(when if when and plausible(when, now) else None)
    text, note = _numeric_zone(text, country)
    when = _iso(text) or _rfc822(text) or _written(text, languages, reference)
    return DateReading(when, note) if when and plausible(when, now) else DateReading(None)


def _epoch(seconds: float) -> dt.datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _iso(text: str) -> dt.datetime | None:
    if not text[:4].isdigit():
        return None
    try:
        return dt.datetime.fromisoformat(text.replace(" UTC", "+00:00").replace(" GMT", "+00:00"))
    except ValueError:
        return None


def _rfc822(text: str) -> dt.datetime | None:
    if not _RFC822.match(text):
        return None
    parts = email.utils.parsedate_tz(text)
    if parts is None:
        return None
    try:
        naive = dt.datetime(*parts[:6])
    except (ValueError, OverflowError):
        return None
    if parts[9] is None:
        return naive
    return naive.replace(tzinfo=dt.timezone(dt.timedelta(seconds=parts[9])))


def _written(text: str, languages: tuple[str, ...], reference: dt.date | None) -> dt.datetime | None:
    """A written date in any language, with dateparser; a yearless one takes `nearest_date`."""
    known = [lang for lang in languages if lang in _dateparser_languages()]
    settings: dict[str, Any] = dict(_PARSER_SETTINGS)
    if reference is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(reference, dt.time())
    # The page's languages alone first, so "05.04.2025" follows their day order; then with English
    # (sites write English month names); with no language known, dateparser detects one.
    attempts = [known, [*known, "en"]] if known else [None]
    when: dt.datetime | None = None
    with warnings.catch_warnings():  # dateparser warns about pytz and locale internals
        warnings.simplefilter("ignore")
        for langs in attempts:
            try:
                when = dateparser.parse(text, languages=langs, settings=settings)
            except (ValueError, OverflowError, TypeError, AttributeError):
                when = None
            if when is not None:
                break
    if when is None:
        return None
    if when.tzinfo is not None:  # dateparser's own zone classes, as a plain offset
        when = when.replace(tzinfo=dt.timezone(when.utcoffset() or dt.timedelta()))
    if not _YEAR.search(text):
        if reference is None:
            return None
        day = nearest_date(when.month, when.day, reference)
        return when.replace(year=day.year) if day else None
    return when


@cache
def _dateparser_languages() -> frozenset[str]:
    from dateparser.data import language_order

    return frozenset(language_order)


@cache
def _zones() -> dict[str, list[tuple[dt.timedelta, frozenset[str], str]]]:
    """Zone abbreviation -> [(offset, countries, name)], the default reading first."""
    table: dict[str, list[tuple[dt.timedelta, frozenset[str], str]]] = {}
    for abbr, offset, countries, name in rows("timezones.tsv", 4):
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = (int(x) for x in offset[1:].split(":"))
        table.setdefault(abbr, []).append(
            (sign * dt.timedelta(hours=hours, minutes=minutes), frozenset(c for c in countries.split("|") if c), name)
        )
    return table


def zone_offset(abbr: str, country: str | None = None) -> tuple[dt.timedelta, str | None] | None:
    """(offset, note) of a zone abbreviation; the note says when an ambiguous one was guessed."""
    readings = _zones().get(abbr.upper())
    if not readings:
        return None
    if len(readings) == 1:
        return readings[0][0], None
    if country:
        for offset, countries, _ in readings:
            if country.upper() in countries:
                return offset, None
    offset, _, name = readings[0]
    return offset, f"ambiguous time zone {abbr} read as {name} ({_fmt(offset)})"


def _fmt(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _numeric_zone(text: str, country: str | None) -> tuple[str, str | None]:
    """The text with a named zone or "GMT+8" written as a numeric offset, and a note if it was a guess."""
    m = _OFFSET_ZONE.search(text)
    if m:
        offset = dt.timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0)) * (-1 if m["sign"] == "-" else 1)
        return text[: m.start()] + _fmt(offset) + text[m.end() :], None
    for m in _NAMED_ZONE.finditer(text):
        found = zone_offset(m["zone"], country)
        if found:
            offset, note = found
            return f"{text[: m.end('time')]} {_fmt(offset)}{text[m.end():]}", note
    return text, None

"""Datelines and bylines at the head of a wire story.

Wire copy opens with "AGENCY, Place, Month Day (Reporters)" (Chinese agencies) or
"PLACE, Month Day (Agency) --" (Western agencies); both carry the story's place and
date and must not reach the body, where they would read as story text.
"""

from __future__ import annotations

import datetime as dt
import re

from extractors.agencies import agency_name, agency_pattern
from extractors.dates import MONTH, WEEKDAYS, month_number, nearest_date
from extractors.publishers import forms
from schemas.article import Dateline
from schemas.reference import alternation, word_lists

_WORDS = word_lists("text_words.tsv")
_NOT_PLACES = frozenset(_WORDS["not_place"]) | {d.lower() for d in WEEKDAYS}  # "Monday, March 2 the ..."

_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (rf"(?:(?P<m1>{MONTH})\s+(?P<d1>{_DAY})|(?P<d2>{_DAY})\s+(?P<m2>{MONTH}))"
         r"(?:,?\s+(?P<year>(?:19|20)\d\d))?")
_PAREN = r"(?:\s*[(（](?P<paren>[^()（）]{1,120})[)）])?"
_SEP = r"\s*(?P<sep>--|-|—|–|:)?\s*"
_WORD = r"[A-Z][\w.'’\-]*"
_CAPS = r"[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+){0,3}"  # "NEW YORK", "U.N."
_REGION = rf"(?:,\s*{_WORD}(?:\s+{_WORD})?\.?)"            # ", Conn.", ", N.Y.", ", Alberta"

# Agency-first datelines, the forms of the registered wires ("China News Service, Lhasa, September 20 (Ran
# Wenjuan, Gonggar Laisong)"). A dateline is what names a wire's copy, so every publisher's forms are tried.
_AGENCY_FIRST = tuple(re.compile(form.format(agency=agency_pattern(), word=_WORD, date=_DATE, paren=_PAREN, sep=_SEP))
                      for form in forms("dateline"))
# "BEIJING, Nov. 19 (Xinhua) --", "LONDON, March 2 -", "WASHINGTON, March 3 (AP) —"
_PLACE_DATE = re.compile(
    rf"^(?P<place>{_CAPS}{_REGION}?|{_WORD}(?:\s+{_WORD}){{0,2}}{_REGION}?)\s*,\s*{_DATE}{_PAREN}{_SEP}"
)
# "LONDON (Reuters) -", "Hanoi (VNA) –"
_PLACE_AGENCY = re.compile(
    rf"^(?P<place>{_CAPS}{_REGION}?|{_WORD}(?:\s+{_WORD}){{0,2}})\s*[(（](?P<paren>[^()（）]{{1,40}})[)）]"
    rf"\s*(?P<sep>--|-|—|–)\s*"
)
# Where a glued dateline may start: a shouted place, a date and an opening parenthesis.
_SEAM = re.compile(rf"(?<=[\s.])(?={_CAPS}{_REGION}?\s*,\s*{MONTH}\s+{_DAY}\s*[(（])")
_BYLINE_LINE = re.compile(rf"^(?:{alternation(_WORDS['byline_label'])})\s*[:：]?\s+(?P<names>.+?)\s*$", re.I)
# Chinese MT leads: "Economic Observer Network reporter Rao Xianjun, on July 26, ..." (the registered wires' forms)
_REPORTER_LEAD = tuple(re.compile(form) for form in forms("reporter_lead"))
_NAME_SPLIT = re.compile(r"\s*(?:,|，|、|;|/|\band\b|&)\s*")
_NAME_ROLE = re.compile(
    rf"^(?:(?:{alternation(_WORDS['reporter_qualifier'])})\s+)?(?:{alternation(_WORDS['reporter_role'])})\s*[:：]?\s*", re.I
)


def resolve_date(month: str, day: str, year: str | None, reference: dt.date | None) -> dt.date | None:
    """A dateline date; a missing year is the one nearest to `reference` (`extractors.dates.nearest_date`)."""
    m, digits = month_number(month), re.match(r"\d+", day)
    if m is None or digits is None:
        return None
    d = int(digits.group())
    if year:
        try:
            return dt.date(int(year), m, d)
        except ValueError:  # 30 February
            return None
    return nearest_date(m, d, reference) if reference else None


def _place(text: str) -> str:
    """Title-case shouted place names ("BEIJING" -> "Beijing") but keep "N.Y." and mixed case."""
    return " ".join(w.capitalize() if w.isupper() and len(w.replace(".", "")) > 2 and w.count(".") < 2 else w
                    for w in text.split())


def split_names(text: str) -> list[str]:
    """Reporter names from "Ran Wenjuan, Gonggar Laisong" or "Reporter Zhou Rui and Li Ping"."""
    names = []
    for part in _NAME_SPLIT.split(text):
        part = _NAME_ROLE.sub("", part).strip(" .:")
        if part and part[0].isupper() and len(part.split()) <= 5 and not agency_name(part):
            names.append(part)
    return names


def parse_dateline(text: str, reference: dt.date | None = None) -> tuple[Dateline, list[str], int] | None:
    """The dateline at the start of `text`: (dateline, byline, length of the prefix to remove)."""
    for pattern in (*_AGENCY_FIRST, _PLACE_DATE, _PLACE_AGENCY):
        m = pattern.match(text)
        if not m:
            continue
        agency_first = pattern in _AGENCY_FIRST
        groups = m.groupdict()
        paren = (groups.get("paren") or "").strip()
        agency = (agency_name(groups["agency"]) or groups["agency"]) if groups.get("agency") else None
        byline: list[str] = []
        shouted = bool(re.fullmatch(_CAPS + _REGION + "?", groups["place"]))
        if groups["place"].split(",")[0].lower().rstrip(".") in _NOT_PLACES:
            continue
        if paren:
            if agency_name(paren) or (shouted and paren.isupper() and len(paren) <= 6):
                agency = agency or agency_name(paren) or paren
            else:
                byline = split_names(paren)
        if not agency_first and not (agency or groups.get("sep")):
            continue  # "Yesterday, March 2 the ..." is a sentence, not a dateline
        if not agency_first and not agency and not shouted:
            continue  # an unmarked dateline needs a shouted place: "LONDON, March 2 -"
        month, day = groups.get("m1") or groups.get("m2"), groups.get("d1") or groups.get("d2")
        date = resolve_date(month, day, groups.get("year"), reference) if month and day else None
        raw = text[: m.end()].strip()
        return Dateline(agency=agency, place=_place(groups["place"]), date=date, raw=raw), byline, m.end()
    return None


def find_dateline(text: str, limit: int = 400) -> int | None:
    """Where a marked wire dateline ("CITY, Nov. 17 (Xinhua) --") starts inside `text`, if not at 0.

    Pages and text dumps glue a caption or header before the lead; this finds the seam.
    """
    if parse_dateline(text):
        return None
    for m in _SEAM.finditer(text[:limit]):
        found = parse_dateline(text[m.start():])
        if found and found[0].agency:
            return m.start()
    return None


def parse_byline_line(text: str) -> tuple[list[str], str | None] | None:
    """A standalone byline paragraph such as "By John Smith, Reuters": (names, agency)."""
    m = _BYLINE_LINE.match(text)
    if not m or len(text) > 120 or text.rstrip().endswith("."):
        return None
    parts = _NAME_SPLIT.split(m["names"])
    agency = next((agency_name(p) for p in parts if agency_name(p)), None)
    names = split_names(m["names"])
    return (names, agency) if names else None


def parse_reporter_lead(text: str) -> tuple[str, list[str], int] | None:
    """"Outlet reporter Name, ..." opening a story: (outlet, names, length of the prefix to remove)."""
    m = next((m for pattern in _REPORTER_LEAD if (m := pattern.match(text))), None)
    return (m["agency"].strip(), [m["names"]], m.end()) if m else None

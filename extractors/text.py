"""Plain-text articles: one paragraph per line, or hard-wrapped wire copy.

Text dumps come without markup, so paragraphs, the headline and the publication date
must be recovered from layout: wrapped lines are rejoined (a paragraph starts at an
indent, a blank line or a short final line), a short first line without a final
period is the headline, and date lines under it give the year for the dateline.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from extractors.dateline import parse_byline_line, parse_dateline
from extractors.dates import read_date
from extractors.language import detect_language
from extractors.lead import split_sections
from extractors.publishers import forms, scope
from schemas.article import Article
from schemas.reference import limit

# A line that is only a date, or starts with a date and time ("2020-07-26 19:43:50 Source: ...")
_DATE_LINE = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|"
    r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4})(?:\s+(?P<rest>.+))?$"
)
_FINAL_STOP = re.compile(r"[.。!！:;,]['\"”’)]*$")
_TERMINAL = re.compile(r"[.!?:;\"”’)]$")
_MAX_TITLE = limit("text_title_max_chars")


@cache
def _source_forms(hook: str, scope: str) -> tuple[re.Pattern[str], ...]:
    """The registered publishers' `stamp` lines ("2-MAR-1987 06:58:00.68") or `page_header` lines ("Headline
    ( Xinhua ) 09:56, November 18, 2020 Story ...") that apply in `scope` (`extractors.publishers`), compiled."""
    return tuple(re.compile(form) for form in forms(hook, scope))


def _first_match(patterns: tuple[re.Pattern[str], ...], line: str) -> re.Match[str] | None:
    return next((m for p in patterns if (m := p.match(line))), None)


def _date(text: str) -> dt.datetime | None:
    return read_date(text, languages=("en",)).when


def _is_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped copy: narrow lines that mostly break mid-sentence."""
    lines = [ln.rstrip() for ln in lines if ln.strip()]
    if len(lines) < 4 or max(map(len, lines)) > 100:
        return False
    open_ends = sum(not _TERMINAL.search(ln) for ln in lines[:-1])
    return open_ends >= 0.4 * (len(lines) - 1)


def _paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs from lines: each line, or wrapped lines rejoined at indents, blank lines and short ends."""
    if not _is_wrapped(lines):
        return [ln.strip() for ln in lines if ln.strip()]
    lengths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    width = lengths[int(0.9 * (len(lengths) - 1))]  # the wrap column, ignoring a few long lines
    paragraphs, current = [], ""
    for ln in lines:
        text = ln.strip()
        if not text or ln[:1].isspace():
            if current:
                paragraphs.append(current)
            current = ""
        if not text:
            continue
        if current.endswith("-") and current[-2:-1].isalpha() and text[0].islower():
            current += text
        else:
            current = f"{current} {text}" if current else text
        if _TERMINAL.search(text) and len(ln.rstrip()) < 0.7 * width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _is_title(line: str, rest: list[str], wrapped: bool) -> bool:
    """Only a clear headline: short, no final stop, not a lead, and set apart from the body."""
    text = line.strip()
    if not text or len(text) > _MAX_TITLE or len(text.split()) < 2 or _FINAL_STOP.search(text):
        return False
    if not any(r.strip() for r in rest) or parse_dateline(text) or parse_byline_line(text):
        return False
    nxt = rest[0] if rest else ""
    return not wrapped or text.isupper() or not nxt.strip() or nxt[:1].isspace() or bool(parse_dateline(nxt.strip()))


def parse_text(text: str, url: str | None = None, reference_date: dt.date | None = None) -> Article:
    """An `Article` from plain text; dates without a year take theirs from `reference_date` or the text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    title, published = None, None
    source = scope(url)
    if lines and _first_match(_source_forms("stamp", source), lines[0].strip()):
        published = _date(lines.pop(0).strip())
    if lines and (m := _first_match(_source_forms("page_header", source), lines[0].strip())):
        title, published = m["title"].strip(), published or _date(f"{m['date']} {m['time']}")
        lines[0] = m["rest"]
    elif lines and _is_title(lines[0], lines[1:], _is_wrapped(lines)):
        title = lines.pop(0).strip()
    for k in range(min(3, len(lines))):  # date lines stand right under the headline
        m = _DATE_LINE.match(lines[k].strip())
        if m and (":" in m["date"] or not m["rest"]) and (when := _date(m["date"])):
            published = published or when
            lines[k] = m["rest"] or ""
            break
    reference = reference_date or (published.date() if published else None)
    s = split_sections(_paragraphs(lines), reference_date=reference, url=url)
    return Article(
        url=url, title=title, published_at=published, language=detect_language(s.paragraphs),
        authors=list(s.byline), paragraphs=s.paragraphs,
        captions=s.captions, credits=s.credits, byline=s.byline, dateline=s.dateline,
        end_markers=s.end_markers, edits=s.edits,
    )

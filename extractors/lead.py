"""Sectioning of an article's paragraphs: body, captions, credits, dateline, byline, end markers.

Pages and text dumps interleave photo captions, photo credits, editor lines and wire
markers with the story; left in the body they turn photographers into actors and count
every captioned agreement twice. This module sorts paragraphs into those sections and
records the machine-translation stutter edits of the remaining body.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.agencies import agency_name
from extractors.captions import credit_name
from extractors.dateline import find_dateline, parse_byline_line, parse_dateline, parse_reporter_lead
from extractors.publishers import reuters, xinhua
from extractors.sentences import paragraph_starts, split_spans
from extractors.stutter import find_stutters
from schemas.article import Dateline, TextEdit
from schemas.reference import limit, pattern

_PIC = r"(?:picture|photo|photograph|image|pic|screenshot|video\s+grab)s?"
# A paragraph that describes a picture: "The picture shows ...", "Photo taken on ... shows", "Pictured: ..."
_CAPTION_START = re.compile(
    rf"^(?:(?:the|this|a|an|above|below|top|left|right)\s+)?(?:(?:aerial|file|undated|combo|combination|"
    rf"handout|drone|panoramic)\s+)?{_PIC}\s+(?:(?:taken|shot|captured|dated)\s+[^.]{{0,80}}?\s+)?"
    rf"(?:shows?|showing|depicts?|is\s+of)\b"
    rf"|^(?:pictured|image|photo|picture|caption|file\s+photo|in\s+the\s+(?:photo|picture))\s*[:：]"
    rf"|^file\s+photo\b|^[(\[]\s*(?:photo|image|picture)\s*[:/]",
    re.I,
)
# Xinhua's caption form: "The scene of the meeting, which was filmed in Shanghai on July 26."
_CAPTION_SHOT = re.compile(xinhua.CAPTION_FORM, re.I)
_CREDIT_BODY = r"(?P<credit>[^()\[\]\n]{2,80}?)"
# A whole paragraph that only credits a picture: "Photo by Gongga Laisong", "(Photo: Li Wei/Xinhua)"
_CREDIT_LINE = re.compile(
    rf"^[(\[（]?\s*(?:(?:{_PIC}|photographed|photography|shot)\s*(?:by|courtesy(?:\s+of)?|credit)\s*[:：]?"
    rf"|(?:{_PIC}|photographer|credit|photo\s+credit)\s*[:：/]|{xinhua.CREDIT_PREFIX})\s*{_CREDIT_BODY}\s*[)\]）]?$",
    re.I,
)
# The same credit trailing a caption: "... the meeting site. (Photo by Gongga Laisong)", "... [Photo/Xinhua]"
_CREDIT_TAIL = re.compile(
    rf"\s*(?:[(\[（]\s*(?:(?:{_PIC}|photographed)\s*(?:by|courtesy(?:\s+of)?)\s*[:：]?|{_PIC}\s*[:：/]|"
    rf"(?P<agency>{xinhua.CREDIT_PREFIX}))\s*{_CREDIT_BODY}\s*[)\]）]"
    rf"|(?:(?<=[.!?”\"])\s*/|\s+(?-i:Photo(?:graphed)?\s+by\b|Photo\s*:))"
    rf"\s*(?P<bare>[A-Z][\w.'’/\- ]{{1,60}}))\s*$",
    re.I,
)
# Editor lines, source lines and wire end markers: recorded, never story text.
_END_MARKER = re.compile(
    rf"^(?:[(\[（【]\s*(?:over|end|完|ends)\s*[)\]）】]|-?\s*(?:end|ends)\s*-?|{reuters.END_MARKER}|###|-30-|-0-"
    r"|[(\[（【]?\s*(?:(?:web|responsible|chief|executive)\s+)?editors?(?:\s+in\s+charge)?\s*[:：]"
    r"[^)\]）】]*[)\]）】]?"
    r"|[(\[（【]?\s*(?:source|sources|责任编辑|编辑)\s*[:：][^)\]）】]{1,120}[)\]）】]?"
    rf"|[(\[（]?\s*(?:{reuters.SIGN_OFF})\s+by\b[^)\]）]*[)\]）]?)$",
    re.I,
)
_END_TAIL = re.compile(
    rf"\s*(?:[(\[（【]\s*(?:over|end|完)\s*[)\]）】]|{reuters.END_TAIL}"
    r"|[(\[（【]\s*(?:(?:web|responsible|chief)\s+)?editors?\s*[:：][^)\]）】]*[)\]）】]"
    r"|[(\[（【]\s*(?:source|reporting\s+by|editing\s+by)\b[^)\]）】]*[)\]）】])\s*$",
    re.I,
)
# A photo credit glued inside a paragraph: the text before it is the picture's caption.
_INLINE_CREDIT = re.compile(
    r"(?:(?<=[.!?”\"])|^)(?:\s*[(\[]\s*(?:photo|image|picture)s?\s*/\s*[^()\[\]]{2,60}[)\]])+\s+(?=\S)", re.I
)
_PICTURE_WORD = pattern("picture_word")
_HEADLINE_REPEAT = re.compile(r"^\s*(?:title|headline)\s*[:：]", re.I)
LEAD_ZONE = limit("lead_zone")  # paragraphs: the dateline and byline stand within the first ones


@dataclass
class Sections:
    """The parts of an article; `edits` point into the paragraphs joined as `Article.body` (`extractors.sentences.paragraph_starts`)."""

    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    byline: list[str] = field(default_factory=list)
    dateline: Dateline | None = None
    end_markers: list[str] = field(default_factory=list)
    edits: list[TextEdit] = field(default_factory=list)


def _is_credit(text: str) -> bool:
    """Names, not a sentence: "Li Wei/Xinhua" is a credit, "Photo: Visitors look at a bridge." a caption."""
    words = text.split()
    capitalised = sum(w[0].isupper() for w in words)
    return len(words) <= 6 and not re.search(r"[a-z]{2}\.$", text) and 2 * capitalised >= len(words)


def _split_credits(text: str) -> tuple[str, list[str]]:
    """A paragraph without the photo credits trailing it, and those credits in order."""
    credits: list[str] = []
    while (m := _CREDIT_TAIL.search(text)) and m.start() > 0:
        credit = m.group("credit") or m.group("bare")
        credits.insert(0, credit_name(f"{xinhua.CREDIT_AGENCY}/{credit}" if m.group("agency") else credit))
        text = text[: m.start()].rstrip()
    return text, credits


def _unglue(paragraphs: Sequence[str]) -> list[str]:
    """Split paragraphs where a page dump glued a photo credit or a wire dateline mid-paragraph."""
    out: list[str] = []
    for k, p in enumerate(paragraphs):
        p = " ".join(p.split())
        pieces, pos = [], 0
        for m in _INLINE_CREDIT.finditer(p):
            pieces.append(p[pos : m.end()].strip())
            pos = m.end()
        pieces.append(p[pos:])
        if k < LEAD_ZONE and (cut := find_dateline(pieces[0])):
            pieces[:1] = [pieces[0][:cut].strip(), pieces[0][cut:]]
        out += [x for x in pieces if x]
    return out


def _classify(p: str, s: Sections) -> tuple[str, str]:
    """(kind, text) of a paragraph: "caption", "body", "tagged" (short and credited: a caption
    unless the page is a photo story), "credited" or "" (nothing left); markers and credits go to `s`."""
    tail: list[str] = []
    while (m := _END_TAIL.search(p)) and m.start() > 0:
        tail.insert(0, m.group().strip())
        p = p[: m.start()].rstrip()
    kind = ""
    if _END_MARKER.match(p):
        s.end_markers.append(p)
    elif (m := _CREDIT_LINE.match(p)) and _is_credit(m.group("credit")):
        s.credits.append(credit_name(m.group("credit")))
    else:
        p, credits = _split_credits(p)
        s.credits += credits
        if _CAPTION_START.match(p) or len(p) <= 200 and len(split_spans(p)) == 1 and _CAPTION_SHOT.search(p):
            kind = "caption"
        else:
            kind = ("tagged" if len(split_spans(p)) <= 2 else "credited") if credits else "body"
    s.end_markers += tail
    return kind, p


def split_sections(
    paragraphs: list[str], captions: Sequence[str] = (), reference_date: dt.date | None = None,
    credits: Sequence[str] = (),
) -> Sections:
    """Sort `paragraphs` (plus `captions` and `credits` already known from markup) into the article's sections.

    A caption is a paragraph that describes a picture, or a short one (two sentences at most)
    that carries a photo credit among plain story paragraphs; when such credited paragraphs
    are most of the text the page is a photo story, and they stay the body. Captions and
    credits keep document order, so caption i and credit i pair up.
    """
    s = Sections(credits=[credit_name(c) for c in credits])
    for cap in captions:
        text, credits = _split_credits(" ".join(cap.split()))
        s.captions += [text] if text else []
        s.credits += credits
    items = [_classify(p, s) for p in _unglue(paragraphs)]
    credited = sum(kind in ("tagged", "credited") for kind, _ in items)
    photo_story = credited > sum(kind == "body" for kind, _ in items)
    body = []
    for kind, text in items:
        if kind == "caption" or kind == "tagged" and not photo_story:
            s.captions.append(text)
        elif kind:
            body.append(text)
    s.paragraphs = _lead(body, s, reference_date)
    for offset, p in zip(paragraph_starts(s.paragraphs), s.paragraphs, strict=True):
        s.edits += find_stutters(p, offset)
    return s


def _lead(body: list[str], s: Sections, reference_date: dt.date | None) -> list[str]:
    """Take byline lines and the dateline out of the first paragraphs.

    What stands above a dateline is page furniture: a picture's caption there goes to the
    captions, and a "title: ..." right after a Chinese wire dateline repeats the headline.
    """
    agency = None
    for k, p in enumerate(body[:LEAD_ZONE]):
        if byline := parse_byline_line(p):
            s.byline += byline[0]
            agency = agency or byline[1]
            body[k] = ""
        elif agency_name(p) and len(body) > 1:  # a lone "VNA" or "Xinhua" line above the lead
            agency = agency or agency_name(p)
            body[k] = ""
        elif found := parse_dateline(p, reference_date) or _reporter_lead(p):
            s.dateline, names, cut = found
            s.byline += [n for n in names if n not in s.byline]
            body[k] = "" if _HEADLINE_REPEAT.match(p[cut:]) else p[cut:].strip()
            pre = [x for x in body[:k] if _PICTURE_WORD.search(x) and len(split_spans(x)) <= 2]
            s.captions[:0] = pre
            body[:k] = ["" if x in pre else x for x in body[:k]]
            if k + 1 < len(body) and (byline := parse_byline_line(body[k + 1])):
                s.byline += [n for n in byline[0] if n not in s.byline]
                body[k + 1] = ""
            break
        elif len(p) > 250:  # the story has begun without a dateline
            break
    if agency and s.dateline and not s.dateline.agency:
        s.dateline.agency = agency
    elif agency and not s.dateline:
        s.dateline = Dateline(agency=agency)
    return [p for p in body if p]


def _reporter_lead(p: str) -> tuple[Dateline, list[str], int] | None:
    found = parse_reporter_lead(p)
    if not found:
        return None
    agency, names, cut = found
    return Dateline(agency=agency, raw=p[:cut].strip()), names, cut

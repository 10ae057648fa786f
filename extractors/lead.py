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
from functools import cache

from extractors.agencies import agency_name
from extractors.captions import credit_name
from extractors.dateline import find_dateline, parse_byline_line, parse_dateline, parse_reporter_lead
from extractors.publishers import alternatives, scope
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
_CREDIT_BODY = r"(?P<credit>[^()\[\]\n]{2,80}?)"


@dataclass(frozen=True)
class _SourceForms:
    """The patterns that take in the registered publishers' hooks (`extractors.publishers`)."""

    caption_shot: re.Pattern[str]  # a caption's ending: "The scene of the meeting, which was filmed in Shanghai on July 26."
    credit_line: re.Pattern[str]  # a whole paragraph that only credits a picture: "Photo by Gongga Laisong", "Xinhua/Li Wei"
    credit_tail: re.Pattern[str]  # the same trailing a caption: "... the site. (Photo by Gongga Laisong)", "... [Photo/Xinhua]"
    end_marker: re.Pattern[str]  # editor lines, source lines and wire end markers: recorded, never story text
    end_tail: re.Pattern[str]  # the same glued after the last sentence


@cache
def _source_forms(scope: str) -> _SourceForms:
    """The patterns of the publishers that apply in `scope` (`extractors.publishers.scope`)."""
    credit_prefix = alternatives("credit_prefix", scope)
    return _SourceForms(
        caption_shot=re.compile(alternatives("caption_form", scope), re.I),
        credit_line=re.compile(
            rf"^[(\[（]?\s*(?:(?:{_PIC}|photographed|photography|shot)\s*(?:by|courtesy(?:\s+of)?|credit)\s*[:：]?"
            rf"|(?:{_PIC}|photographer|credit|photo\s+credit)\s*[:：/]|{credit_prefix})\s*{_CREDIT_BODY}\s*[)\]）]?$",
            re.I,
        ),
        credit_tail=re.compile(
            rf"\s*(?:[(\[（]\s*(?:(?:{_PIC}|photographed)\s*(?:by|courtesy(?:\s+of)?)\s*[:：]?|{_PIC}\s*[:：/]|"
            rf"(?P<agency>{credit_prefix}))\s*{_CREDIT_BODY}\s*[)\]）]"
            rf"|(?:(?<=[.!?”\"])\s*/|\s+(?-i:Photo(?:graphed)?\s+by\b|Photo\s*:))"
            rf"\s*(?P<bare>[A-Z][\w.'’/\- ]{{1,60}}))\s*$",
            re.I,
        ),
        end_marker=re.compile(
            rf"^(?:[(\[（【]\s*(?:over|end|完|ends)\s*[)\]）】]|-?\s*(?:end|ends)\s*-?|{alternatives('end_marker', scope)}|###|-30-|-0-"
            r"|[(\[（【]?\s*(?:(?:web|responsible|chief|executive)\s+)?editors?(?:\s+in\s+charge)?\s*[:：]"
            r"[^)\]）】]*[)\]）】]?"
            r"|[(\[（【]?\s*(?:source|sources|责任编辑|编辑)\s*[:：][^)\]）】]{1,120}[)\]）】]?"
            rf"|[(\[（]?\s*(?:{alternatives('sign_off', scope)})\s+by\b[^)\]）]*[)\]）]?)$",
            re.I,
        ),
        end_tail=re.compile(
            rf"\s*(?:[(\[（【]\s*(?:over|end|完)\s*[)\]）】]|{alternatives('end_tail', scope)}"
            r"|[(\[（【]\s*(?:(?:web|responsible|chief)\s+)?editors?\s*[:：][^)\]）】]*[)\]）】]"
            rf"|[(\[（【]\s*(?:source|(?:{alternatives('sign_off', scope)})\s+by)\b[^)\]）】]*[)\]）】])\s*$",
            re.I,
        ),
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


def _split_credits(text: str, forms: _SourceForms) -> tuple[str, list[str]]:
    """A paragraph without the photo credits trailing it, and those credits in order; a credit an
    agency prefixes ("(Xinhua/Li Wei)") is "Agency/Name", the agency as the reference spells it."""
    credits: list[str] = []
    while (m := forms.credit_tail.search(text)) and m.start() > 0:
        credit = m.group("credit") or m.group("bare")
        if prefix := m.group("agency"):
            credit = f"{agency_name(prefix.rstrip(' /')) or prefix.rstrip(' /')}/{credit}"
        credits.insert(0, credit_name(credit))
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


def _classify(p: str, s: Sections, forms: _SourceForms) -> tuple[str, str]:
    """(kind, text) of a paragraph: "caption", "body", "tagged" (short and credited: a caption
    unless the page is a photo story), "credited" or "" (nothing left); markers and credits go to `s`."""
    tail: list[str] = []
    while (m := forms.end_tail.search(p)) and m.start() > 0:
        tail.insert(0, m.group().strip())
        p = p[: m.start()].rstrip()
    kind = ""
    if forms.end_marker.match(p):
        s.end_markers.append(p)
    elif (m := forms.credit_line.match(p)) and _is_credit(m.group("credit")):
        s.credits.append(credit_name(m.group("credit")))
    else:
        p, credits = _split_credits(p, forms)
        s.credits += credits
        if _CAPTION_START.match(p) or len(p) <= 200 and len(split_spans(p)) == 1 and forms.caption_shot.search(p):
            kind = "caption"
        else:
            kind = ("tagged" if len(split_spans(p)) <= 2 else "credited") if credits else "body"
    s.end_markers += tail
    return kind, p


def split_sections(
    paragraphs: list[str], captions: Sequence[str] = (), reference_date: dt.date | None = None,
    credits: Sequence[str] = (), url: str | None = None,
) -> Sections:
    """Sort `paragraphs` (plus `captions` and `credits` already known from markup) into the article's sections.

    A caption is a paragraph that describes a picture, or a short one (two sentences at most)
    that carries a photo credit among plain story paragraphs; when such credited paragraphs
    are most of the text the page is a photo story, and they stay the body. Captions and
    credits keep document order, so caption i and credit i pair up. The document's `url` says
    which publishers' forms apply (`extractors.publishers.scope`).
    """
    forms = _source_forms(scope(url))
    s = Sections(credits=[credit_name(c) for c in credits])
    for cap in captions:
        text, credits = _split_credits(" ".join(cap.split()), forms)
        s.captions += [text] if text else []
        s.credits += credits
    items = [_classify(p, s, forms) for p in _unglue(paragraphs)]
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

"""Mentions read by rule from the parts of an article that are not story text: the dateline
(agency and place), the byline (reporters), photo credits (photographers or agencies), end
markers ("REUTER") and agency tags on the title ("...-Xinhuanet").

These people are credits of the article, never actors in it, and an agency tag is a name
of its own: neither may glue onto a name in the story.
"""

from __future__ import annotations

import re

from extractors.agencies import agency_name
from extractors.entities.mentions import Cand
from extractors.entities.units import Unit
from schemas import reference
from schemas.article import Article

_TITLE_TAG = re.compile(r"\s*(?:[-–—|_]|--)\s*(?P<tag>[A-Z][\w.']*(?:\s+[A-Z][\w.']*){0,3})\s*$")
_BYLINE_AGENCY = re.compile(r"\s*\((?P<agency>[^()]+)\)\s*$")  # "Chen Lu (People's Daily)"
_TICKER = re.compile(r"^(?P<name>[A-Z][A-Z0-9.&' -]*?[A-Z.])\s*<(?P<ticker>[A-Z][A-Z0-9.]{0,7})>")


def _media(text: str) -> reference.RefEntry | None:
    canonical = agency_name(text) or text
    entry = reference.lookup(canonical) or reference.lookup(text)
    return entry if entry is not None and entry.type == "media" else None


def _dateline_places(raw: str, place: str, u: int) -> list[Cand]:
    """"BOAO, Hainan": a town and its province are two places."""
    out, low = [], raw.lower()
    for part in (p.strip() for p in place.split(",")):
        if part and (i := low.find(part.lower())) >= 0:
            ref = reference.lookup(part)
            out.append(Cand("place", part, u, i, i + len(part), ref if ref and ref.kind == "place" else None,
                            role="dateline"))
    return out


def title_tag(title: str) -> re.Match[str] | None:
    """A trailing agency tag on a headline: "... build a 'CIIE link'-Xinhuanet"."""
    m = _TITLE_TAG.search(title)
    return m if m and _media(m["tag"]) else None


def credit_mentions(article: Article, units: list[Unit]) -> list[Cand]:
    """Mentions from dateline, byline, credits, end markers and title tags; appends their units."""
    out: list[Cand] = []

    def unit(block: str, index: int, text: str) -> int:
        units.append(Unit(block, index, text, text))
        return len(units) - 1

    agency = None
    if article.dateline is not None and article.dateline.raw:
        d = article.dateline
        u = unit("dateline", 0, d.raw)
        if d.agency and (entry := _media(d.agency)):
            for name in sorted(entry.names, key=len, reverse=True):
                if (i := d.raw.lower().find(name.lower())) >= 0:
                    agency = Cand("organization", d.raw[i:i + len(name)], u, i, i + len(name), entry, role="dateline")
                    out.append(agency)
                    break
        out += _dateline_places(d.raw, d.place or "", u)
    for i, name in enumerate(article.byline):
        u = unit("byline", i, name)
        own = _BYLINE_AGENCY.search(name)
        if own and (entry := _media(own["agency"])):
            agency = Cand("organization", own["agency"], u, own.start("agency"), own.end("agency"), entry, role="credit")
            out.append(agency)
            name = name[:own.start()]
        out.append(Cand("person", name, u, 0, len(name), role="credit", credit="reporter",
                        titles=[("reporter", agency)] if agency else []))
    for i, credit in enumerate(article.credits):
        u = unit("credit", i, credit)
        if entry := _media(credit):
            out.append(Cand("organization", credit, u, 0, len(credit), entry, role="credit"))
        elif len(credit.split()) <= 4:
            out.append(Cand("person", credit, u, 0, len(credit), role="credit", credit="photographer",
                            titles=[("photographer", None)]))
    for i, marker in enumerate(article.end_markers):
        text = marker.strip("()[] ")
        if entry := _media(text):
            u = unit("end_marker", i, marker)
            s = marker.find(text)
            out.append(Cand("organization", text, u, s, s + len(text), entry, role="credit"))
    title = article.title or ""
    if m := title_tag(title):
        u = unit("title", 0, title)
        out.append(Cand("organization", m["tag"], u, m.start("tag"), m.end("tag"), _media(m["tag"]), role="credit"))
    if title.isupper() and (m := _TICKER.match(title)):
        u = unit("title", 0, title)
        name = " ".join(w.capitalize() for w in m["name"].split())
        company = Cand("organization", name, u, m.start("name"), m.end("name"))
        out += [company, Cand("organization", m["ticker"], u, m.start("ticker"), m.end("ticker"), how="abbreviation",
                              same_as=company)]
    return out

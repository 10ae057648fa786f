"""`parse_article`: one HTML page in, one `Article` out (metadata, story text, captions, lead).

The page is parsed once with lxml (ten times faster than a BeautifulSoup tree of the same
page: docs/extraction.md); metadata is read before the main-text pass prunes the tree.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from extractors.authors import closing_name, signed_by
from extractors.captions import Caption
from extractors.encoding import decode_document
from extractors.html_meta import extract_meta
from extractors.language import detect_language
from extractors.lead import LEAD_ZONE, Sections, split_sections
from extractors.main_text import embedded_story, extract_main_text
from extractors.sentences import paragraph_starts
from schemas.article import Article, Dateline
from schemas.names import name_key
from schemas.reference import limit

_MIN_EMBEDDED = limit("embedded_story_below")  # characters: below this the page showed no story
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Tags whose nesting adds nothing to the text; stripped only when a page is nested past libxml2's limit.
_NESTING_TAGS = re.compile(r"</?(?:div|span|section|font|b|i|em|strong|center|article)\b[^>]*>", re.I)


def parse_article(html: str | bytes, url: str | None = None) -> Article:
    """Parse a news page; bad or empty markup gives a sparse Article, never an exception.

    Bytes are decoded by `extractors.encoding.decode_document`; what the decode had to repair
    is in `Article.warnings`, with what the metadata had to guess.
    """
    warnings: list[str] = []
    if isinstance(html, bytes):
        decoded = decode_document(html)
        html, warnings = decoded.text, decoded.warnings
    doc = _parse(html)
    if doc is None:
        return Article(url=url, warnings=warnings)
    meta = extract_meta(doc, url)
    scripts = [el.text for el in doc.iter("script") if el.text and len(el.text) > _MIN_EMBEDDED]
    text = extract_main_text(doc, meta.headline_texts)
    if sum(map(len, text.paragraphs)) < _MIN_EMBEDDED:
        text.paragraphs = embedded_story(meta.article_body, scripts, meta.headline_texts) or text.paragraphs
    if not meta.authors and text.paragraphs and (name := closing_name(text.paragraphs[-1])):
        meta.authors = [name]  # a story signed at its end: "Lê Phương"
        text.paragraphs.pop()
    reference = meta.published_at.date() if meta.published_at else None
    captions = _merge_captions(text.captions, meta.ld_captions)
    if not text.paragraphs and meta.is_article:
        # an article without prose: a gallery told by its captions, else a video or graphic page's summary
        text.paragraphs = [c.text for c in captions if c.text] or ([meta.description] if meta.description else [])
    sections = split_sections(
        text.paragraphs, [c.text for c in captions if c.text], reference_date=reference,
        credits=[c.credit for c in captions if c.credit], url=url,
    )
    _keep_dateline(sections, text.paragraphs)
    meta.authors = meta.authors or signed_by(sections.end_markers)  # "(Reporting by Jane Doe; Editing by John Roe)"
    if meta.agencies and not (sections.dateline and sections.dateline.agency):
        # a byline agency ("By Jane Doe, Reuters") is the article's source, kept with the dateline
        sections.dateline = (sections.dateline or Dateline()).model_copy(update={"agency": meta.agencies[0]})
    return Article(
        url=url,
        canonical_url=meta.canonical_url,
        title=meta.title,
        authors=meta.authors,
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        language=meta.language or detect_language(sections.paragraphs),  # as declared, else from the text
        site_name=meta.site_name,
        description=meta.description,
        image=meta.image,
        paragraphs=sections.paragraphs,
        captions=sections.captions,
        credits=sections.credits,
        byline=sections.byline,
        dateline=sections.dateline,
        end_markers=sections.end_markers,
        edits=sections.edits,
        warnings=warnings + meta.warnings,
    )


def _merge_captions(found: list[Caption], structured: list[Caption]) -> list[Caption]:
    """Captions from the markup, then those of the JSON-LD images the markup did not show; each once."""
    out: list[Caption] = []
    seen: set[str] = set()
    for c in [*found, *structured]:
        key = name_key(c.text)
        if key and (key in seen or any(key in k or k in key for k in seen if len(k) > 20 and len(key) > 20)):
            continue
        if key:
            seen.add(key)
        out.append(c)
    return out


def _keep_dateline(sections: Sections, published: list[str]) -> None:
    """Put a wire dateline ("WASHINGTON (AP) —") back in front of the lead paragraph.

    On a web page the dateline is part of the story as published, and readers (and the
    benchmark's ground truth) expect it there; it stays recorded in `sections.dateline` too.
    A dateline naming reporters ("Lhasa, September 20 (Ran Wenjuan, ...)") stays out, so
    reporters do not become actors of the story.
    """
    d = sections.dateline
    if d is None or not d.raw or any(name in d.raw for name in sections.byline):
        return
    flat = (" ".join(p.split()) for p in published[:LEAD_ZONE])
    lead = next((p for p in flat if p.startswith(d.raw)), "")
    rest = lead[len(d.raw) :].lstrip()
    starts = paragraph_starts(sections.paragraphs)
    for k, p in enumerate(sections.paragraphs[:LEAD_ZONE]):
        if rest and rest.startswith(p[:80]):
            prefix = lead[: len(lead) - len(rest)]
            sections.paragraphs[k] = prefix + p
            for e in sections.edits:
                if e.start >= starts[k]:
                    e.start, e.end = e.start + len(prefix), e.end + len(prefix)
            return


def _parse(html: str) -> etree._Element | None:
    """An lxml.html document, or None for a page with no markup or text."""
    html = _XML_DECLARATION.sub("", html.replace("\x00", ""), count=1)
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        doc = lxml.html.document_fromstring(html, parser=parser)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
            doc = lxml.html.document_fromstring(_NESTING_TAGS.sub(" ", html), parser=parser)
    except (etree.ParserError, ValueError):
        return None
    return doc

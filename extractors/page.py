"""A fetched body to an Article: sniff what it is, decode it, parse it once."""

from __future__ import annotations

import datetime as dt

from extractors.article import parse_article
from extractors.encoding import decode_document, sniff
from extractors.text import parse_text
from schemas import Article
from schemas.errors import UnusableDocument  # the body is not an article newsflow can read; raised here


def parse_page(body: bytes, content_type: str | None = None, url: str | None = None, reference_date: dt.date | None = None) -> Article:
    """Sniff, decode (warnings of the decode land on `Article.warnings`) and parse a fetched body.

    Raises `UnusableDocument` with the reject reason for empty, binary, feed and PDF bodies
    and for pages without article text.
    """
    kind = sniff(body, content_type)
    if kind in ("html", "text"):
        decoded = decode_document(body, content_type)
        if kind == "html":
            article = parse_article(decoded.text, url=url)
        else:
            article = parse_text(decoded.text, url=url, reference_date=reference_date)
        article.warnings[:0] = decoded.warnings
    elif kind == "empty":
        raise UnusableDocument("empty body")
    elif kind == "feed":
        raise UnusableDocument("a feed document, not an article page")
    else:
        raise UnusableDocument(f"unsupported content: {kind} ({content_type or 'no content type'})")
    if not article.paragraphs:
        raise UnusableDocument("no article text found")
    return article


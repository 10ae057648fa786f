"""What the HTML extractors share about markup: tag kinds, text of an element, class words.

One place for the block tags (where a line of text ends) and the inline tags, so that
metadata, main text, captions and bylines agree. A headline, a caption or a byline name is
recognised again elsewhere by the one name key, `schemas.names.name_key`.
"""

from __future__ import annotations

import html
import re

from lxml import etree

# Tags that end a line of text: a block of the page's layout, or a line break.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "figure",
    "figcaption", "center", "address", "hr", "br", "form", "fieldset", "details", "summary", "caption", "aside",
    "footer", "nav",
})
INLINE_TAGS = frozenset({"a", "span", "em", "strong", "b", "i", "u", "abbr", "cite", "mark", "small", "sup", "sub", "time"})
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def clean(value: str | None) -> str | None:
    """Whitespace collapsed and HTML entities decoded; None for empty or non-text values."""
    if not isinstance(value, str):
        return None
    value = _SPACE.sub(" ", html.unescape(value)).strip()
    return value or None


def plain(value: str | None) -> str | None:
    """`clean` text without the markup written into it ("Review: &lt;i&gt;Hamlet&lt;/i&gt;" ->
    "Review: Hamlet"), as structured data and attributes sometimes carry it."""
    text = clean(value)
    return clean(_TAG.sub("", text)) if text and "<" in text else text


def squash(text: str) -> str:
    """Whitespace collapsed (no entity decoding: for text lxml already decoded)."""
    return _SPACE.sub(" ", text).strip()


def attrs(el: etree._Element) -> str:
    """The element's class and id, one string: what page furniture is named by."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


# The hooks script-built pages name their parts by, where older pages use classes.
HOOKS = frozenset({"data-testid", "data-component", "data-qa"})


def role_names(el: etree._Element) -> str:
    """The element's class, id and hooks (`data-testid="byline"`, `data-qa="caption"`), one string:
    what a byline, a caption or a credit is named by."""
    hooks = [str(el.get(k)) for k in el.keys() if k in HOOKS]
    return " ".join((attrs(el), *hooks)).strip() if hooks else attrs(el)


def remove(el: etree._Element) -> None:
    """Remove `el` from its tree but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)

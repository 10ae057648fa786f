"""The story's paragraphs and captions in a parsed page.

Boilerplate (navigation, comments, share bars, related links) is removed by tag and by
class/id words; then the element holding the most paragraph text, net of the link and
short-line text around it, is taken as the story, and its blocks are read in order.
Every pass is iterative, so deeply nested pages cannot overflow the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

INVISIBLE_TAGS = {
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "button",
    "select", "textarea", "input", "label", "head", "link", "meta", "dialog", "audio", "video", "map",
}
DROP_TAGS = INVISIBLE_TAGS | {"nav", "aside", "footer"}
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "figure",
    "center", "address", "hr", "br", "form", "fieldset", "details", "summary", "caption",
}
PARAGRAPH_TAGS = {"p", "pre", "blockquote", "li", "dd", "td", "h2", "h3", "h4", "h5", "h6"}
SCORED_TAGS = ("p", "pre", "td", "section", "h2", "h3", "h4", "h5", "h6", "div")
CAPTION_TAGS = {"figcaption"}
_BOILERPLATE_WORDS = (
    r"comment|disqus|share|sharing|social|related|recommend|newsletter|subscri|signup|sign-up|promo|"
    r"advert|sponsor|sidebar|widget|breadcrumb|menu|navbar|nav|footer|cookie|consent|popup|modal|"
    r"outbrain|taboola|trending|popular|most-read|more-stories|read-more|readmore|tags?|tagline|"
    r"byline|author-bio|author-info|about-author|dateline|timestamp|meta|toolbar|print|rating|"
    r"pagination|pager|masthead|banner|skip|hidden|sr-only|visually-hidden|login|paywall|donate|ad|ads|"
    r"adsense|dfp|gpt|teaser|jump|toc|inline-list|next|prev|follow|subnav|site-header|header"
)
_BOILERPLATE = re.compile(rf"(?:^|[\s_-])(?:{_BOILERPLATE_WORDS})(?:s|es|box|bar|list|links?|block|wrap(?:per)?|container|area|section|module|widget|-\w+)?(?:$|[\s_-])", re.I)
_CONTENT = re.compile(r"(?:^|[\s_-])(?:article|story|entry|post|body|content|main|text|prose)(?:$|[\s_-])", re.I)
_CAPTION = re.compile(r"caption|credit|photo-?text|img-?desc|image-?desc|wp-caption-text", re.I)
_JUNK_LINE = re.compile(
    r"^(?:advertisement|advertisements|anzeige|ad|sponsored|continue reading|read more|read next|see also|"
    r"related(?: articles| stories| content)?|share(?: this)?(?: article| story)?|tweet|email|print|"
    r"more on this(?: story)?|click here.*|sign up.*|subscribe.*|follow us.*|(?:top|back to top)|"
    r"loading.*|image|photo|video|listen.*|skip.*|watch:?.*)$|"
    r"all rights reserved|^(?:©|\(c\)|copyright\b)",
    re.I,
)
_SPACE = re.compile(r"\s+")
_COMMA = re.compile(r"[,，、،]")


@dataclass
class MainText:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def extract_main_text(doc, headlines: set[str] = frozenset()) -> MainText:
    """Story paragraphs and captions of `doc`, an lxml.html document (modified in place)."""
    body = doc.find("body") if doc.tag == "html" else doc
    if body is None:
        body = doc
    captions = _take_captions(body)
    _drop_boilerplate(body)
    parts = _story_elements(body)
    paragraphs = [text for part in parts for text, links in _blocks(part) if _keep(text, links, headlines)]
    kept = [text for text, owner in captions if any(_within(owner, part) for part in parts)]
    return MainText(paragraphs=paragraphs, captions=kept)


def _take_captions(body) -> list[tuple[str, object]]:
    """Remove caption elements, remembering each one's text and the element it sat in."""
    found, seen = [], set()
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        if el.tag in CAPTION_TAGS or (
            el.tag in {"p", "div", "span", "small", "em", "cite"} and _CAPTION.search(_attrs(el)) and len(el) < 8
        ):
            walker.skip_subtree()
            text, parent = _clean(el.text_content()), el.getparent()
            if text and text not in seen:
                seen.add(text)
                found.append((text, parent))
            found.append((None, el))
    for text, el in found:
        if text is None:
            _remove(el)
    return [(text, parent) for text, parent in found if text is not None]


def _drop_boilerplate(body) -> None:
    """Remove invisible and boilerplate elements, but never one holding most of the page's prose."""
    good = _text_stats(body)[1]
    limit = 0.5 * good.get(body, 0)
    doomed = []
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        if _is_boilerplate(el) and (el.tag in DROP_TAGS or good.get(el, 0) <= limit):
            doomed.append(el)
            walker.skip_subtree()
    for el in doomed:
        _remove(el)


def _is_boilerplate(el) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        return True
    if tag in DROP_TAGS:
        return True
    if tag in {"html", "body", "main", "article", "p"}:
        return False
    if el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
        return True
    if el.get("role") in {"navigation", "complementary", "banner", "contentinfo", "menu", "dialog"}:
        return True
    attrs = _attrs(el)
    return bool(attrs) and bool(_BOILERPLATE.search(attrs)) and not _CONTENT.search(attrs)


def _text_stats(root) -> tuple[dict, dict, dict]:
    """Per element: text length, paragraph ("good") text length and link text length, bottom-up."""
    total: dict = {}
    good: dict = {}
    links: dict = {}
    for el in reversed(list(root.iter(etree.Element))):
        own = len((el.text or "").strip())
        t, g, lk = 0, 0, 0
        for child in el:
            own += len((child.tail or "").strip())
            t += total.get(child, 0)
            g += good.get(child, 0)
            lk += links.get(child, 0)
        t += own
        if el.tag == "a":
            lk = t
        if (el.tag in PARAGRAPH_TAGS or (el.tag == "div" and own > 80)) and t >= 40 and lk <= 0.5 * t and g < 0.5 * t:
            g = t
        total[el], good[el], links[el] = t, g, lk
    return total, good, links


def _story_elements(body) -> list:
    """The story's element and its sibling elements that read like story too (Readability's scheme)."""
    scores = _paragraph_scores(body)
    if not scores:
        return []
    total, _, links = _text_stats(body)

    def final(el) -> float:
        return scores[el] * (1 - links[el] / total[el] if total.get(el) else 1)

    top = max(scores, key=final)
    parent = top.getparent()
    if parent is None:
        return [top]
    threshold = max(10.0, final(top) * 0.2)
    parts = []
    for sibling in parent:
        if sibling is top:
            parts.append(sibling)
        elif not isinstance(sibling.tag, str):
            continue
        elif sibling in scores and final(sibling) + (final(top) * 0.2 if sibling.get("class") == top.get("class") and top.get("class") else 0) >= threshold:
            parts.append(sibling)
        elif sibling.tag == "p" and total.get(sibling):
            density = links[sibling] / total[sibling]
            if (total[sibling] > 80 and density < 0.25) or (density == 0 and re.search(r"[.!?。](\s|$)", sibling.text_content())):
                parts.append(sibling)
    return parts


def _paragraph_scores(body) -> dict:
    """Each paragraph's score (1 + commas + length/100, at most 3) credited to its ancestors."""
    scores: dict = {}
    for el in body.iter(SCORED_TAGS):
        if el.tag == "div" and any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS and c.tag != "br" for c in el):
            continue
        text = el.text_content()
        length = len(text.strip())
        if length < 25:
            continue
        score = 1 + len(_COMMA.findall(text)) + min(length // 100, 3)
        for level, ancestor in enumerate(el.iterancestors()):
            if level >= 3:
                break
            if ancestor not in scores:
                scores[ancestor] = _initial_score(ancestor)
            scores[ancestor] += score / (1, 2, 6)[level]
    return scores


def _initial_score(el) -> float:
    score = {"div": 5, "pre": 3, "td": 3, "blockquote": 3, "article": 10, "main": 5}.get(el.tag, 0)
    if el.tag in {"address", "ol", "ul", "dl", "dd", "dt", "li", "form"}:
        score -= 3
    elif el.tag in {"h1", "h2", "h3", "h4", "h5", "h6", "th"}:
        score -= 5
    for value in (el.get("class"), el.get("id")):
        if value:
            score += (W if _CONTENT.search(value) else 0) - (W if _BOILERPLATE.search(value) else 0)
    return score


def _blocks(container) -> list[tuple[str, int]]:
    """(text, characters inside links) of each block in reading order; block tags and <br> split."""
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    link_chars = 0
    in_link = 0

    def flush() -> None:
        nonlocal link_chars
        text = _clean("".join(buf))
        if text:
            out.append((text, link_chars))
        buf.clear()
        link_chars = 0

    def add(text: str | None, linked: bool) -> None:
        nonlocal link_chars
        if text:
            buf.append(text)
            if linked:
                link_chars += len(text.strip())

    for event, el in etree.iterwalk(container, events=("start", "end")):
        if not isinstance(el.tag, str):
            if event == "end":
                add(el.tail, in_link > 0)
            continue
        block = el.tag in BLOCK_TAGS
        if event == "start":
            if block:
                flush()
            in_link += el.tag == "a"
            add(el.text, in_link > 0)
        else:
            in_link -= el.tag == "a"
            if block:
                flush()
            if el is not container:
                add(el.tail, in_link > 0)
    flush()
    return out


def _keep(text: str, link_chars: int, headlines: set[str]) -> bool:
    """Drop link lists, boilerplate lines and the repeated headline."""
    if link_chars > 0.5 * len(text) or (len(text) < 200 and _JUNK_LINE.search(text)):
        return False
    norm = " ".join(re.findall(r"\w+", text.lower()))
    return bool(norm) and norm not in headlines


def _within(el, container) -> bool:
    while el is not None:
        if el is container:
            return True
        el = el.getparent()
    return False


def _remove(el) -> None:
    """Remove `el` but keep the text that follows it."""
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


def _attrs(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()



W = 25

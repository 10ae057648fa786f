"""The story's paragraphs and captions in a parsed page.

Captions are lifted out first (they are kept, but apart from the body); page furniture
(navigation, comments, share bars, related links) goes by tag and by class/id words.
Paragraphs then vote for their parent and grandparent, as in Readability; the winner,
widened to the common ancestor of close rivals (a story split around ads) and joined by
sibling paragraph blocks, is read block by block, dropping link lists and stock lines.
Every pass is iterative, so deeply nested pages cannot overflow the stack.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import lxml.html
from lxml import etree

from extractors.captions import Caption, take_captions
from extractors.markup import BLOCK_TAGS, INLINE_TAGS, attrs, remove, squash
from schemas.names import name_key
from schemas.reference import limit, pattern, thresholds, word_lists

DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "button",
    "select", "textarea", "input", "label", "head", "link", "meta", "dialog", "audio", "video", "map",
    "nav", "aside", "footer",
}
PARAGRAPH_TAGS = {"p", "pre", "blockquote", "li", "dd", "td", "h2", "h3", "h4", "h5", "h6"}
SCORED_TAGS = ("p", "pre", "td", "h2", "h3", "h4", "h5", "h6", "div")
# Class/id words naming page furniture (as word prefixes, or as whole words) or story content: page_classes.tsv.
_CLASS_WORDS = word_lists("page_classes.tsv")
_FURNITURE_PREFIXES = tuple(_CLASS_WORDS["furniture_prefix"])
_FURNITURE_WORDS = frozenset(_CLASS_WORDS["furniture_word"])
_CONTENT_WORDS = frozenset(_CLASS_WORDS["content"])
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_JUNK_LINE = pattern("junk_line")
# A line that is a date and little else: "Updated: Nov. 19, 2019 10:07 AM", "Veröffentlicht am 5. September 2021".
_DATE = re.compile(
    r"\b(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d|(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2}|"
    r"[A-Za-zÀ-ÿ]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d|"
    r"\d{1,2}\.?\s+(?:de\s+)?[A-Za-zÀ-ÿ]{3,}\.?,?\s+(?:de\s+)?(?:19|20)\d\d)\b"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4}\b)?)?",
    re.I,
)
_STAMP = re.compile(
    r"(?:last\s+)?(?:updated|published|posted|modified)\b:?\s*(?:at|on)?\s*\d(?:[^.!?]|[ap]\.m\.|\b[A-Z][a-z]{2}\.)*$", re.I
)
_TIME_ONLY = re.compile(
    r"^(?:\d{1,2}[:.]\d{2}(?:\s*(?:[ap]\.?m\.?|uhr|h))?(?:\s+[A-Z]{2,5})?|\d{1,2}\s*(?:min(?:ute)?s?|h(?:ours?)?|hrs?)\s+ago)$", re.I)
# Sign-off lines: contact addresses, follow-us calls, contribution credits.
_SIGN_OFF = pattern("sign_off")
_SIGN_OFF_ZONE = limit("sign_off_zone")
_MIN_SUMMARY, _MAX_SUMMARY = limit("summary_min_chars"), limit("summary_max_chars")
_SUMMARY_CLASS = pattern("summary")
# A JSON string holding HTML paragraphs: a story in a page's hydration data.
# A content block of a script's JSON that holds story text: "text", "paragraph", "ParagraphBlock", "block".
_TEXT_BLOCK = re.compile(r"^(?:text|p|block)$|paragraph", re.I)
_MIN_BLOCKS = limit("script_story_min_blocks")
_EMBEDDED_HTML = re.compile(r'"((?:[^"\\]|\\.){0,200}?(?:<p[ >]|\\u003cp[ \\u003e])(?:[^"\\]|\\.){300,})"')
_WIDEN_LEVELS, _WIDEN_GAIN, _WIDEN_PROSE = limit("widen_levels"), thresholds()["widen_gain"], thresholds()["widen_prose"]
# Boxes whose pictures are not the article's: author cards, newsletter and promotion boxes, lists of other stories.
_NOT_PICTURE_BOX = pattern("not_picture_box")
# A box of facts beside the story ("Factbox", "Key facts", "Infokasten"): not the story's own text.
_INFO_BOX = pattern("info_box")
_MAX_PICTURE_BOX_TEXT = limit("picture_box_max_chars")  # left in a dropped box once its captions are out
_MAX_SIGNUP_BOX = limit("signup_box_max_chars")
_WORDS = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)\]]*$")
_URL = re.compile(r"^(?:https?://|www\.)\S+$")
_COMMA = re.compile(r"[,，、،]")


@dataclass
class MainText:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)


def extract_main_text(doc: etree._Element, headlines: AbstractSet[str] = frozenset()) -> MainText:
    """Story paragraphs and captions of `doc`, an lxml.html document (modified in place).

    Captions count when they sit in the story or in the article's header, between the
    headline and the story (a lead picture); those of teasers and other boxes do not.
    """
    body = doc.find("body") if doc.tag == "html" else doc
    if body is None:
        body = doc
    headline = _headline_element(body, headlines)
    _drop_next_stories(body, headline)
    captions = take_captions(body)
    order = {el: i for i, el in enumerate(body.iter())}  # reading order; the dict keeps the proxies alive
    summary = _summary(headline, order)
    chain = [headline, *headline.iterancestors()] if headline is not None else []  # before furniture goes
    boxed = [c for c in captions if c.owner is None or _in_furniture(c.owner, headline)]
    _drop_hover_cards(body)
    dropped = [el for el in _drop_boilerplate(body) if headline is None or not _within(headline, el)]
    parts = _story_elements(body)
    kept_blocks = [text for part in parts for text, links in _blocks(part) if _keep(text, links, headlines)]
    if parts and summary and order.get(summary[0], 0) < min(order.get(p, 0) for p in parts):
        if not any(_within(summary[0], p) for p in parts) and name_key(summary[1]) not in {name_key(b) for b in kept_blocks}:
            kept_blocks.insert(0, summary[1])
    paragraphs = _drop_sign_off(kept_blocks)
    start, end = _article_span(order, parts, chain)
    kept = [
        c for c in captions
        if c not in boxed and start <= order.get(c.owner, -1) <= end
        and not any(_within(c.owner, d) and not _picture_box(d) for d in dropped)
    ]
    return MainText(paragraphs=paragraphs, captions=kept)


def _drop_next_stories(body: etree._Element, headline: etree._Element | None) -> None:
    """Remove the stories a page appends after its own (an endless scroll, "Next story"): a later
    <h1> in an article block (<article>, or an Article by itemtype) of the same class as the one
    holding the headline. An <h1> used for a sub-heading, or in a section of the story, stays."""
    if headline is None or headline.tag != "h1":
        return
    seen = False
    for h in list(body.iter("h1")):
        if h is headline:
            seen = True
            continue
        if not seen or any(a is headline for a in h.iterancestors()):
            continue
        block = h
        while block.getparent() is not None and not _within(headline, block.getparent()):
            block = block.getparent()
        parent = block.getparent()
        own = next((c for c in parent if _within(headline, c)), None) if parent is not None else None
        if own is not None and _is_story_block(own) and _is_story_block(block) and own.get("class") == block.get("class"):
            remove(block)


def _is_story_block(el: etree._Element) -> bool:
    """An element that says it is one article: <article>, or schema.org's Article types by itemtype."""
    return el.tag == "article" or (el.get("itemtype") or "").lower().endswith(("article", "posting"))


def _in_furniture(el: etree._Element, headline: etree._Element | None) -> bool:
    """`el` sits in a box named as furniture (an author card, a newsletter box, teasers) below the
    block that holds the headline; that block itself is often named "header"."""
    for a in (el, *el.iterancestors()):
        if headline is not None and _within(headline, a):
            return False
        if isinstance(a.tag, str) and a.tag not in ("article", "main", "body") and (
                _NOT_PICTURE_BOX.search(attrs(a)) or (a.get("itemtype") or "").endswith("/Person")):
            return True  # a box named as furniture, or a person's card (schema.org Person)
    return False


def embedded_story(article_body: str | None, scripts: list[str], headlines: AbstractSet[str] = frozenset()) -> list[str]:
    """The story of a page whose markup shows none (rendered by JavaScript): the JSON-LD
    `articleBody`, else the longest HTML story carried as a JSON string in a script (the page's
    hydration data: `"content":"<p>...</p>"`). [] when neither is there."""
    if article_body and len(article_body.strip()) >= 200:
        lines = [squash(line) for line in re.split(r"\n+", html.unescape(article_body))]
        return [line for line in lines if line and name_key(line) not in headlines]
    best = ""
    for script in scripts:
        for m in _EMBEDDED_HTML.finditer(script):
            try:
                value = json.loads(f'"{m.group(1)}"')
            except ValueError:
                continue
            if value.count("<p") >= 2 and len(value) > len(best):
                best = value
    if not best:
        blocks = max((_content_blocks(script) for script in scripts), key=lambda b: sum(map(len, b)), default=[])
        return [text for text in blocks if _keep(text, 0, headlines)]
    fragment = lxml.html.fragment_fromstring(best, create_parent="div")
    return [text for text, links in _blocks(fragment) if _keep(text, links, headlines)]


def _content_blocks(script: str) -> list[str]:
    """The story as a list of typed text blocks in a script's JSON (Arc XP's `content_elements`,
    Next.js page props, Sanity's portable text): the longest list holding at least three blocks
    typed as text or paragraph, each block's text without markup. [] when the script has none."""
    data = _script_json(script)
    best: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            texts = [t for t in (_block_text(b) for b in item) if t]
            if len(texts) >= _MIN_BLOCKS and sum(map(len, texts)) > sum(map(len, best)):
                best = texts
            stack.extend(item)
    return best


def _script_json(script: str) -> Any:
    """A script's JSON: the whole script, or the value assigned in it ("Fusion.globalContent = {...};")."""
    text = script.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    start = text.find("{")
    try:
        return json.JSONDecoder().raw_decode(text[start:])[0] if start >= 0 else None
    except ValueError:
        return None


def _block_text(block: Any) -> str:
    """The text of one content block typed as text or paragraph, markup removed; "" for other blocks."""
    if not isinstance(block, dict):
        return ""
    kind = next((block[k] for k in ("type", "_type", "__typename", "kind") if isinstance(block.get(k), str)), "")
    if not _TEXT_BLOCK.search(kind):
        return ""
    value = next((block[k] for k in ("content", "text", "html", "value", "body") if isinstance(block.get(k), str)), None)
    if value is None and isinstance(block.get("children"), list):  # portable text: spans in children
        value = "".join(c.get("text", "") for c in block["children"] if isinstance(c, dict) and isinstance(c.get("text"), str))
    if not value:
        return ""
    return squash(lxml.html.fragment_fromstring(value, create_parent="div").text_content()) if "<" in value else squash(value)


def _summary(headline: etree._Element | None, order: dict[etree._Element, int]) -> tuple[etree._Element, str] | None:
    """The article's summary in its header (standfirst, dek, lead): the first prose paragraph after
    the headline within the headline's block, as (element, text). Found before the header is
    dropped as furniture, and kept only if it stands before the story."""
    if headline is None:
        return None
    block = headline.getparent()
    for _ in range(2):
        if block is not None and block.getparent() is not None and block.getparent().tag not in ("body", "html"):
            if len(block.text_content()) < 2 * _MAX_SUMMARY:
                block = block.getparent()
    if block is None:
        return None
    start = order.get(headline, 0)
    for el in block.iter("p", "div", "h2", "span"):
        if order.get(el, 0) <= start or any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
            continue
        text = squash(el.text_content())
        links = sum(len(a.text_content()) for a in el.iter("a"))
        if _MIN_SUMMARY <= len(text) <= _MAX_SUMMARY and _SENTENCE_END.search(text) and links < 0.3 * len(text):
            if (el.tag == "p" or _SUMMARY_CLASS.search(attrs(el))) and not _is_date_line(text) and not _in_box(el, headline):
                return el, text
    return None


def _in_box(el: etree._Element, headline: etree._Element) -> bool:
    """`el` sits in a box named as furniture (a promotion, a share bar) below the block of `headline`."""
    for a in (el, *el.iterancestors()):
        if _within(headline, a):
            return False
        if _class_role(attrs(a)) < 0 and not _SUMMARY_CLASS.search(attrs(a)):
            return True
    return False


def _headline_element(body: etree._Element, headlines: AbstractSet[str]) -> etree._Element | None:
    """The <h1> (or <h2>) that carries the article's headline, if the page shows it."""
    for tag in ("h1", "h2"):
        for el in body.iter(tag):
            if name_key(el.text_content()) in headlines:
                return el
    return None


def _picture_box(el: etree._Element) -> bool:
    """A box left with (almost) no text once its captions are out: a picture's box, whatever its
    name ("header-features", "masthead"), not a box of other stories."""
    return len(squash(el.text_content())) < _MAX_PICTURE_BOX_TEXT


def _article_span(order: dict[etree._Element, int], parts: list[etree._Element], chain: list[etree._Element]) -> tuple[int, int]:
    """The article's span of the page in reading order, for its pictures: from the top of the
    block that holds both its headline and its story (a lead picture may stand above the
    headline) to the end of the story. Teasers and boxes outside the span are not the article's.
    `chain` is the headline and its ancestors as they stood before furniture was removed."""
    headline = chain[0] if chain else None
    if not parts:  # a page without prose (a gallery): its pictures follow the headline
        return (order[headline], len(order)) if headline is not None and headline in order else (0, -1)
    start = min(order.get(p, 0) for p in parts)
    end = max(order.get(next(reversed(list(p.iter()))), 0) for p in parts)
    if headline is None or headline not in order:
        return start, end
    depth = max(next((i for i, a in enumerate(chain) if _within(p, a)), len(chain) - 1) for p in parts)
    top = chain[depth] if chain[depth].tag not in ("body", "html") else headline
    return min(start, order.get(top, order[headline])), end


def _drop_hover_cards(body: etree._Element) -> None:
    """Remove pop-up cards hidden in a sentence: "Rep. <a>Ilhan Omar</a><span>[photo] Ilhan Omar
    <a>headline</a> <a>headline</a> MORE</span> (D-Minn.) ...".

    A card is an inline element inside a paragraph whose words are all link text, spread over
    three or more links; only the innermost such element goes, so the name linked in the
    sentence itself stays.
    """
    cards = [el for el in body.iter(*INLINE_TAGS - {"a"}) if len(el) >= 2 and _all_links(el) and _in_paragraph(el)]
    for el in cards:
        if not any(other is not el and _within(other, el) for other in cards):
            remove(el)


def _all_links(el: etree._Element) -> bool:
    links = el.findall(".//a")
    linked = sum(len(_WORDS.findall(a.text_content())) for a in links)
    return len(links) >= 3 and linked >= len(_WORDS.findall(el.text_content()))


def _in_paragraph(el: etree._Element) -> bool:
    for ancestor in el.iterancestors():
        if ancestor.tag not in INLINE_TAGS:
            return ancestor.tag in PARAGRAPH_TAGS
    return False


def _drop_boilerplate(body: etree._Element) -> list[etree._Element]:
    """Remove invisible and boilerplate elements, but never one holding most of the page's prose;
    return the removed elements."""
    good = _text_stats(body)[1]
    limit = 0.5 * good.get(body, 0)
    doomed = []
    signups = _signup_boxes(body)
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        if (_is_boilerplate(el) or _is_teaser_list(el) or el in signups) and (el.tag in DROP_TAGS or good.get(el, 0) <= limit):
            doomed.append(el)
            walker.skip_subtree()
    for el in doomed:
        remove(el)
    return doomed


def _signup_boxes(body: etree._Element) -> set[etree._Element]:
    """Small boxes around a form asking for an e-mail address: newsletter sign-ups, whatever they
    are called (the form's block ancestors while they stay short)."""
    out: set[etree._Element] = set()
    for email in body.iterfind('.//form//input[@type="email"]'):
        for a in email.iterancestors("div", "section", "aside"):
            if len(a.text_content()) >= _MAX_SIGNUP_BOX:
                break
            out.add(a)
    return out


def _is_teaser_list(el: etree._Element) -> bool:
    """Three or more cards of one class, each a picture and a headline link with a short blurb:
    teasers of other stories ("Most popular", "More from"), whatever the box is called."""
    if len(el) < 3:
        return False
    kinds = Counter((child.tag, child.get("class")) for child in el if child.get("class"))
    if not kinds or kinds.most_common(1)[0][1] < 3:
        return False
    tag, cls = kinds.most_common(1)[0][0]
    return all(_is_card(child) for child in el if child.tag == tag and child.get("class") == cls)


def _is_card(el: etree._Element) -> bool:
    return (
        el.find(".//img") is not None
        and any(len(a.text_content().strip()) >= 10 for a in el.iter("a"))
        and len(el.text_content()) < 300
    )


def _is_boilerplate(el: etree._Element) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        return True
    if tag in DROP_TAGS:
        return True
    if tag in {"html", "body", "main", "article"}:
        return False
    if el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
        return True
    if el.get("role") in {"navigation", "complementary", "banner", "contentinfo", "menu", "dialog"}:
        return True
    return _furniture_named(attrs(el)) and not _in_running_text(el)


@lru_cache(maxsize=4096)
def _furniture_named(names: str) -> bool:
    """Class and id words naming page furniture or a box of facts (pages repeat their class strings: cached)."""
    return _class_role(names) < 0 or bool(_INFO_BOX.search(names))


def _in_running_text(el: etree._Element) -> bool:
    """An inline element mid-sentence: "former frontman <a class="auto-tag">Michael McDonald</a> for ..."

    Its class names a link feature (tag pages, hover cards), not a box of furniture; dropping it
    would cut words out of the sentence.
    """
    if el.tag not in INLINE_TAGS:
        return False
    prev = el.getprevious()
    before = prev.tail if prev is not None else el.getparent().text
    return bool((before or "").strip() and (el.tail or "").strip())


def _class_role(attrs: str) -> int:
    """+1 when a class/id names story content, -1 when only page furniture, else 0.

    Each class token is judged by its last telling word: "entry-content" is content,
    "entry-meta" and "post-tags" are furniture.
    """
    role = 0
    for token in attrs.split():
        last = 0
        for word in _WORD.findall(token):
            word = word.lower()
            if word in _CONTENT_WORDS:
                last = 1
            elif word in _FURNITURE_WORDS or word.startswith(_FURNITURE_PREFIXES):
                last = -1
        if last > 0:
            return 1
        role = min(role, last)
    return role


def _text_stats(root: etree._Element) -> tuple[dict[etree._Element, int], dict[etree._Element, int], dict[etree._Element, int]]:
    """Per element: text length, paragraph ("good") text length and link text length, bottom-up."""
    total: dict[etree._Element, int] = {}
    good: dict[etree._Element, int] = {}
    links: dict[etree._Element, int] = {}
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


def _story_elements(body: etree._Element) -> list[etree._Element]:
    """The story's element and its sibling elements that read like story too (Readability's scheme)."""
    scores, direct = _paragraph_scores(body)
    if not scores:
        return []
    total, good, links = _text_stats(body)

    def final(el: etree._Element) -> float:
        return float(scores.get(el, 0.0)) * (1 - links[el] / total[el] if total.get(el) else 1)

    ranked = sorted(scores, key=final, reverse=True)
    top = _common_story_ancestor(ranked[0], [el for el in ranked[1:6] if final(el) >= 0.5 * final(ranked[0])])
    top = _widen(top, total, good, links)
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
        elif sibling in direct and _same_class(sibling, top) * final(top) * 0.2 + final(sibling) >= threshold:
            parts.append(sibling)  # a paragraph parent itself, not a box of separate items
        elif _is_paragraph(_unwrapped(sibling)) and total.get(sibling):
            density = links[sibling] / total[sibling]
            if (total[sibling] > 80 and density < 0.25) or (density == 0 and re.search(r"[.!?。](\s|$)", sibling.text_content())):
                parts.append(sibling)
    return parts


def _widen(
    top: etree._Element, total: dict[etree._Element, int], good: dict[etree._Element, int], links: dict[etree._Element, int]
) -> etree._Element:
    """Climb from `top` while its ancestors add more of the same story paragraphs and little else;
    take the highest that holds much more of them: a story cut into one module per paragraph or
    two, each scoring alone, is read whole. Wrappers that add nothing are passed through."""
    kinds = _paragraph_kinds(top)
    best, el = top, top
    for _ in range(_WIDEN_LEVELS):
        el = el.getparent()
        if el is None or el.tag in ("body", "html") or not total.get(el):
            break
        added = total[el] - total.get(best, 0)  # what climbing adds must be the story's kind of paragraph
        same = _paragraph_length(el, kinds) - _paragraph_length(best, kinds)
        if added > 0 and (same < _WIDEN_PROSE * added or links[el] - links.get(best, 0) > 0.25 * added):
            break
        if good.get(el, 0) >= _WIDEN_GAIN * max(good.get(best, 0), 1):
            best = el
    return best


def _paragraph_kinds(el: etree._Element) -> set[tuple[str, str | None, str | None]]:
    """The main kinds of story paragraph in `el`: (tag, parent tag, parent class) of its prose
    blocks, each holding at least a quarter of them (not a list or a box inside the story)."""
    lengths: Counter[tuple[str, str | None, str | None]] = Counter()
    for p in el.iter(*PARAGRAPH_TAGS):
        if len(p.text_content()) >= 40:
            lengths[_kind(p)] += len(p.text_content())
    whole = sum(lengths.values())
    return {kind for kind, n in lengths.items() if n >= 0.25 * whole}


def _paragraph_length(el: etree._Element, kinds: set[tuple[str, str | None, str | None]]) -> int:
    return sum(len(p.text_content()) for p in el.iter(*PARAGRAPH_TAGS) if _kind(p) in kinds and len(p.text_content()) >= 40)


def _kind(p: etree._Element) -> tuple[str, str | None, str | None]:
    parent = p.getparent()
    return p.tag, parent.tag if parent is not None else None, parent.get("class") if parent is not None else None


def _same_class(a: etree._Element, b: etree._Element) -> bool:
    return bool(a.get("class")) and a.get("class") == b.get("class")


def _common_story_ancestor(top: etree._Element, rivals: list[etree._Element]) -> etree._Element:
    """Story text split into separate blocks (around ads, videos) scores in each: take their common ancestor."""
    chain = [top, *top.iterancestors()][:5]
    depth = 0
    for rival in rivals:
        if rival in chain or any(a is top for a in rival.iterancestors()):
            continue
        for level, ancestor in enumerate(chain):
            if any(a is ancestor for a in rival.iterancestors()):
                depth = max(depth, level)
                break
    return chain[depth]


def _unwrapped(el: etree._Element) -> etree._Element:
    """The single element that `el` merely wraps (a <div> around one <p>), else `el` itself."""
    while len(el) == 1 and isinstance(el[0].tag, str) and not (el.text or "").strip() + (el[0].tail or "").strip():
        el = el[0]
    return el


def _is_paragraph(el: etree._Element) -> bool:
    """A <p>, or a <div> used as one (text and inline markup only)."""
    if el.tag == "p":
        return True
    return el.tag == "div" and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS and c.tag != "br" for c in el)


def _paragraph_scores(body: etree._Element) -> tuple[dict[etree._Element, float], dict[etree._Element, float]]:
    """Each paragraph's score (1 + commas + length/100, at most 3) credited to its ancestors,
    and, apart, to its parent alone. Text lying loose in a <div> among other blocks (a story
    written with <br>s) is a paragraph of that <div>, as Readability wraps it in a <p>."""
    scores: dict[etree._Element, float] = {}
    direct: dict[etree._Element, float] = {}
    for el in body.iter(SCORED_TAGS):
        loose = el.tag == "div" and not _is_paragraph(el)
        text = _loose_text(el) if loose else el.text_content()
        length = len(text.strip())
        if length < 25:
            continue
        score = 1 + len(_COMMA.findall(text)) + min(length // 100, 3)
        holders = [el, *el.iterancestors()] if loose else el.iterancestors()
        for level, ancestor in enumerate(holders):
            if level >= 3:
                break
            if ancestor not in scores:
                scores[ancestor] = _initial_score(ancestor)
            scores[ancestor] += score / (1, 2, 6)[level]
            if level == 0:
                direct[ancestor] = direct.get(ancestor, 0.0) + score
    return scores, direct


def _loose_text(el: etree._Element) -> str:
    return (el.text or "") + "".join(child.tail or "" for child in el)


def _initial_score(el: etree._Element) -> float:
    score = {"div": 5, "pre": 3, "td": 3, "blockquote": 3, "article": 10, "main": 5}.get(el.tag, 0)
    if el.tag in {"address", "ol", "ul", "dl", "dd", "dt", "li", "form"}:
        score -= 3
    elif el.tag in {"h1", "h2", "h3", "h4", "h5", "h6", "th"}:
        score -= 5
    if (el.get("itemprop") or "").lower() == "articlebody":
        return score + 25  # schema.org markup names the story's container outright
    return score + 25 * _class_role(attrs(el))


def _blocks(container: etree._Element) -> list[tuple[str, int]]:
    """(text, characters inside links) of each block in reading order; block tags and <br> split."""
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    link_chars = 0
    in_link = 0

    def flush() -> None:
        nonlocal link_chars
        text = squash("".join(buf))
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


def _keep(text: str, link_chars: int, headlines: AbstractSet[str]) -> bool:
    """Drop link lists, boilerplate lines, lines without a word character and the repeated headline
    (by its name key, `headlines`)."""
    if _link_list(text, link_chars) or (len(text) < 200 and (_JUNK_LINE.search(text) or _furniture_line(text))):
        return False
    return bool(_WORDS.search(text)) and name_key(text) not in headlines and not _is_date_line(text) and not _is_stamp(text)


@cache
def _page_lines() -> tuple[frozenset[str], tuple[str, ...]]:
    """Read-more labels (whole lines); consent placeholders, paywall notices and the page's notices
    inside a story (line starts), from `page_lines.tsv`."""
    table = word_lists("page_lines.tsv")
    return frozenset(table["read_more"]), (*table["consent"], *table["paywall"], *table["notice"])


def _furniture_line(text: str) -> bool:
    """A read-more label ("Mehr zum Thema", "Czytaj więcej"), a consent placeholder of an embed or a paywall notice."""
    labels, consent = _page_lines()
    key = text.lower().strip(" :…»›>-–—|")
    return key in labels or key.startswith(consent)


def _drop_sign_off(paragraphs: list[str]) -> list[str]:
    """Drop the contact and follow-us lines that close many stories ("Email X at x@site.com or
    follow him @x", "Follow our coverage at https://...", "X contributed to this report").

    Only the last paragraphs are judged: there these are the author's or site's sign-off, while
    the same words higher up may be story text.
    """
    cut = max(0, len(paragraphs) - _SIGN_OFF_ZONE)
    tail = [p for p in paragraphs[cut:] if len(p) > 400 or not _SIGN_OFF.search(p)]
    return paragraphs[:cut] + tail


def _link_list(text: str, link_chars: int) -> bool:
    """Mostly link text, and not a sentence that merely links many of its words.

    A story sentence can link most of its names ("... as <a>Julian Assange</a> faces <a>a charge</a> ...");
    a "Related: <a>Other headline</a>" line is short or ends without a full stop.
    """
    density = link_chars / len(text)
    if density <= 0.5 or _URL.match(text):
        return False
    return density > 0.75 or len(text.split()) < 10 or not _SENTENCE_END.search(text)


def _is_date_line(text: str) -> bool:
    if len(text) > 100 or "@" in text or len(found := list(_DATE.finditer(text))) != 1:
        return False  # tweet attributions and date ranges are story text
    m = found[0]
    return len(re.findall(r"\w+", text[: m.start()] + text[m.end() :])) <= 5


def _is_stamp(text: str) -> bool:
    """A time stamp without a year: "Updated at 1:23 p.m.", "Published 3 hours ago", a live blog's "10:05 GMT"."""
    return len(text) < 60 and bool(_STAMP.match(text) or _TIME_ONLY.match(text))


def _within(el: etree._Element | None, container: etree._Element) -> bool:
    while el is not None:
        if el is container:
            return True
        el = el.getparent()
    return False

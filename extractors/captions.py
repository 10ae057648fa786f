"""Photo captions and their credits, from a page's markup and its JSON-LD.

Sources: `<figure>`/`<figcaption>`; caption-classed elements ("caption", "legende",
"img-desc", ...); `data-caption` attributes; text under a picture that repeats its alt
text; JSON-LD `image` objects with a `caption`. A caption's credit ("Foto: Jane Doe",
"© BELGA", a credit-classed `<span>`, a short last piece such as "Getty Images") is split
off and kept as a credit, never as caption text. Label words are reference data
(`schemas/reference/captions.tsv`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from typing import Any

from lxml import etree

from extractors.agencies import agency_name
from extractors.authors import reads_as_byline
from extractors.markup import INLINE_TAGS, attrs, plain, remove, role_names, squash
from schemas.names import name_key
from schemas.reference import alternation, limit, pattern, thresholds, word_lists

_CAPTION_CLASS = pattern("caption")
_CREDIT_CLASS = pattern("credit")
_CREDIT_ITEMPROPS = {"copyrightholder", "credittext", "author", "creator", "copyrightnotice"}
_CAPTION_TAGS = {"p", "div", "span", "small", "em", "cite", "figcaption", "h2", "h3", "h4"}
_NOT_PERSON = pattern("not_person")
_MAX_CREDIT_WORDS = limit("credit_max_words")
_STAMP = re.compile(r"[\d\s.,:/|-]+(?:\s*[^\W\d]{1,4}\.?)?")
# Boxes that play a video or a sound: their titles and blurbs are not a picture's caption.
_PLAYER_CLASS = pattern("player")
_PLAYER_TAGS = {"iframe", "video", "audio", "object", "embed"}
_MAX_PLAYER_BOX = limit("player_box_max_chars")  # a bigger ancestor is the page or the story
# Labels only screen readers hear ("Image caption", "Image copyright"): not part of the caption.
_HIDDEN_LABEL = pattern("hidden_label")
_MAX_LABEL_WORDS = limit("hidden_label_max_words")
_TEASER_LINKS = thresholds()["teaser_link_share"]  # a teaser of another story
_WORD = re.compile(r"[^\W\d_]+")
_PICTURE_TAGS = {"img", "picture", "amp-img", "noscript"}
_PICTURE_LEVELS = limit("picture_levels")  # a caption and its picture share one of its nearest ancestors
_ALT_WORD = re.compile(r"\w+")  # the words an alt text and the text repeating it are aligned by
_PICTURE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])")


@dataclass
class Caption:
    """A picture's caption, its credit (None when it names none) and the element it sat in."""

    text: str
    credit: str | None
    owner: object


@dataclass(frozen=True)
class _Labels:
    credit_lead: re.Pattern[str]  # "Foto: Jane Doe", "Photo by Jane Doe", "© dpa"
    credit_tail: re.Pattern[str]  # "... Foto: Jane Doe", "... (Bild: dpa)", "... — © BELGA"
    caption_lead: re.Pattern[str]  # "Legende: ..."
    bare_label: re.Pattern[str]  # a credit label left at the end with nothing after it: "... Albania. Foto:"
    label_lead: re.Pattern[str]  # a credit word used as the caption's label: "Image: Jose Mourinho has agreed ..."
    controls: frozenset[str]  # the words of a gallery's buttons ("Caption", "Close", "Image 1 of 5")


@cache
def _labels() -> _Labels:
    table = word_lists("captions.tsv")

    def words(kind: str) -> str:
        return alternation(table[kind])

    credit = rf"(?:{words('credit')})\s*(?:by|von|de|di|par|por|af|av)?\s*(?:[:：/]|\.\.\.|…)"
    by = rf"(?:{words('credit')})\s+(?:by|courtesy(?:\s+of)?)\b"
    return _Labels(
        credit_lead=re.compile(rf"^\s*(?:{credit}|{by}|©|\(c\)|copyright\b)\s*", re.I),
        credit_tail=re.compile(
            rf"\s*(?:[(\[（]\s*(?:[^\W\d_][\w.&'-]*\s+){{0,2}}?(?:{credit}|{by}|©)\s*(?P<paren>[^()\[\]]{{2,80}})[)\]）]"
            rf"|(?:[—–|-]\s*)?(?:{credit}|(?-i:Photo(?:graph)?s?\s+by|Foto\s+von)|©|\(c\))\s*(?P<bare>[^\n]{{2,80}}?))\s*$",
            re.I,
        ),
        caption_lead=re.compile(rf"^\s*(?:{words('caption')})\s*[:：]\s*", re.I),
        bare_label=re.compile(rf"\s*(?:{words('credit')})\s*[:：]\s*$", re.I),
        label_lead=re.compile(rf"^\s*(?:{words('credit')})\s*[:：]\s*", re.I),
        controls=frozenset(table["control"]),
    )


def take_captions(body: etree._Element) -> list[Caption]:
    """Remove the page's captions and credits from the tree; return them in page order.

    A `<figure>` gives one caption (its `<figcaption>`, else its caption-classed elements);
    the whole figure goes when it is little more than its caption, else only the caption
    parts, so a story wrapped in a figure keeps its text.
    """
    found: list[Caption] = []
    doomed = []
    read: set[etree._Element] = set()
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        if not isinstance(el.tag, str) or el in read:
            continue  # a credit element read with the caption before it
        owner = None
        if el.tag == "figure":
            parts = _figure_parts(el)
            text, credit = _read(parts) if parts else ("", None)
            if not text:
                text = plain(el.get("data-caption")) or _data_caption(el)
            small = len(el.text_content()) < 2 * len(text) + 200
            doomed += [el] if small else parts
            walker.skip_subtree()
        elif _repeats_alt(el):
            marked = any(_is_caption(d) or _is_credit(d) for d in el.iterdescendants() if isinstance(d.tag, str))
            parts = [el]
            text, credit = _read(parts) if marked else _alt_caption(el)  # marked parts say which is which
            doomed.append(el)
            walker.skip_subtree()
        elif _is_caption(el):
            parts = [el, *_credits_after(el)]
            text, credit = _read(parts)
            doomed += parts
            read.update(parts)
            walker.skip_subtree()
            owner = _picture_box(el)
            if not (el.tag == "figcaption" or el.get("itemprop")) and (owner is None or el.find(".//time") is not None):
                continue  # small print styled as a caption (a newsletter box's, a date line): no picture's
        elif el.get("data-caption") and el.tag in ("img", "div", "picture", "a"):
            parts = []
            text, credit = plain(el.get("data-caption")) or "", None
        else:
            continue
        text, more = split_caption_credit(text) if text else ("", None)
        if not (credit or more) and _names_a_credit(text):
            text, more = "", text  # "Patrick Semansky, ASSOCIATED PRESS" in a caption's place
        if reads_as_byline(text) or _controls(text) or _plays_media(el) or _teaser(parts, text):
            text = ""  # an author's card in a figure ("Von Jane Doe, Redakteurin"), a gallery's buttons, a video, a link
        if text or credit or more:
            found.append(Caption(text, credit or more, owner if owner is not None else el.getparent()))
    for el in doomed:
        remove(el)
    return found


def ld_captions(ld: dict[str, Any]) -> list[Caption]:
    """Captions of the JSON-LD article's `image` (and `associatedMedia`) objects."""
    out = []
    for key in ("image", "associatedMedia"):
        items = ld.get(key)
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict) and isinstance(item.get("caption"), str):
                text, credit = split_caption_credit(plain(item["caption"]) or "")
                holder = item.get("creditText") or item.get("copyrightHolder") or item.get("author")
                if isinstance(holder, dict):
                    holder = holder.get("name")
                if text:
                    out.append(Caption(text, credit or (squash(holder) if isinstance(holder, str) else None), None))
    return out


def split_caption_credit(text: str) -> tuple[str, str | None]:
    """A caption without its label ("Legende:") and trailing credit ("Foto: X", "(Bild: X)", "© X")."""
    labels = _labels()
    text = labels.bare_label.sub("", labels.caption_lead.sub("", squash(text)))
    if _STAMP.fullmatch(text):
        return "", None  # a time stamp in a caption's place: "24.04.2024, 19:35 Uhr"
    m = labels.credit_tail.search(text)
    if m and m.start() > 0:
        credit = m["paren"] or m["bare"]
        return text[: m.start()].rstrip(" —–-|,;"), clean_credit(credit)
    if labels.credit_lead.match(text) and len(text.split()) <= _MAX_CREDIT_WORDS:
        return "", clean_credit(text)
    return labels.label_lead.sub("", text), None


def clean_credit(text: str) -> str:
    """The credit without its label: "Foto: Jane Doe/Reuters" -> "Jane Doe/Reuters"."""
    return _labels().credit_lead.sub("", squash(text)).strip(" .;:,()[]")


def credit_name(credit: str) -> str:
    """The credited person of "Li Wei/Xinhua" or "Li Wei, Xinhua"; the whole line when no person is named."""
    credit = credit.strip(" .;:,")
    parts = [p.strip() for p in re.split(r"\s*[/,|]\s*", credit) if p.strip()]
    people = [p for p in parts if not agency_name(p) and not _NOT_PERSON.search(p)]
    if len(people) == 1:
        return people[0]
    return agency_name(credit) or credit


def _figure_parts(figure: etree._Element) -> list[etree._Element]:
    """The caption elements of a figure: its <figcaption> (with credit elements beside it), else
    its outermost caption-classed elements, else the text under a picture repeating its alt."""
    caps = [c for c in figure.iter("figcaption")]
    if all(_is_credit(c) for c in caps):  # none, or a <figcaption> holding only the credit: the caption is elsewhere
        marked = [c for c in figure.iter(etree.Element) if c is not figure and c not in caps and _is_caption(c)]
        caps += [c for c in marked if not any(a in marked or a in caps for a in c.iterancestors())]
    if not caps:
        caps = [c for c in figure.iter(etree.Element) if c is not figure and _repeats_alt(c)][:1]
    credits = [c for c in figure.iter(etree.Element) if c is not figure and _is_credit(c)
               and not any(a in caps or _is_credit(a) for a in c.iterancestors())]
    return caps + [c for c in credits if c not in caps]


def _read(parts: list[etree._Element]) -> tuple[str, str | None]:
    """(caption text, credit) of caption elements: credit-classed descendants give the credit; else
    a short last piece set apart in its own element ("<span>Getty Images</span>")."""
    texts: list[str] = []
    credits: list[str] = []
    for part in parts:
        if _is_credit(part):
            credits.append(_heard(part))
            continue
        pieces = _pieces(part, credits)
        texts += pieces
    if not credits and len(texts) >= 2 and _credit_like(texts[-1]) and not _credit_like(" ".join(texts[:-1])):
        credits.append(texts.pop())
    text = squash(" ".join(texts))
    credit = "; ".join(c for c in (clean_credit(c) for c in credits) if c) or None
    return text, credit


def _pieces(el: etree._Element, credits: list[str]) -> list[str]:
    """Text of `el` in pieces at its block and child-element boundaries, credit elements set aside."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = squash("".join(buf))
        if text:
            out.append(text)
        buf.clear()

    buf.append(el.text or "")
    for child in el:
        if isinstance(child.tag, str) and _is_hidden_label(child):
            pass  # "Image caption", "Image copyright": words for screen readers
        elif isinstance(child.tag, str) and _is_credit(child):
            flush()
            credits.append(_heard(child))
        elif isinstance(child.tag, str) and child.tag in INLINE_TAGS and len(child) == 0 and (buf and squash("".join(buf))):
            buf.append(child.text_content())  # a word in a sentence: "<b>Name</b> speaks"
        else:
            flush()
            if isinstance(child.tag, str):
                out += _pieces(child, credits)
        buf.append(child.tail or "")
    flush()
    return out


def _picture_box(el: etree._Element) -> etree._Element | None:
    """The element holding a caption element and the picture it captions: its parent when the
    picture stands beside it, else the nearest ancestor holding one (an <img>, a <picture>, a
    lazy-loaded picture's placeholder). None when there is no picture near: a "text-caption"
    style in a form or a box of links."""
    for a in (el.getprevious(), el.getnext()):
        if a is not None and isinstance(a.tag, str) and _holds_picture(a):
            return el.getparent()
    for a in islice(el.iterancestors(), _PICTURE_LEVELS):
        if a.tag in ("article", "main", "body"):
            return None
        if _holds_picture(a):
            return a
    return None


def _holds_picture(el: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and (d.tag in _PICTURE_TAGS or d.get("data-src") or d.get("data-srcset"))
               for d in el.iter())


def _heard(el: etree._Element) -> str:
    """The text of `el` without the labels only screen readers hear."""
    out: list[str] = []
    hidden = None
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if hidden is None and event == "start":
            if node is not el and isinstance(node.tag, str) and _is_hidden_label(node):
                hidden = node
            elif isinstance(node.tag, str):
                out.append(node.text or "")
        elif event == "end":
            if node is hidden:
                hidden = None
            if hidden is None and node is not el:
                out.append(node.tail or "")
    return squash(" ".join(out))


def _names_a_credit(text: str) -> bool:
    """Only a credit: a short list of names ending on an agency or a picture service
    ("Patrick Semansky, ASSOCIATED PRESS", "Jane Doe/Getty Images")."""
    parts = [p.strip() for p in re.split(r"\s*[,/|]\s*", text) if p.strip()]
    return (len(parts) >= 2 and all(len(p.split()) <= 4 for p in parts)
            and bool(agency_name(parts[-1]) or _NOT_PERSON.search(parts[-1])))


def _is_hidden_label(el: etree._Element) -> bool:
    """A few words only screen readers hear: "<span class="off-screen">Image caption</span>"."""
    return bool(_HIDDEN_LABEL.search(attrs(el))) and len(el.text_content().split()) <= _MAX_LABEL_WORDS


def _controls(text: str) -> bool:
    """Only the words of a gallery's buttons: "Caption Close", "Hide caption", "Image 1 of 5"."""
    words = _WORD.findall(text.lower())
    return bool(words) and all(w in _labels().controls for w in words)


def _plays_media(el: etree._Element) -> bool:
    """`el` sits in a small box that plays a video or a sound and shows no picture (a box named
    so, or a figure holding a frame or a player): its title is the video's, not a picture's
    caption. A video's poster picture with a caption is a picture."""
    for a in (el, *el.iterancestors()):
        if not isinstance(a.tag, str) or a.tag in ("article", "main", "body") or len(a.text_content()) > _MAX_PLAYER_BOX:
            return False
        if _PLAYER_CLASS.search(attrs(a)) or a.tag == "figure" and _holds_player(a):
            return a.find(".//img") is None
        if a.tag == "figure":
            return False
    return False


def _holds_player(figure: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and (d.tag in _PLAYER_TAGS or _PLAYER_CLASS.search(attrs(d))) for d in figure.iter())


def _teaser(parts: list[etree._Element], text: str) -> bool:
    """A caption that is mostly a link to another page: the headline of a teaser or a promotion."""
    if not text:
        return False
    linked = sum(len(squash(a.text_content())) for part in parts if not _is_credit(part) for a in part.iter("a")
                 if _links_away(a))
    return linked >= _TEASER_LINKS * len(text)


def _links_away(a: etree._Element) -> bool:
    """A link to another page, not to the picture itself or to a place on this page."""
    href = (a.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("#", "javascript:")) and not _PICTURE_FILE.search(href)


def _credit_like(text: str) -> bool:
    """Short, without a sentence's end: "Getty Images", "Alketa Misja (dpa/picture alliance)", "AP"."""
    words = text.split()
    return 0 < len(words) <= _MAX_CREDIT_WORDS and not re.search(r"[.!?:;。]$", text)


def _is_credit(el: etree._Element) -> bool:
    """A credit element: named so by its class or id, or schema.org's `copyrightHolder`/`creditText`/`author`."""
    if (el.get("itemprop") or "").lower() in _CREDIT_ITEMPROPS:
        return True
    return _credit_named(role_names(el)) and len(el.text_content()) < 200


def _is_caption(el: etree._Element) -> bool:
    """A caption element: <figcaption>, schema.org's `caption`, or a caption-classed text element."""
    if el.tag == "figcaption" or (el.get("itemprop") or "").lower() == "caption":
        return True
    if el.tag not in _CAPTION_TAGS or len(el) >= 8:
        return False
    return _caption_named(role_names(el))


@lru_cache(maxsize=4096)
def _caption_named(names: str) -> bool:
    """Class, id or hook words naming a caption (pages repeat their class strings: cached)."""
    return bool(names) and bool(_CAPTION_CLASS.search(names))


@lru_cache(maxsize=4096)
def _credit_named(names: str) -> bool:
    return bool(names) and bool(_CREDIT_CLASS.search(names)) and not _CAPTION_CLASS.search(names)


def _credits_after(el: etree._Element) -> list[etree._Element]:
    """The credit elements right after a caption element ("<p class=caption>..</p><p class=credit>..</p>")."""
    out = []
    nxt = el.getnext()
    while nxt is not None and isinstance(nxt.tag, str) and _is_credit(nxt):
        out.append(nxt)
        nxt = nxt.getnext()
    return out


def _alt_caption(el: etree._Element) -> tuple[str, str | None]:
    """(caption, credit) of text repeating its picture's alt text: the alt's words are the caption,
    what follows them the credit ("The coach wants every point. IMAGO/Nico Herbertz")."""
    text = squash(el.text_content())
    img = next(_picture_before(el).iter("img"))
    alt = (img.get("alt") or "").strip()
    if alt.endswith(("…", "...")):  # a shortened alt text: the caption is the whole text
        return split_caption_credit(text)
    words = len(_ALT_WORD.findall(alt))
    tokens = list(_ALT_WORD.finditer(text))
    cut = tokens[words - 1].end() if 0 < words <= len(tokens) else len(text)
    cut += len(text[cut:]) - len(text[cut:].lstrip(".!?;:,)\"”’ "))
    return text[:cut].strip(), (text[cut:].strip() or None)


def _picture_before(el: etree._Element) -> etree._Element:
    prev = el.getprevious()
    while prev is not None and prev.tag == "br":
        prev = prev.getprevious()
    return prev


def _data_caption(figure: etree._Element) -> str:
    for el in figure.iter("img", "div", "picture", "a"):
        if el.get("data-caption"):
            return plain(el.get("data-caption")) or ""
    return ""


def _repeats_alt(el: etree._Element) -> bool:
    """Text under a picture that repeats its alt text: the picture's caption, marked up as plain text
    ("<picture><img alt="X"></picture><p>X <span>Credit</span></p>"; a link repeating it is a
    teaser's headline, not a caption)."""
    if el.tag not in ("p", "div", "span"):
        return False
    prev = _picture_before(el)
    if prev is None or not isinstance(prev.tag, str) or prev.tag not in ("img", "picture", "a", "span", "div", "figure"):
        return False
    img = prev if prev.tag == "img" else next(prev.iter("img"), None)
    if img is None or not img.get("alt") or (prev.text or "").strip() or len(prev.text_content().strip()) > 0:
        return False
    if el.find(".//a") is not None or any(a.tag == "a" for a in el.iterancestors()):
        return False
    alt = name_key(img.get("alt") or "")
    return len(alt) > 10 and name_key(el.text_content()).startswith(alt)

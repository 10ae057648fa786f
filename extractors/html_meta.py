"""Article metadata from a parsed page: JSON-LD first, then OpenGraph/meta tags, then markup.

Structured data is what publishers maintain for search engines, so it is the most
reliable source; visible markup (`<title>`, `<time>`, bylines) fills the gaps.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import htmldate
from lxml import etree

from extractors.authors import find_authors
from extractors.captions import Caption, ld_captions
from extractors.dates import country_of, date_label, date_labels, read_date
from extractors.markup import INLINE_TAGS, attrs, clean, plain, squash
from schemas.names import name_key
from schemas.reference import limit, pattern, word_lists

# What pages name their metadata by (schema.org types, <meta> keys): meta_keys.tsv.
_KEYS = word_lists("meta_keys.tsv")
ARTICLE_TYPES = frozenset(_KEYS["article_type"])
# " | ", " - ", "_", and the bars and dashes CJK titles write without spaces ("标题-新华网", "제목ㅣ신문").
_TITLE_SEPARATORS = re.compile(
    r"\s+(?:\||-|–|—|::|»|·|•|/)\s+|\s*[|_｜ㅣ丨]\s*|(?<=[\u3000-\u9fff\uac00-\ud7af])\s*[-–—]\s*(?=[\u3000-\u9fff\uac00-\ud7af])"
)
_MAX_SITE_WORDS, _MAX_SITE_CHARS = limit("site_name_max_words"), limit("site_name_max_chars")  # a short title part
_SECTION_WORDS = limit("section_name_max_words")  # a site's section named in a title suffix ("UK News")
_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-]?(0[1-9]|1[0-2]|[1-9])[/-]?(0[1-9]|[12]\d|3[01]|[1-9])(?:/|[^\d]|$)")


@dataclass
class Meta:
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    headline_texts: set[str] = field(default_factory=set)  # normalized forms of the headline, to drop from the body
    agencies: list[str] = field(default_factory=list)  # agencies the byline credits: the source, not authors
    warnings: list[str] = field(default_factory=list)  # guesses made reading the metadata (an ambiguous zone)
    ld_captions: list[Caption] = field(default_factory=list)  # captions of the JSON-LD article's images
    article_body: str | None = None  # the JSON-LD `articleBody`, the story as the publisher states it
    is_article: bool = False  # the page says it is an article (JSON-LD article type, og:type "article")


def extract_meta(doc: etree._Element, url: str | None = None) -> Meta:
    """Metadata of the page `doc` (an lxml.html document)."""
    ld = _json_ld_article(doc)
    tags = _meta_tags(doc)
    m = Meta()
    publisher = _name(ld.get("publisher"))
    m.site_name = _site_name(tags.get("og:site_name") or publisher or tags.get("application-name"))
    m.canonical_url = _abs(
        _link(doc, "canonical") or tags.get("og:url") or _url_of(ld.get("mainEntityOfPage")) or ld.get("url"), url
    )
    m.description = clean(tags.get("og:description") or tags.get("description") or _str(ld.get("description")))
    m.image = _abs(
        tags.get("og:image") or tags.get("og:image:url") or tags.get("twitter:image") or _url_of(ld.get("image")),
        url or m.canonical_url,
    )
    m.language = _language(
        doc.get("lang") or doc.get("xml:lang") or _str(ld.get("inLanguage")) or tags.get("og:locale")
        or tags.get("content-language") or tags.get("language") or tags.get("dc.language")
    )
    h1s = _h1_texts(doc)
    h1 = h1s[0] if h1s else None
    headline, og_title = _str(ld.get("headline")), tags.get("og:title")
    agreed = bool(headline and og_title and name_key(headline) == name_key(og_title))
    m.title = _title(_whole_headline(headline, og_title, tags.get("twitter:title"), _doc_title(doc), h1),
                     h1s, m.site_name, url or m.canonical_url, agreed)
    for t in (m.title, h1, _str(ld.get("headline")), tags.get("og:title")):
        if t:
            m.headline_texts.add(name_key(t))
    authors = find_authors(doc, ld, _meta_authors(doc), {publisher, m.site_name}, url or m.canonical_url)
    m.authors, m.agencies = authors.names, authors.agencies
    _dates(m, doc, ld, tags, url or m.canonical_url)
    m.ld_captions = ld_captions(ld)
    m.article_body = ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else None
    types: list[Any] = ld["@type"] if isinstance(ld.get("@type"), list) else [ld.get("@type")]
    m.is_article = tags.get("og:type", "").lower() == "article" or any(
        str(t).lower() in ARTICLE_TYPES or str(t).lower().endswith(("article", "posting")) for t in types if t)
    return m


_PUBLISHED_KEYS = tuple(_KEYS["published"])  # in order: the first found wins
_MODIFIED_KEYS = tuple(_KEYS["modified"])


def _meta_tags(doc: etree._Element) -> dict[str, str]:
    """First value of each <meta> by property/name/itemprop/http-equiv, keys lowercased."""
    out: dict[str, str] = {}
    for el in doc.iter("meta"):
        content = el.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "http-equiv"):
            key = el.get(attr)
            if key:
                out.setdefault(key.strip().lower(), content.strip())
        if el.get("itemprop"):
            out.setdefault("itemprop:" + el.get("itemprop").strip().lower(), content.strip())
    return out


_AUTHOR_META = frozenset(_KEYS["author"])


def _meta_authors(doc: etree._Element) -> list[str]:
    """Every <meta> author value (some pages give one tag per author), URLs left out."""
    return [
        el.get("content").strip()
        for el in doc.iter("meta")
        if (el.get("name") or el.get("property") or "").strip().lower() in _AUTHOR_META
        and (el.get("content") or "").strip()
        and not el.get("content").strip().startswith("http")
    ]


def _json_ld_article(doc: etree._Element) -> dict[str, Any]:
    """The page's JSON-LD article object (NewsArticle, BlogPosting, ...), or {}. Its `author`,
    `creator`, `publisher` and `image` given as references (`{"@id": ...}`, as Yoast's @graph
    writes them) are replaced by the objects they name elsewhere in the page's JSON-LD."""
    found: dict[str, Any] = {}
    fallback: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if isinstance(item.get("@id"), str) and len(item) > 1:
                    nodes.setdefault(item["@id"], item)
                types = item.get("@type")
                types = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
                if types & ARTICLE_TYPES or any(t.endswith(("article", "posting")) for t in types):
                    found = found or item
                elif any(t.endswith("webpage") for t in types) and not fallback:
                    fallback = item  # "WebPage", "MedicalWebPage": the page, when no article object is given
                for key in ("@graph", "mainEntity", "hasPart"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    article = found or fallback
    return {k: _resolved(v, nodes) if k in _REFERENCED else v for k, v in article.items()}


_REFERENCED = ("author", "creator", "publisher", "image")


def _resolved(value: Any, nodes: dict[str, dict[str, Any]]) -> Any:
    """`value` with each `{"@id": X}` reference replaced by the node X, when the page has it."""
    if isinstance(value, list):
        return [_resolved(v, nodes) for v in value]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in nodes:
        return nodes[value["@id"]]
    return value


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    return clean(value) if isinstance(value, str) and value.strip() else None


def _str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return clean(value) if isinstance(value, str) else None


def _url_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _abs(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    return urljoin(base, href.strip()) if base else href.strip()


def _link(doc: etree._Element, rel: str) -> str | None:
    for el in doc.iter("link"):
        if rel in (el.get("rel") or "").lower().split() and el.get("href"):
            return str(el.get("href"))
    return None


def _language(tag: str | None) -> str | None:
    """Primary language subtag, lowercased: "en-US" and "en_GB" both give "en"."""
    if not tag:
        return None
    code = re.split(r"[-_\s,;]", tag.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _site_name(value: str | None) -> str | None:
    """The site's name; a bare address given as one ("https://www.example.com") reads as its host."""
    name = clean(value)
    if name and re.match(r"https?://", name):
        name = (urlsplit(name).hostname or "").removeprefix("www.") or None
    return name


def _doc_title(doc: etree._Element) -> str | None:
    el = doc.find(".//title")
    return clean(el.text_content()) if el is not None else None


def _h1_texts(doc: etree._Element) -> list[str]:
    """The page's first few <h1> texts: the site's logo is often an <h1> too, before the headline."""
    return [text for text in (clean(el.text_content()) for el in doc.iter("h1")) if text][:5]


def _whole_headline(*sources: str | None) -> str | None:
    """The first headline source, unless it was cut short ("... the first 110 characters…"): then
    the source that holds it whole. Markup written into a headline ("Review: <i>Hamlet</i>") goes."""
    found = [t for t in (plain(s) for s in sources) if t]
    if not found:
        return None
    first = found[0]
    stem = first.rstrip(".… ").strip()
    if first != stem or len(first) >= 100:
        longer = [f for f in found[1:] if len(f) > len(stem) and f.startswith(stem)]
        if longer:
            return min(longer, key=len)
    return first


def _title(raw: str | None, h1s: list[str], site: str | None, url: str | None, agreed: bool = False) -> str | None:
    """The headline without " | Site" suffixes or "Site - " prefixes.

    An <h1> that is the title less its decoration is the headline; one that is the whole
    title says there is no decoration to strip ("Take C.A.R.E. - comwrap auf der DMEXCO").
    When the structured headline and og:title `agreed`, a shorter <h1> inside them is the
    headline without its kicker ("Kenia: Nairobi von unten" shown as "Nairobi von unten"),
    not the title, and only a named site is stripped: on the tuning pages the two agreeing
    sources were right each time.
    """
    title = clean(raw)
    if not title:
        return None
    norm, site_norm = name_key(title), name_key(site or "")
    if any(name_key(h) == norm for h in h1s):
        return title
    inside = [h for h in h1s if len(h) > 15 and name_key(h) in norm and name_key(h) != site_norm]
    if inside and not agreed:
        return max(inside, key=len)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) == 1:
        return title
    runs = [parts[:n] for n in range(1, len(parts))] + [parts[n:] for n in range(1, len(parts))]
    for h in [] if agreed else h1s:  # a short <h1> that is the title's leading or trailing parts: "Budget vote - Courier"
        key = name_key(h)
        if key and key != site_norm and any(key == name_key(" ".join(run)) for run in runs):
            return h
    host = urlsplit(url).hostname or "" if url else ""
    host_words = {w for w in re.split(r"[.\-]", host.lower()) if len(w) > 2} - {"www", "com", "org", "net", "co"}

    def is_site(part: str) -> bool:
        p = name_key(part)
        compact = p.removeprefix("the ").replace(" ", "")
        return bool(p) and (
            (site and (p == name_key(site) or p in name_key(site) or name_key(site) in p))
            or compact in host_words
            or any(compact.startswith(w) for w in host_words if len(w) > 4)
        )

    named = len(parts)
    while len(parts) > 1 and (is_site(parts[-1]) or not site and _names_a_publication(parts[-1])):
        parts.pop()
    # "Headline - Politics - The Hill": short parts left before the site's name are its sections.
    while len(parts) < named and len(parts) > 1 and len(parts[-1].split()) <= _SECTION_WORDS and len(parts[-1]) < len(parts[0]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    # A trailing "| Section" or "_Site" we could not name: those separators rarely sit inside headlines.
    if len(parts) > 1 and re.search(r"[|_｜ㅣ丨]", title) and len(parts[-1]) < len(parts[0]):
        parts = parts[:-1]
    return _rejoin(title, parts)


def _names_a_publication(part: str) -> bool:
    """A short title part named like a publication: "Daily News", "朝日新聞デジタル", "한국일보"
    (`schemas/reference/site_words.tsv`)."""
    latin, cjk = _site_words()
    words = part.split()
    if len(words) > _MAX_SITE_WORDS or len(part) > _MAX_SITE_CHARS:
        return False
    return any(w.lower().strip(".") in latin for w in words) or any(w in part for w in cjk)


@cache
def _site_words() -> tuple[frozenset[str], tuple[str, ...]]:
    words = word_lists("site_words.tsv")["media"]
    return frozenset(w for w in words if w.isascii()), tuple(w for w in words if not w.isascii())


def _rejoin(title: str, parts: list[str]) -> str:
    """The span of `title` from the first kept part to the last one, separators as published."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)


def _dates(m: Meta, doc: etree._Element, ld: dict[str, Any], tags: dict[str, str], url: str | None) -> None:
    """Set `published_at` and `modified_at`, kept apart; the first readable source wins.

    Published: JSON-LD `datePublished`/`dateCreated`, publication <meta> tags, a <time> marked
    as the publication (itemprop, class, pubdate), any <time> not marked as an update, then the
    visible text of date-classed or date-labelled elements ("Veröffentlicht am 3. Mai 2024",
    "Datum 28.04.2023"), then a date in the URL. Modified: JSON-LD `dateModified`, update <meta>
    tags, then <time> elements and texts labelled as updates ("Updated", "Stand:").
    """
    languages = (m.language,) if m.language else ()
    country = country_of(url, tags.get("og:locale") or doc.get("lang"))
    times = _time_elements(doc)
    visible: dict[str, list[str]] = {}

    def shown(kind: str) -> list[str]:  # the page text is searched only when nothing better was found
        if not visible:
            visible.update(_visible_dates(doc))
        return visible[kind]

    def first(*sources: Any) -> dt.datetime | None:
        for source in sources:
            for value in source() if callable(source) else [source]:
                reading = read_date(value, languages=languages, country=country)
                if reading.when is not None:
                    if reading.note:
                        m.warnings.append(reading.note)
                    return reading.when
        return None

    m.modified_at = first(ld.get("dateModified"), *(tags.get(k) for k in _MODIFIED_KEYS), *times["updated"],
                          lambda: shown("updated"))

    m.published_at = first(
        ld.get("datePublished"), ld.get("dateCreated"), tags.get("article:published_time"),
        *(tags.get(k) for k in _PUBLISHED_KEYS), *times["published"], *times[""], lambda: shown("published"),
        lambda: shown(""), lambda: [_htmldate(doc, url, m.modified_at)], _url_date(url),
    )

_DATE_CLASS = pattern("date")
_DATE_TAGS = ("span", "p", "div", "li", "dd", "small", "em", "strong", "td")
_MAX_DATE_TEXT = limit("date_text_max_chars")
_DATE_SEPARATORS = re.compile(r"\s+[|•·/–—-]\s+|\s*\|\s*")


def _time_elements(doc: etree._Element) -> dict[str, list[str]]:
    """<time> values (the datetime attribute, else the visible text) by what they are marked as:
    "published", "updated" or "" (unmarked)."""
    out: dict[str, list[str]] = {"published": [], "updated": [], "": []}
    for el in doc.iter("time"):
        value = el.get("datetime") or el.get("content") or squash(el.text_content())
        if not value:
            continue
        hint = " ".join((el.get("itemprop") or "", attrs(el), squash((el.getparent().text or "") if el.getparent() is not None else "")))
        if "datemodified" in hint.lower() or date_label(hint) == "updated" or re.search(r"updat|modif", hint, re.I):
            out["updated"].append(value)
        elif "publish" in hint.lower() or "pubdate" in hint.lower() or el.get("pubdate") is not None:
            out["published"].append(value)
        else:
            out[""].append(value)
    return out


def _visible_dates(doc: etree._Element) -> dict[str, list[str]]:
    """Dates shown as text in short date-classed or date-labelled elements, by kind: "published"
    and "updated" (labelled), "" (only the element's class says date). A text is cut at its
    labels ("05.04.2025 - Güncelleme : 05.04.2025" is a publication and an update) and at its
    separators ("Do 25.04.24 | 14:07 Uhr | Von Eva ..." gives "Do 25.04.24 | 14:07 Uhr" too)."""
    out: dict[str, list[str]] = {"published": [], "updated": [], "": []}
    found = 0
    for el in doc.iter(*_DATE_TAGS):
        if len(el) > 4:
            continue
        a = attrs(el)
        own = squash(el.text or "")
        if not own and len(el) and el[0].tag in INLINE_TAGS:
            own = squash(el[0].text_content())  # "<li><strong>Datum</strong> 28.04.2023</li>"
        if not (_DATE_CLASS.search(a) if a else False) and not (own and date_label(own[:30])):
            continue
        text = squash(el.text_content())
        if not text or len(text) > _MAX_DATE_TEXT or not any(c.isdigit() for c in text):
            continue
        for kind, part in _labelled_parts(text):
            out[kind] += _pieces(part)
        found += 1
        if found == 12:
            break
    return out


def _pieces(text: str) -> list[str]:
    """`text`, then its leading runs of separator-delimited parts, longest first, then each part."""
    parts = [p.strip() for p in _DATE_SEPARATORS.split(text) if p.strip()]
    if len(parts) < 2:
        return [text]
    runs = [" ".join(parts[:n]) for n in range(len(parts) - 1, 1, -1)]
    return [text, *runs, *parts]


def _labelled_parts(text: str) -> list[tuple[str, str]]:
    """The text cut at each date label, each part with the kind of its label."""
    marks = sorted((m.start(), m.end(), kind) for kind, p in date_labels() for m in p.finditer(text))
    if not marks:
        return [("", text)]
    parts, pos, kind = [], 0, ""
    for start, end, k in marks:
        if start < pos:
            continue
        if text[pos:start].strip(" |-–—·,"):
            parts.append((kind, text[pos:start].strip(" |-–—·,")))
        pos, kind = end, k
    if text[pos:].strip(" |-–—·,"):
        parts.append((kind, text[pos:].strip(" |-–—·,")))
    return parts


def _htmldate(doc: etree._Element, url: str | None, modified: dt.datetime | None) -> str | None:
    """htmldate's reading of the page (its header, JSON and abbr patterns, without the extensive
    text search), as the last resort before the URL: "YYYY-MM-DD" or None. htmldate falls back on
    an update date; that day is not taken as the publication."""
    try:
        found = htmldate.find_date(doc, url=url, extensive_search=False, original_date=True, deferred_url_extractor=True)
    except (ValueError, TypeError):
        return None
    return None if found and modified and found == modified.date().isoformat() else found


def _url_date(url: str | None) -> str | None:
    m = _URL_DATE.search(urlsplit(url).path) if url else None
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None

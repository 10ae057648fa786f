"""Article metadata from a parsed page: JSON-LD first, then OpenGraph/meta tags, then markup.

Structured data is what publishers maintain for search engines, so it is the most
reliable source; visible markup (`<title>`, `<time>`, bylines) fills the gaps.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import warnings
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from dateutil import parser as dateparser
from lxml import etree

from extractors.dates import plausible

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "scholarlyarticle", "techarticle", "report",
}
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·|•|/)\s+|\s*[|_｜]\s*")
_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-]?(0[1-9]|1[0-2]|[1-9])[/-]?(0[1-9]|[12]\d|3[01]|[1-9])(?:/|[^\d]|$)")
_BY = re.compile(r"^\s*(?:written\s+)?(?:by|von|por|par|di|door|av)\s*:?\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||\band\b|\bund\b|\by\b|\bet\b|&|,\s*and\b)\s*", re.I)
_NOT_A_NAME = re.compile(
    r"https?://|www\.|@|\.com\b|\b(?:photo|image|picture|getty|shutterstock|staff|editor(?:ial)?s?|"
    r"news|agency|associated press|reuters|afp|bloomberg|contributor|correspondent|writer|reporter|columnist|"
    r"producer|updated|published|posted|\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2})\b",
    re.I,
)


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


def extract_meta(doc, url: str | None = None) -> Meta:
    """Metadata of the page `doc` (an lxml.html document)."""
    ld = _json_ld_article(doc)
    tags = _meta_tags(doc)
    m = Meta()
    publisher = _name(ld.get("publisher"))
    m.site_name = _site_name(tags.get("og:site_name") or publisher or tags.get("application-name"))
    m.canonical_url = _abs(
        _link(doc, "canonical") or tags.get("og:url") or _url_of(ld.get("mainEntityOfPage")) or ld.get("url"), url
    )
    m.description = _clean(tags.get("og:description") or tags.get("description") or _str(ld.get("description")))
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
    m.title = _title(
        _str(ld.get("headline")) or tags.get("og:title") or tags.get("twitter:title") or _doc_title(doc) or h1,
        h1s, m.site_name, url or m.canonical_url,
    )
    for t in (m.title, h1, _str(ld.get("headline")), tags.get("og:title")):
        if t:
            m.headline_texts.add(word_key(t))
    m.authors = clean_authors(_authors(ld, doc), {publisher, m.site_name})
    m.published_at = _first_date(
        ld.get("datePublished"), ld.get("dateCreated"), tags.get("article:published_time"),
        *(tags.get(k) for k in _PUBLISHED_KEYS), _time_element(doc), _url_date(url or m.canonical_url),
    )
    m.modified_at = _first_date(ld.get("dateModified"), *(tags.get(k) for k in _MODIFIED_KEYS))
    return m


_PUBLISHED_KEYS = (
    "itemprop:datepublished", "og:published_time", "article.published", "published-date", "publish-date",
    "publishdate", "pubdate", "date", "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "article:published", "datepublished",
)
_MODIFIED_KEYS = (
    "article:modified_time", "og:updated_time", "itemprop:datemodified", "dcterms.modified", "last-modified",
    "lastmod", "article.updated", "datemodified",
)


def _meta_tags(doc) -> dict[str, str]:
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


_AUTHOR_META = {"author", "article:author", "dc.creator", "creator", "sailthru.author", "parsely-author", "byl"}


def _meta_authors(doc) -> list[str]:
    """Every <meta> author value (some pages give one tag per author), URLs left out."""
    return [
        el.get("content").strip()
        for el in doc.iter("meta")
        if (el.get("name") or el.get("property") or "").strip().lower() in _AUTHOR_META
        and (el.get("content") or "").strip()
        and not el.get("content").strip().startswith("http")
    ]


def _json_ld_article(doc) -> dict:
    """The page's JSON-LD article object (NewsArticle, BlogPosting, ...), or {}."""
    fallback: dict = {}
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
                types = item.get("@type")
                types = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
                if types & ARTICLE_TYPES or any(t.endswith(("article", "posting")) for t in types):
                    return item
                if any(t.endswith("webpage") for t in types) and not fallback:
                    fallback = item  # "WebPage", "MedicalWebPage": the page, when no article object is given
                for key in ("@graph", "mainEntity", "hasPart"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    return fallback


def _authors(ld: dict, doc) -> list[str]:
    names = _names(ld.get("author")) or _names(ld.get("creator"))
    if names:
        return names
    if found := _meta_authors(doc):
        return found
    found = [_text(el) for el in doc.xpath('//*[@itemprop="author"] | //*[@rel="author"]')[:5]]
    if found:
        return found
    for el in doc.xpath('//*[contains(@class, "byline") or contains(@class, "author")][not(descendant::p)]')[:3]:
        lines = _lines(el)
        if lines and _BY.match(lines[0]) and len(" ".join(lines)) < 120:
            return lines
    return []


def _lines(el) -> list[str]:
    """The text of `el` line by line, a line per block element: a byline's "By A and B" and
    "Associated Press" in two <div>s must not run together as "BAssociated Press"."""
    chunks: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        block = "\n" if node.tag in _BLOCK_TAGS else ""
        if event == "start":
            chunks += [block, node.text or ""]
        else:
            chunks += [block, (node.tail or "") if node is not el else ""]
    return [line for line in (_clean(c) for c in "".join(chunks).split("\n")) if line]


def clean_authors(raw: list[str], publishers: set[str | None] = frozenset()) -> list[str]:
    """Person names from author strings: "By" dropped, lists split, "Last, First" kept whole."""
    bad = {word_key(p) for p in publishers if p}
    out: list[str] = []
    for value in raw:
        value = _BY.sub("", re.sub(r"\s+", " ", value or "")).strip(" ,;|-–—")
        for part in _AUTHOR_SPLIT.split(value):
            for name in _split_commas(part):
                name = _BY.sub("", name).strip(" .,;:|-–—()")
                if (
                    2 <= len(name) < 60
                    and not _NOT_A_NAME.search(name)
                    and not _CREDENTIAL.fullmatch(name)
                    and not any(_contains_words(word_key(name), p) for p in bad)
                    and len(name.split()) <= 5
                    and _capitalized(name)
                    and name.lower() not in {n.lower() for n in out}
                ):
                    out.append(_uncapped(name))
    return out


def _contains_words(name: str, publisher: str) -> bool:
    """"cnn business" names the publisher "CNN"; "the telegraph" is in "telegraph sport"."""
    publisher = publisher.removeprefix("the ")
    return len(publisher) > 2 and f" {publisher} " in f" {name} "


def _uncapped(name: str) -> str:
    """"LISA MASCARO" (a wire byline in capitals) as "Lisa Mascaro"; mixed case is kept as written."""
    return name.title() if name.isupper() and len(name) > 3 else name


# Degrees and suffixes after a comma: "Ilana Muhlstein, MS, RDN" is one person.
_CREDENTIAL = re.compile(r"[A-Z]{2,4}|Ph\.?\s?D|M\.?D|Jr|Sr|I{2,3}|IV")
_BLOCK_TAGS = {"div", "p", "br", "li", "ul", "ol", "section", "header", "h2", "h3", "h4", "table", "tr", "td"}
_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "du", "del", "la", "le", "bin", "al", "el", "y", "e", "ten", "zu"}


def _capitalized(name: str) -> bool:
    """Names are capitalized (particles aside); "exclusive discounts" from a split bio is not one."""
    return all(not w[0].islower() or w.lower() in _PARTICLES for w in name.replace(",", " ").split())


def _split_commas(part: str) -> list[str]:
    """"Smith, John" is one person; "John Smith, Jane Doe" is two."""
    pieces = [p.strip() for p in part.split(",") if p.strip()]
    if len(pieces) == 2 and all(len(p.split()) == 1 for p in pieces):
        return [part.strip()]
    return pieces


def _names(value) -> list[str]:
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    name = _name(value)
    return [name] if name else []


def _name(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    return _clean(value) if isinstance(value, str) and value.strip() else None


def _str(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _clean(value) if isinstance(value, str) else None


def _url_of(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _abs(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    return urljoin(base, href.strip()) if base else href.strip()


def _link(doc, rel: str) -> str | None:
    for el in doc.iter("link"):
        if rel in (el.get("rel") or "").lower().split() and el.get("href"):
            return el.get("href")
    return None


def _language(tag: str | None) -> str | None:
    """Primary language subtag, lowercased: "en-US" and "en_GB" both give "en"."""
    if not tag:
        return None
    code = re.split(r"[-_\s,;]", tag.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _site_name(value: str | None) -> str | None:
    """The site's name; a bare address given as one ("https://www.example.com") reads as its host."""
    name = _clean(value)
    if name and re.match(r"https?://", name):
        name = (urlsplit(name).hostname or "").removeprefix("www.") or None
    return name


def _doc_title(doc) -> str | None:
    el = doc.find(".//title")
    return _text(el) if el is not None else None


def _h1_texts(doc) -> list[str]:
    """The page's first few <h1> texts: the site's logo is often an <h1> too, before the headline."""
    return [text for text in (_text(el) for el in doc.iter("h1")) if text][:5]


def _title(raw: str | None, h1s: list[str], site: str | None, url: str | None) -> str | None:
    """The headline without " | Site" suffixes or "Site - " prefixes.

    An <h1> that is the title less its decoration is the headline; one that is the whole
    title says there is no decoration to strip ("Take C.A.R.E. - comwrap auf der DMEXCO").
    """
    title = _clean(raw)
    if not title:
        return None
    norm, site_norm = word_key(title), word_key(site or "")
    if any(word_key(h) == norm for h in h1s):
        return title
    inside = [h for h in h1s if len(h) > 15 and word_key(h) in norm and word_key(h) != site_norm]
    if inside:
        return max(inside, key=len)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) == 1:
        return title
    host = urlsplit(url).hostname or "" if url else ""
    host_words = {w for w in re.split(r"[.\-]", host.lower()) if len(w) > 2} - {"www", "com", "org", "net", "co"}

    def is_site(part: str) -> bool:
        p = word_key(part)
        return bool(p) and (
            (site and (p == word_key(site) or p in word_key(site) or word_key(site) in p))
            or p.replace(" ", "") in host_words
            or any(p.replace(" ", "").startswith(w) for w in host_words if len(w) > 4)
        )

    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    # A trailing "| Section" or "_Site" we could not name: those separators rarely sit inside headlines.
    if len(parts) > 1 and re.search(r"[|_｜]", title) and len(parts[-1]) < len(parts[0]):
        parts = parts[:-1]
    return _rejoin(title, parts)


def _rejoin(title: str, parts: list[str]) -> str:
    """The span of `title` from the first kept part to the last one, separators as published."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)


def _time_element(doc) -> str | None:
    best = None
    for el in doc.iter("time"):
        value = el.get("datetime") or el.get("content")
        if not value:
            continue
        hint = " ".join((el.get("itemprop") or "", el.get("class") or "", el.get("pubdate") or "")).lower()
        if "publish" in hint or "pubdate" in hint or el.get("pubdate") is not None:
            return value
        best = best or value
    return best


def _url_date(url: str | None) -> str | None:
    m = _URL_DATE.search(urlsplit(url).path) if url else None
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def _first_date(*values) -> dt.datetime | None:
    for value in values:
        parsed = parse_date(value)
        if parsed:
            return parsed
    return None


def parse_date(value) -> dt.datetime | None:
    """A datetime from ISO 8601 or a common written form; aware only when the text has an offset."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or not (value := value.strip()) or len(value) > 60:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        try:
            with warnings.catch_warnings():  # unknown zone names ("IST") just give a naive datetime
                warnings.simplefilter("ignore")
                parsed = dateparser.parse(value, default=dt.datetime(1900, 1, 1))
        except (ValueError, OverflowError, TypeError):
            return None
    return parsed if plausible(parsed) else None


def _text(el) -> str:
    return _clean(el.text_content()) or ""


def _clean(value: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", html.unescape(value)).strip()
    return value or None


def word_key(text: str) -> str:
    """Lower-case words only: how a headline is recognised again in the body."""
    return " ".join(re.findall(r"\w+", text.lower()))

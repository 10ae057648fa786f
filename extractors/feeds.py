"""Feed documents to entries: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed, sitemaps, OPML.

Safety: nothing here fetches or opens anything. feedparser gets a file object (given bytes it
would try them as a file name), its SAX parser resolves no external entity or DTD and does not
expand entity bombs; sitemaps and OPML go through lxml with entities, DTDs and network off and
`huge_tree` off, as a stream, so memory follows the entry cap and not the document size.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
import warnings
from itertools import islice
from typing import Any

import feedparser
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.dammit import EncodingDetector
from lxml import etree

from extractors.dates import country_of, read_date
from extractors.encoding import codec_for, header_charset, looks_binary
from extractors.urls import canonicalize_url
from schemas.errors import FeedError  # the document is not a feed at all (empty, binary, HTML, unknown format)
from schemas.feed import BadEntry, FeedEntry, FeedKind, ParsedFeed
from schemas.settings import DEFAULTS

_SAFE_XML = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)
_JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*\{")
# Control characters XML forbids, and UTF-8-encoded surrogates (CESU-8): one stray byte
# makes the whole document ill-formed, so they are removed before parsing.
_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xed[\xa0-\xbf][\x80-\xbf]")
_TEXT_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# A CDATA section that was XML-escaped once more, so it arrives as text: "<![CDATA[Headline]]>".
_ESCAPED_CDATA = re.compile(r"^\s*<!\[CDATA\[(?P<inner>.*?)\]\]>\s*$", re.S)
_ITEM_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
# root element -> (kind, the element that holds one entry or feed)
_LISTS: dict[str, tuple[FeedKind, str]] = {"urlset": ("sitemap", "url"), "sitemapindex": ("sitemap_index", "sitemap"), "opml": ("opml", "outline")}


def parse_feed(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    max_entries: int = DEFAULTS.max_entries,
    now: dt.datetime | None = None,
) -> ParsedFeed:
    """Parse a feed, sitemap, sitemap index or OPML document fetched from `url`.

    Entry links are canonicalized against `url`; un-fetchable ones become `bad_entries` with
    the reason, and repeats of a canonical URL are kept once. Only the first `max_entries`
    items are read (`truncated` says more were there). A date outside
    `extractors.dates.plausible` (the 1970 epoch, year 9999) becomes None like an
    unparseable one ('yesterday'); a date
    without a zone is taken as UTC, and all are returned in UTC. `now` (default: the clock)
    must be timezone-aware. Malformed XML is parsed leniently and says so in `warning`.
    The HTTP `content_type` charset is used only when the document declares no encoding of
    its own (no BOM, no XML declaration); UTF-16/32 documents are not supported.

    Raises FeedError when the document is empty, binary, HTML or no known feed format.
    """
    if not body or body.isspace():
        raise FeedError("empty document")
    if looks_binary(body):
        raise FeedError("binary data, not a feed")
    now = now or dt.datetime.now(dt.UTC)
    if _JSON_START.match(body):
        return _parse_json_feed(body, url, max_entries, now)
    body = _XML_ILLEGAL.sub(b"", _apply_http_charset(body, content_type))
    events = etree.iterparse(io.BytesIO(body), events=("start", "end"), **_SAFE_XML)
    root = _root_name(events)
    if root in ("rss", "rdf", "feed"):
        return _parse_syndication(body, url, "atom" if root == "feed" else "rss", max_entries, now)
    if root in _LISTS:
        return _parse_xml_list(events, *_LISTS[root], url, max_entries, now)
    if root == "html":
        raise FeedError("an HTML page, not a feed")
    raise FeedError(f"not a feed: root element <{root}>" if root else "neither XML nor JSON, not a feed")


class _Entries:
    """Canonicalizes links, files un-fetchable ones as bad entries, keeps the first of repeats."""

    def __init__(self, base: str, body: bytes = b""):
        self.base = base
        self.body = body
        self.entries: list[FeedEntry] = []
        self.bad: list[BadEntry] = []
        self._seen: set[str] = set()

    def add(self, link: object, title: str | None = None,
            published_at: dt.datetime | None = None, guid: str | None = None) -> None:
        if not isinstance(link, str) or not link.strip():
            self.bad.append(BadEntry(link="", reason=f"entry has no link (title: {title!r})"))
            return
        try:
            url = canonicalize_url(link, base=self.base)
        except ValueError as exc:
            self.bad.append(BadEntry(link=_as_written(link, self.body), reason=str(exc)))
            return
        if url not in self._seen:
            self._seen.add(url)
            self.entries.append(FeedEntry(url=url, link=link, title=title,
                                          published_at=published_at, guid=guid))

    def canonical(self, link: object) -> str | None:
        """A document-level link (rel=next): canonical, or None when unusable."""
        try:
            return canonicalize_url(link, base=self.base) if isinstance(link, str) else None
        except ValueError:
            return None


def _parse_syndication(body: bytes, url: str, kind: FeedKind, max_entries: int,
                       now: dt.datetime) -> ParsedFeed:
    body, truncated = _cut_items(body, max_entries)
    doc = feedparser.parse(io.BytesIO(body))
    found = _Entries(url, body)
    dates = _Dates(url, now, doc.feed.get("language"))
    for entry in doc.entries:
        found.add(entry.get("link"), _detail_text(entry, "title"),
                  dates.read(entry.get("published") or entry.get("updated")),
                  _text(entry.get("id")))
    next_link = next((link.get("href") for link in doc.feed.get("links", []) if link.get("rel") == "next"), None)
    warning = f"malformed feed, recovered leniently: {doc.bozo_exception}" if doc.bozo else None
    return ParsedFeed(kind=kind, title=_detail_text(doc.feed, "title"), entries=found.entries,
                      bad_entries=found.bad, next_url=found.canonical(next_link),
                      warning=dates.warning(warning), truncated=truncated)


def _as_written(link: str, body: bytes) -> str:
    """`link` as the feed wrote it: feedparser collapses the slashes after "scheme://" (its
    `urls._urifixer`), so `file:///etc/passwd` reaches us as `file://etc/passwd`; the document
    is searched for the written form, and `link` is kept when it is not there."""
    scheme, sep, rest = link.partition("://")
    if not sep or not rest:
        return link
    written = re.search(re.escape(f"{scheme}://".encode()) + rb"/+" + re.escape(rest.encode()), body)
    return written[0].decode("utf-8", "replace") if written else link


def _cut_items(body: bytes, max_entries: int) -> tuple[bytes, bool]:
    """Drop items past the cap before parsing, so a 100,000-item feed costs what 10,000 do.

    The document's tail after its last item is kept, so the cut feed stays well-formed and
    feedparser keeps its fast strict parser.
    """
    extra = next(islice(_ITEM_START.finditer(body), max_entries, None), None)
    if extra is None:
        return body, False
    cut = extra.start()
    tail = max(body.rfind(b"</item>") + len(b"</item>"), body.rfind(b"</entry>") + len(b"</entry>"))
    return body[:cut] + (body[tail:] if tail > cut else b""), True


def _parse_json_feed(body: bytes, url: str, max_entries: int, now: dt.datetime) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError("JSON document is not a JSON Feed")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed has no items list")
    found = _Entries(url)
    dates = _Dates(url, now, doc.get("language") if isinstance(doc.get("language"), str) else None)
    for item in items[:max_entries]:
        if not isinstance(item, dict):
            found.bad.append(BadEntry(link="", reason="JSON Feed item is not an object"))
            continue
        found.add(item.get("url") or item.get("external_url"), _text(item.get("title")),
                  dates.read(item.get("date_published") or item.get("date_modified")),
                  _text(item.get("id")))
    return ParsedFeed(kind="json", title=_text(doc.get("title")), entries=found.entries,
                      bad_entries=found.bad, next_url=found.canonical(doc.get("next_url")),
                      warning=dates.warning(), truncated=len(items) > max_entries)


def _parse_xml_list(events: etree.iterparse, kind: FeedKind, item_tag: str, url: str,
                    max_entries: int, now: dt.datetime) -> ParsedFeed:
    """Sitemap (-> entries), sitemap index or OPML (-> feeds), read as a stream."""
    found = _Entries(url)
    dates = _Dates(url, now)
    title, count, truncated = None, 0, False
    for event, el in events:
        if event != "end":
            continue
        name = _local(el)
        if kind == "opml" and name == "title" and title is None:
            title = _text(el.text)
        if name != item_tag:
            continue
        if kind == "opml":
            link = el.get("xmlUrl") or el.get("xmlurl")
            if link is None:  # a folder of outlines, not a feed
                continue
            fields = {"title": el.get("title") or el.get("text")}
        else:
            fields = {}
            for child in el.iterdescendants():  # first of each name wins: <loc> before <image:loc>
                if isinstance(child.tag, str):
                    fields.setdefault(_local(child), child.text)
            link = fields.get("loc")
        if count == max_entries:
            truncated = True
            break
        count += 1
        found.add(link, _text(fields.get("title")),
                  dates.read(fields.get("publication_date") or fields.get("lastmod")))
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    errors = events.error_log.filter_from_errors()
    warning = dates.warning(f"malformed XML, recovered leniently: {errors[0].message}" if errors else None)
    if kind == "sitemap":
        return ParsedFeed(kind=kind, entries=found.entries, bad_entries=found.bad,
                          warning=warning, truncated=truncated)
    return ParsedFeed(kind=kind, title=title, feeds=[e.url for e in found.entries],
                      bad_entries=found.bad, warning=warning, truncated=truncated)


def _root_name(events: etree.iterparse) -> str | None:
    """Local name of the root element, lower-cased; None when there is no XML element."""
    try:
        return next(_local(el).lower() for event, el in events if event == "start")
    except (StopIteration, etree.XMLSyntaxError):
        return None


def _local(el: etree._Element) -> str:
    return str(etree.QName(el).localname)


def _apply_http_charset(body: bytes, content_type: str | None) -> bytes:
    """Re-encode as UTF-8 from the HTTP charset, unless the document declares its own encoding."""
    codec = codec_for(header_charset(content_type))
    if not codec or body.startswith(codecs.BOM_UTF8) or EncodingDetector.find_declared_encoding(body[:1024]):
        return body
    try:
        return body.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        return body


def _text(value: object, html: bool = False) -> str | None:
    """Stripped text without control characters or lone surrogates; None when empty or not text.

    A CDATA section escaped once more ("&lt;![CDATA[...]]&gt;") yields the text inside it; `html`
    text (feedparser's "text/html" fields: "Shares <b>rise</b> &amp;amp; fall") is read as
    markup by BeautifulSoup, which knows every HTML entity.
    """
    if not isinstance(value, str):
        return None
    while m := _ESCAPED_CDATA.match(value):
        value = m["inner"]
    if html and ("<" in value or "&" in value):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            value = BeautifulSoup(value, "lxml").get_text()
    return _TEXT_ILLEGAL.sub("", " ".join(value.split())).strip() or None


def _detail_text(entry: dict[str, Any], key: str) -> str | None:
    """A feedparser text field, read as HTML when feedparser says it is."""
    detail = entry.get(f"{key}_detail") or {}
    return _text(entry.get(key), html=detail.get("type") == "text/html")


class _Dates:
    """Reads a feed's dates with `extractors.dates.read_date`: zone names resolved by the feed's
    country (its domain), written dates in the feed's language, naive dates taken as UTC; the
    guesses it had to make are kept as notes for the feed's warning."""

    def __init__(self, url: str, now: dt.datetime, language: str | None = None):
        self.country = country_of(url, language)
        self.languages = (language.split("-")[0].lower(),) if language else ()
        self.now = now
        self.notes: list[str] = []

    def read(self, value: object) -> dt.datetime | None:
        reading = read_date(value, languages=self.languages, country=self.country, now=self.now)
        if reading.when is None:
            return None
        if reading.note and reading.note not in self.notes:
            self.notes.append(reading.note)
        when = reading.when if reading.when.tzinfo else reading.when.replace(tzinfo=dt.UTC)
        return when.astimezone(dt.UTC)

    def warning(self, other: str | None = None) -> str | None:
        return "; ".join(filter(None, [other, *self.notes])) or None

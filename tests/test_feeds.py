"""Feed parsing: every format from fixture files, then the farm's real and hostile feeds."""

from __future__ import annotations

import datetime as dt
import gzip
import time
from pathlib import Path

import httpx
import pytest

from extractors.feeds import FeedError, parse_feed

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
UTC = dt.UTC


def parse_fixture(name: str, url: str, **kwargs):
    return parse_feed((FEEDS / name).read_bytes(), url, now=NOW, **kwargs)


def test_rss_091_resolves_relative_links_and_skips_its_dtd():
    feed = parse_fixture("rss091.xml", "http://news.example.com/rss.xml")
    assert (feed.kind, feed.title, feed.warning) == ("rss", "Wire Desk 0.91", None)
    assert [(e.url, e.title) for e in feed.entries] == [
        ("http://news.example.com/world/zurich.html", "Zürich signs a twin-city agreement"),
        ("http://news.example.com/local/cafe.html", "Café owners meet the mayor"),
    ]
    assert feed.entries[0].link == "/world/zurich.html"


def test_rss_10_rdf_with_dublin_core_dates():
    feed = parse_fixture("rss10.rdf", "http://rdf.example.org/index.rdf")
    assert (feed.kind, feed.title) == ("rss", "RDF Site Summary")
    assert [e.url for e in feed.entries] == ["http://rdf.example.org/2026/11/a.html", "http://rdf.example.org/2026/11/b.html"]
    assert feed.entries[0].published_at == dt.datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
    assert feed.entries[1].published_at == dt.datetime(2026, 11, 19, tzinfo=UTC)


def test_rss_20_next_link_duplicates_guid_links_and_bad_links():
    feed = parse_fixture("rss20.xml", "https://www.example.com/rss-1.xml")
    assert feed.next_url == "https://www.example.com/rss-2.xml"
    assert [(e.url, e.guid) for e in feed.entries] == [
        ("https://www.example.com/news/2026/09-20/tibet.shtml", "cns-1"),
        ("https://www.example.com/news/2026/09-21/guid.shtml", "https://www.example.com/news/2026/09-21/guid.shtml"),
    ]
    assert feed.entries[0].published_at == dt.datetime(2026, 9, 20, 2, 15, tzinfo=UTC)
    assert [(b.link, "javascript" in b.reason) for b in feed.bad_entries] == [("javascript:void(0)", True)]


def test_atom_alternate_link_published_or_updated_and_next():
    feed = parse_fixture("atom.xml", "https://atom.example.net/atom.xml")
    assert (feed.kind, feed.title, feed.next_url) == ("atom", "Atom Wire", "https://atom.example.net/atom.xml?page=2")
    assert [(e.url, e.guid, e.published_at) for e in feed.entries] == [
        ("https://atom.example.net/2026/lhasa", "tag:atom.example.net,2026:1", dt.datetime(2026, 11, 20, 2, tzinfo=UTC)),
        ("https://atom.example.net/2026/updated", "tag:atom.example.net,2026:2", dt.datetime(2026, 11, 19, 23, tzinfo=UTC)),
    ]


def test_json_feed():
    feed = parse_fixture("feed.json", "https://json.example.org/feed.json")
    assert (feed.kind, feed.title, feed.next_url) == ("json", "JSON Wire", "https://json.example.org/feed-2.json")
    assert [(e.url, e.title, e.published_at) for e in feed.entries] == [
        ("https://json.example.org/a?id=7&lang=en", "JSON item one", dt.datetime(2026, 11, 20, 14, tzinfo=UTC)),
        ("https://elsewhere.example.com/b", "Link post", dt.datetime(2026, 11, 18, tzinfo=UTC)),
    ]
    assert ["scheme data" in b.reason for b in feed.bad_entries] == [True, False]
    assert "no link" in feed.bad_entries[1].reason


def test_google_news_sitemap():
    feed = parse_fixture("news-sitemap.xml", "https://sitemap.example.com/news-1.xml")
    assert feed.kind == "sitemap"
    assert [(e.url, e.title, e.published_at) for e in feed.entries] == [
        ("https://sitemap.example.com/2026/11/20/soe.html", "Fifteen central enterprises sign with Tibet",
         dt.datetime(2026, 11, 20, tzinfo=UTC)),
        ("https://sitemap.example.com/2026/11/19/plain.html", None, dt.datetime(2026, 11, 19, tzinfo=UTC)),
    ]


def test_sitemap_index_lists_sitemaps_as_feeds():
    feed = parse_fixture("sitemap-index.xml", "https://sitemap.example.com/sitemap_index.xml")
    assert (feed.kind, feed.entries) == ("sitemap_index", [])
    assert feed.feeds == ["https://sitemap.example.com/news-1.xml", "https://sitemap.example.com/news-2.xml"]
    assert feed.bad_entries[0].link == "file:///etc/passwd"


def test_opml_nested_outlines_deduplicated():
    feed = parse_fixture("feeds.opml", "https://me.example/feeds.opml")
    assert (feed.kind, feed.title) == ("opml", "My subscriptions")
    assert feed.feeds == ["https://www.example.com/rss.xml", "https://atom.example.net/atom.xml"]


def test_entry_cap_truncates_every_format():
    assert parse_fixture("rss20.xml", "https://www.example.com/", max_entries=1).truncated
    assert parse_fixture("atom.xml", "https://atom.example.net/", max_entries=1).truncated
    assert parse_fixture("feed.json", "https://json.example.org/", max_entries=1).truncated
    sitemap = parse_fixture("news-sitemap.xml", "https://sitemap.example.com/", max_entries=1)
    assert (len(sitemap.entries), sitemap.truncated) == (1, True)
    assert not parse_fixture("atom.xml", "https://atom.example.net/", max_entries=2).truncated


def test_http_charset_applies_only_without_a_declared_encoding():
    body = ('<rss version="2.0"><channel><title>Новости</title><item><title>Привет</title>'
            "<link>http://ru.example/1</link></item></channel></rss>").encode("cp1251")
    feed = parse_feed(body, "http://ru.example/rss", "text/xml; charset=windows-1251")
    assert (feed.title, feed.entries[0].title) == ("Новости", "Привет")


@pytest.mark.parametrize("body, message", [
    (b"", "empty"),
    (b" \r\n\t", "empty"),
    (gzip.compress(b"<rss></rss>" * 200), "binary"),
    (b"hello, world", "neither XML nor JSON"),
    (b"<!DOCTYPE html><html><body><a href='/a.html'>a</a></body></html>", "HTML page"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "root element <svg>"),
    (b'{"items": []}', "not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": ', "invalid JSON"),
    (b'{"a":' * 100_000, "invalid JSON"),
])
def test_not_a_feed(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "http://x.example/feed")


def test_date_window():
    items = "".join(f"<item><link>http://d.example/{n}</link><pubDate>{d}</pubDate></item>"
                    for n, d in enumerate(["Fri, 01 Jan 1971 00:00:00 GMT", "Thu, 31 Dec 1970 23:59:59 GMT",
                                           "Thu, 26 Nov 2026 23:00:00 GMT", "Sat, 28 Nov 2026 00:00:00 GMT"]))
    feed = parse_feed(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), "http://d.example/", now=NOW)
    assert [e.published_at is not None for e in feed.entries] == [True, False, True, False]


# --- the farm: real HTTP over loopback -------------------------------------------------------

def fetch(farm, path: str) -> tuple[bytes, str]:
    response = httpx.get(farm.url(path), timeout=30)
    response.raise_for_status()
    return response.content, response.headers.get("content-type", "")


def parse_farm(farm, path: str, **kwargs):
    body, content_type = fetch(farm, path)
    return parse_feed(body, farm.url(path), content_type, **kwargs)


@pytest.mark.parametrize("path, kind", [("/site0/rss.xml", "rss"), ("/site0/atom.xml", "atom"), ("/site0/feed.json", "json")])
def test_farm_site_feeds(farm, path, kind):
    feed = parse_farm(farm, path)
    assert (feed.kind, feed.title, feed.warning, feed.bad_entries) == (kind, "Farm site 0", None, [])
    assert len(feed.entries) == 51  # a page of 50 plus the robots trap
    assert feed.entries[0].url == farm.url("/site0/article/0.html")
    assert feed.entries[0].published_at == dt.datetime(2026, 11, 1, tzinfo=UTC)
    assert feed.next_url and feed.next_url.startswith(farm.url("/site0/"))


def test_farm_sitemap_index_and_news_sitemap(farm):
    index = parse_farm(farm, "/sitemap_index.xml")
    assert index.kind == "sitemap_index" and len(index.feeds) == 4
    sitemap = parse_farm(farm, index.feeds[0].removeprefix(farm.base))
    assert sitemap.kind == "sitemap" and len(sitemap.entries) == 50
    assert sitemap.entries[0].title.endswith("[s0-0]")


def test_farm_opml(farm):
    feed = parse_farm(farm, "/feeds.opml")
    assert feed.feeds == [farm.url("/site0/rss.xml"), farm.url("/site1/rss.xml")]


def test_malformed_rss_recovers_what_it_can(farm):
    feed = parse_farm(farm, "/hostile/malformed-rss")
    assert feed.warning and "malformed" in feed.warning
    assert [e.url for e in feed.entries] == [farm.url("/site0/article/1.html")]
    assert all("no link" in b.reason for b in feed.bad_entries)


def test_xxe_resolves_nothing(farm):
    feed = parse_farm(farm, "/hostile/xxe-rss")
    assert len(feed.entries) == 2
    dump = feed.model_dump_json()
    assert not any(leak in dump for leak in ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "XXE-CALLBACK-LEAK"))
    assert farm.stats()["paths"].get("/hostile/xxe-callback", 0) == 0


@pytest.mark.parametrize("path, bomb", [("/hostile/billion-laughs", "lol" * 10), ("/hostile/quadratic-blowup", "a" * 60)],
                         ids=["billion-laughs", "quadratic-blowup"])
def test_entity_bombs_are_not_expanded(farm, path, bomb):
    body, content_type = fetch(farm, path)
    start = time.monotonic()
    feed = parse_feed(body, farm.url(path), content_type)
    assert time.monotonic() - start < 5
    assert [e.url for e in feed.entries] == [farm.url("/site0/article/0.html")]
    assert bomb not in feed.model_dump_json()


def test_huge_feed_is_truncated(farm):
    feed = parse_farm(farm, "/hostile/feed-huge")
    assert feed.truncated
    assert len(feed.entries) == 200  # 10,000 items repeating the farm's 200 articles


def test_duplicates_collapse_to_ten_articles(farm):
    feed = parse_farm(farm, "/hostile/feed-duplicates")
    assert sorted(e.url for e in feed.entries) == sorted(farm.url(f"/site1/article/{i}.html") for i in range(10))


def test_bad_links_keep_the_four_farm_articles(farm):
    feed = parse_farm(farm, "/hostile/feed-bad-links")
    assert [e.url.split("?")[0] for e in feed.entries] == [farm.url(f"/site2/article/{i}.html") for i in (3, 4, 5, 6)]
    assert len(feed.entries[3].url) > 10_000
    assert [b.reason.split(",")[0] for b in feed.bad_entries] == [
        f"unsupported scheme {s}" for s in ("javascript", "file", "data", "ftp", "mailto")]
    assert "root:x:0:0" not in feed.model_dump_json()


def test_not_xml_feed_is_rejected(farm):
    body, content_type = fetch(farm, "/hostile/feed-not-xml")
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(body, farm.url("/hostile/feed-not-xml"), content_type)


def test_control_characters_are_stripped(farm):
    feed = parse_farm(farm, "/hostile/feed-control-chars")
    assert [e.title for e in feed.entries] == ["Title NULhere", "Title escape[31mred", "Title formfeed"]
    assert feed.warning is None


def test_bad_dates_become_none(farm):
    feed = parse_farm(farm, "/hostile/feed-bad-dates", now=NOW)
    assert [e.title for e in feed.entries] == [f"Dated {n}" for n in range(5)]
    assert [e.published_at for e in feed.entries] == [None] * 5


def _item_rss(title_xml: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item>{title_xml}'
            f"<link>https://news.example.org/a</link></item></channel></rss>").encode()


@pytest.mark.parametrize(("title_xml", "expected"), [
    ("<title>&lt;![CDATA[Port strike ends after nine days]]&gt;</title>", "Port strike ends after nine days"),
    ("<title><![CDATA[<![CDATA[Twice wrapped]]]]><![CDATA[>]]></title>", "Twice wrapped"),
    ('<title type="html">Shares &lt;b&gt;rise&lt;/b&gt; &amp;amp; fall</title>', "Shares rise & fall"),
    ("<title><![CDATA[Caf&eacute; <i>opens</i> &amp; more]]></title>", "Café opens & more"),
    ("<title>Plain &amp; simple</title>", "Plain & simple"),
])
def test_entry_titles_are_text_escaped_cdata_and_html_inside_read_through(title_xml, expected):
    feed = parse_feed(_item_rss(title_xml), "https://news.example.org/rss", now=NOW)
    assert feed.entries[0].title == expected


def test_an_entry_with_another_scheme_is_refused_with_its_url_as_written():
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://a.test/</link>'
            b"<item><title>x</title><link>file:///etc/passwd</link></item>"
            b"<item><title>y</title><link>http://a.test/y</link></item></channel></rss>")
    feed = parse_feed(body, "http://a.test/rss")
    assert [e.url for e in feed.entries] == ["http://a.test/y"]
    assert [(b.link, b.reason) for b in feed.bad_entries] == [("file:///etc/passwd", "unsupported scheme file, only http(s) is fetched")]

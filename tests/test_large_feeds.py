"""Feed documents have their own size cap: a 25 MB sitemap is read, up to the entry cap."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from flows.config import FeedConfig
from flows.http import Fetcher, FetchPolicy
from flows.pipeline import poll_feeds
from flows.static_server import StaticServer

URLS = 50_000  # the most one sitemap may list (sitemaps.org)
POLICY = FetchPolicy(allow_loopback=True, respect_robots=False)


@pytest.fixture(scope="module")
def big_sitemap(tmp_path_factory):
    """A news sitemap of 50,000 URLs and ~25 MB (titles padded to a realistic length), served on 127.0.0.1."""
    site = tmp_path_factory.mktemp("big-sitemap")
    title = "Provincial government signs a memorandum of cooperation with eight enterprises " * 4
    with (site / "sitemap.xml").open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                  'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n')
        for i in range(URLS):
            out.write(f"<url><loc>https://news.example/2026/11/article-{i}.html</loc><news:news><news:publication_date>"
                      f"2026-11-20T08:00:00Z</news:publication_date><news:title>{title}{i}</news:title></news:news></url>\n")
        out.write("</urlset>\n")
    with StaticServer(site) as server:
        yield f"http://{server.address}/sitemap.xml", (site / "sitemap.xml").stat().st_size


def _poll(url: str, max_entries: int, policy: FetchPolicy = POLICY):
    async def go():
        async with Fetcher(policy) as fetcher:
            return await poll_feeds(fetcher, [FeedConfig(name="big", url=url, max_entries=max_entries, respect_robots=False)],
                                    {}, dt.datetime.now(dt.UTC))

    return asyncio.run(go())


def test_a_sitemap_larger_than_the_page_cap_is_read_up_to_the_entry_cap(big_sitemap):
    url, size = big_sitemap
    assert POLICY.max_bytes < size < POLICY.feed_max_bytes
    poll = _poll(url, max_entries=1_000)
    assert (poll.read, poll.failed, poll.rejects) == (1, 0, [])
    assert len(poll.fetches[0].body) == size
    entries = poll.entries[url]
    assert len(entries) == 1_000 and entries[-1].url == "https://news.example/2026/11/article-999.html"


def test_all_50000_urls_of_a_full_sitemap_are_read(big_sitemap):
    url, _ = big_sitemap
    entries = _poll(url, max_entries=100_000).entries[url]
    assert len(entries) == URLS and len({e.url for e in entries}) == URLS


def test_pages_keep_their_cap_and_feeds_have_one_too(big_sitemap):
    url, size = big_sitemap

    async def as_page():
        async with Fetcher(POLICY) as fetcher:
            return await fetcher.fetch(url)

    page = asyncio.run(as_page())
    assert page.error == f"body exceeds {POLICY.max_bytes} bytes" and page.body is None
    small_feed_cap = dataclasses.replace(POLICY, feed_max_bytes=size // 2)
    poll = _poll(url, max_entries=1_000, policy=small_feed_cap)
    assert poll.failed == 1 and poll.rejects[0].reason == f"body exceeds {size // 2} bytes" and url not in poll.entries

"""URL canonicalization: one spelling per article, and no un-fetchable URL gets through."""

from __future__ import annotations

import re

import pytest

from extractors.urls import MAX_URL_LENGTH, canonicalize_url

ARTICLE = "http://127.0.0.1:8000/site1/article/3.html"


@pytest.mark.parametrize("variant", [
    ARTICLE,
    ARTICLE + "?utm_source=rss&utm_medium=feed&utm_campaign=x",
    ARTICLE + "#comments",
    "HTTP://127.0.0.1:8000/site1/article/3.html",
    "http://127.0.0.1:8000/site1/./news/../article/3.html",
    "  " + ARTICLE + "\n",
    "http://user:secret@127.0.0.1:8000/site1/article/3.html",
])
def test_farm_duplicate_variants_share_one_url(variant):
    assert canonicalize_url(variant) == ARTICLE


@pytest.mark.parametrize("url, expected", [
    ("HTTPS://News.Example.COM:443/a", "https://news.example.com/a"),
    ("http://example.com:80", "http://example.com/"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("http://example.com/a?b=2&a=1&fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ref_src=twsrc", "http://example.com/a?b=2&a=1"),
    ("http://example.com/a?UTM_Source=x&id=5&utm_content=y", "http://example.com/a?id=5"),
    ("http://example.com/a?", "http://example.com/a"),
    ("http://example.com/a?x=1&&y=", "http://example.com/a?x=1&y="),
    ("http://example.com/%7euser/%41b%2fc?q=%e2%82%ac%41", "http://example.com/~user/Ab%2Fc?q=%E2%82%ACA"),
    ("http://example.com/caf\u00e9 au lait?q=a b", "http://example.com/caf%C3%A9%20au%20lait?q=a%20b"),
    ("http://b\u00fccher.example/", "http://xn--bcher-kva.example/"),
    ("http://[::0:1]:80/a/../b", "http://[::1]/b"),
    ("http://example.com/a/b/../../c/./d", "http://example.com/c/d"),
])
def test_normalisation(url, expected):
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize("link, expected", [
    ("/site2/article/3.html", "http://farm.test/site2/article/3.html"),
    ("../x.html?utm_medium=rss", "http://farm.test/a/x.html"),
    ("//other.test/y", "http://other.test/y"),
    ("  https://abs.test/z  ", "https://abs.test/z"),
])
def test_relative_links_resolve_against_base(link, expected):
    assert canonicalize_url(link, base="http://farm.test/a/b/feed.xml") == expected


@pytest.mark.parametrize("url, reason", [
    ("javascript:alert(document.cookie)", "scheme javascript"),
    ("file:///etc/passwd", "scheme file"),
    ("data:text/html;base64,PGgxPmRhdGE8L2gxPg==", "scheme data"),
    ("ftp://127.0.0.1/pub/article.html", "scheme ftp"),
    ("mailto:desk@localhost", "scheme mailto"),
    ("no-scheme/at/all", "scheme (none)"),
    ("http:///path-only", "no host"),
    ("http://example.com:99999/", "invalid port"),
    ("http://example.com/?pad=" + "x" * MAX_URL_LENGTH, "longer than"),
])
def test_unfetchable_urls_raise_with_reason(url, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        canonicalize_url(url)


def test_long_farm_url_stays_valid():
    url = "http://127.0.0.1:8000/site2/article/6.html?pad=" + "x" * 10_000
    assert canonicalize_url(url) == url

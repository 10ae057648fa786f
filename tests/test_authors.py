"""Authors: names only, from JSON-LD arrays, meta tags, bylines and author links; agencies are
the article's source, never authors."""

from __future__ import annotations

import json

import pytest

from extractors.article import parse_article

STORY = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(4))


def page(head: str = "", byline: str = "", url: str = "https://www.courier.example/2024/05/03/story") -> str:
    return (f"<html><head><title>Port strike ends</title>"
            f"<meta property='og:site_name' content='The Courier'>{head}</head><body>"
            f"<article><h1>Port strike ends</h1>{byline}{STORY}</article></body></html>")


def ld(author) -> str:
    data = {"@type": "NewsArticle", "headline": "Port strike ends", "author": author,
            "publisher": {"@type": "Organization", "name": "The Courier"}}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_author_array_persons_only_deduplicated():
    a = parse_article(page(ld([
        {"@type": "Person", "name": "By Maria Lopez"}, {"@type": "Person", "name": "James O'Neill"},
        {"@type": "Person", "name": "maria lopez"}, {"@type": "Organization", "name": "The Courier"},
    ])))
    assert a.authors == ["Maria Lopez", "James O'Neill"]


def test_agency_byline_gives_the_names_and_keeps_the_agency_as_the_source():
    a = parse_article(page(byline='<div class="byline">By <a href="/staff/jane-doe">Jane Doe</a> and '
                                  '<a href="/staff/john-roe">John Roe</a>, Associated Press</div>'))
    assert a.authors == ["Jane Doe", "John Roe"]
    assert a.dateline is not None and a.dateline.agency == "Associated Press"


def test_an_agency_alone_is_no_author():
    a = parse_article(page(ld({"@type": "Person", "name": "Reuters"})))
    assert a.authors == [] and a.dateline.agency == "Reuters"


@pytest.mark.parametrize(("byline", "expected"), [
    ('<p class="author">von <a href="mailto:d@x.de">David Straub, The Courier</a></p>', ["David Straub"]),
    ('<div class="article-byline"><span>Birgit Baumann</span> <span>Anna Giulia Fink</span></div>',
     ["Birgit Baumann", "Anna Giulia Fink"]),
    ("<ul><li><strong>Autorin/Autor</strong> Roman Goncharenko</li></ul>", ["Roman Goncharenko"]),
    ('<p class="meta">By <a href="/authors/max-roe">Max Roe</a>, Senior Correspondent</p>', ["Max Roe"]),
    ('<span class="byline">Elena Oberholzer (obe), Oliver Maksan (oma)</span>', ["Elena Oberholzer", "Oliver Maksan"]),
    ('<span class="byline">Seb Dumitru, Lille</span>', ["Seb Dumitru"]),
    ('<div class="writer">신현주 기자</div>', ["신현주"]),
    ('<p class="byline">By Jane Doe for Dailymail.com and John Roe in Washington</p>', ["Jane Doe", "John Roe"]),
])
def test_bylines_in_markup(byline, expected):
    assert parse_article(page(byline=byline)).authors == expected


def test_meta_author_tags_without_urls_roles_or_the_site():
    head = ('<meta property="article:author" content="https://www.facebook.com/courier">'
            '<meta name="author" content="Jane Doe, staff writer">'
            '<meta name="author" content="The Courier (www.courier.example)">')
    assert parse_article(page(head)).authors == ["Jane Doe"]


def test_a_photo_credit_is_no_byline():
    byline = '<div class="bildautor">Foto: Bild: SN/APA/KEYSTONE/CYRIL ZINGARO</div>'
    assert parse_article(page(byline=byline)).authors == []

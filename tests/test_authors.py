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


def test_json_ld_author_given_as_a_reference_into_the_graph():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "@id": "https://courier.example/p/#article", "headline": "Port strike ends",
         "author": {"@id": "https://courier.example/#/schema/person/9f1c"},
         "publisher": {"@id": "https://courier.example/#organization"}},
        {"@type": "Organization", "@id": "https://courier.example/#organization", "name": "The Courier"},
        {"@type": "Person", "@id": "https://courier.example/#/schema/person/9f1c", "name": "Dana Whitfield"},
        {"@type": "Person", "@id": "https://courier.example/#/schema/person/77aa", "name": "wp_admin"},
    ]}
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    assert parse_article(page(head)).authors == ["Dana Whitfield"]


@pytest.mark.parametrize(("author", "expected", "agency"), [
    ({"@type": "Person", "name": "By TOM KRISHER, AP Auto Writer"}, ["Tom Krisher"], "AP"),
    ({"@type": "Person", "name": "Amy Kuperinsky | NJ Advance Media for NJ.com"}, ["Amy Kuperinsky"], None),
    ("Priya Raman and Tom Okafor", ["Priya Raman", "Tom Okafor"], None),
    ([{"@type": "Person", "name": "Priya Raman"}, {"@type": "Person", "name": "Tom Okafor, Washington Bureau Chief"}],
     ["Priya Raman", "Tom Okafor"], None),
    ({"@type": "Person", "name": "The Water Coolest"}, [], None),
    ({"@type": "Person", "name": "European Space Agency"}, [], None),
])
def test_json_ld_author_strings_job_titles_and_publications(author, expected, agency):
    a = parse_article(page(ld(author)))
    assert a.authors == expected
    assert (a.dateline.agency if a.dateline else None) == agency


@pytest.mark.parametrize(("byline", "expected"), [
    ('<div class="byline-section"><div class="attribution"><span class="author">Lisa Kaczke and Trevor J. Mitchell'
     '</span> <span class="publication">Sioux Falls Argus Leader</span></div><div class="publish-date">Published '
     "10:02 AM EST Nov 19, 2019</div></div>", ["Lisa Kaczke", "Trevor J. Mitchell"]),
    ('<address aria-label="Contributor info"><a rel="author" href="/profile/jane-doe">Jane Doe</a> in Washington'
     "</address>", ["Jane Doe"]),
    ('<div class="author-byline"><span>By <span><a href="/person/a/andy-ruiz">Andy Ruiz</a><span class="article-source">'
     '<a href="https://courier.example/"> | The Courier</a></span></span></span></div>', ["Andy Ruiz"]),
    ('<div class="login"><a href="/profile/pwdreset/">Forget Password?</a></div>', []),
    ('<div class="editor-details">Written by <a href="/profile/author/jane-doe/">Jane Doe</a> | New Delhi | Updated: '
     "November 19, 2019 10:51:30 am</div>", ["Jane Doe"]),
    ('<div data-testid="byline-new-contributors"><div class="sc-1"><span class="sc-2">Jane Doe and John Roe</span>'
     '<span class="sc-3">Technology reporters</span></div></div>', ["Jane Doe", "John Roe"]),
    ('<div class="x"><span>By </span><a data-qa="author-name" href="/people/jane-doe/">Jane Doe</a><span> and </span>'
     '<a data-qa="author-name" href="/people/john-roe/">John Roe</a></div>', ["Jane Doe", "John Roe"]),
    ('<p itemprop="author" class="css-1"><span>By</span> <a href="/by/jane-doe"><span itemprop="name">Jane Doe</span></a>'
     ' and <a href="/by/john-roe"><span itemprop="name">John Roe</span></a></p>', ["Jane Doe", "John Roe"]),
])
def test_english_bylines_publication_job_and_place_parts_are_not_names(byline, expected):
    assert parse_article(page(byline=byline)).authors == expected


def test_meta_author_list_with_and():
    head = '<meta name="author" content="Ana Lucia Vega, Marcus Hill and Li Wen">'
    assert parse_article(page(head)).authors == ["Ana Lucia Vega", "Marcus Hill", "Li Wen"]


def test_an_editor_named_in_the_structured_data_is_not_the_writer():
    byline = ('<div class="byline"><span class="name">By Priya Raman</span></div>'
              '<p class="editor-line">Edited by Mark Ellis</p>')
    a = parse_article(page(ld({"@type": "Person", "name": "Mark Ellis"}), byline=byline))
    assert a.authors == ["Priya Raman"]


@pytest.mark.parametrize(("sign_off", "writer"), [
    ("(Reporting by Jane Doe in London; Editing by John Roe)", "Jane Doe"),
    ("(Written by Jane Doe; Editing by John Roe)", "Jane Doe"),  # every writer's credit makes the line a sign-off
    ("(Additional reporting by Jane Doe; Writing by John Roe)", "John Roe"),
])
def test_a_wire_sign_off_names_the_writer_not_the_editor(sign_off, writer):
    html = page(byline="").replace("</article>", f"<p>{sign_off}</p></article>")
    a = parse_article(html)
    assert a.authors == [writer]
    assert " by " not in a.body


@pytest.mark.parametrize(("closing", "expected"), [
    ('<p style="text-align:right"><strong>Maria Lopez</strong></p>', ["Maria Lopez"]),
    ("<p>— James O'Neill</p>", ["James O'Neill"]),
    ("<p>The port reopens on Monday.</p>", []),
])
def test_a_story_signed_at_its_end(closing, expected):
    a = parse_article(page(byline="").replace("</article>", closing + "</article>"))
    assert a.authors == expected
    assert not expected or expected[0] not in a.body


@pytest.mark.parametrize(("script", "expected"), [
    ('<script>var dataLayer = {"authorName": "By TOM KRISHER", "section": "business"};</script>', ["Tom Krisher"]),
    ('<script>Fusion.globalContent={"credits":{"by":[{"type":"author","name":"Ana Vega","url":"/people/ana-vega/"}]}};'
     "</script>", ["Ana Vega"]),
    ('<script>window.comments = {"author": "admin", "count": 3};</script>', []),
])
def test_names_only_in_the_page_scripts(script, expected):
    assert parse_article(page(byline=script)).authors == expected


@pytest.mark.parametrize(("card", "expected"), [
    ('<div class="author-card"><a href="/author/jane-doe"><img alt="Jane Doe" src="j.jpg"></a><div class="author-card__name">'
     '<a href="/author/jane-doe">Jane Doe</a></div><div class="author-card__title">Senior Political Reporter</div></div>',
     ["Jane Doe"]),
    ('<div class="author-cards"><div class="author-card"><img alt="Jane Doe" src="j.jpg"><span class="author-card__name">'
     'Jane Doe</span><span class="author-card__role">Health editor</span></div><div class="author-card"><img alt="John Roe"'
     ' src="r.jpg"><span class="author-card__name">John Roe</span><span class="author-card__role">Science correspondent'
     "</span></div></div>", ["Jane Doe", "John Roe"]),
])
def test_author_cards_give_the_names_not_the_job_titles(card, expected):
    assert parse_article(page(byline=card)).authors == expected


def test_an_author_page_link_at_the_end_of_the_story():
    bio = ('<div class="author-bio"><img alt="Jane Doe" src="j.jpg"><p>Jane Doe covers the port and the city council.</p>'
           '<a href="/author/jane-doe">More from Jane Doe</a></div>')
    assert parse_article(page(byline="").replace("</article>", bio + "</article>")).authors == ["Jane Doe"]

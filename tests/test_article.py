"""parse_article on fixture pages: what a reader of the warehouse would notice."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from extractors.article import parse_article

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SEED_URL = "https://www.ecns.cn/news/2021-09-20/detail-seed0001.shtml"


def page(name: str, url: str | None = None):
    return parse_article((PAGES / name).read_bytes(), url)


def test_json_ld_news_article():
    a = page("jsonld-newsarticle.html", "https://courier.example/x?utm_source=feed")
    assert a.title == "Harbour authority signs dredging contract"
    assert a.authors == ["Maria Lopez"]  # "By" dropped, the publisher is not an author
    assert a.published_at == dt.datetime(2023, 3, 14, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert a.modified_at and a.modified_at.utcoffset() == dt.timedelta(hours=1)
    assert a.language == "en"
    assert a.site_name == "Coastal Courier"
    assert a.canonical_url == "https://courier.example/business/2023/harbour-dredging-contract"
    assert a.image == "https://courier.example/img/dredger.jpg"
    assert a.description == "A five-year contract to deepen the main channel."
    assert a.paragraphs[0].startswith("The harbour authority on Tuesday signed")
    assert a.paragraphs[-1].startswith("Environmental groups said")
    # sub-headings and list items of the story stay ...
    assert "Why the channel matters" in a.paragraphs
    assert "Phase two widens the turning basin in front of the new container terminal." in a.paragraphs
    # ... the headline, navigation, share bar, newsletter box, related links and copyright go
    for junk in ("Harbour authority signs dredging contract", "Business", "Share on", "newsletter",
                 "Rival port", "All rights reserved"):
        assert junk not in a.body


def test_opengraph_only():
    a = page("opengraph-only.html")
    assert a.title == "City council approves new bike lanes"
    assert a.site_name == "The Riverside Herald"
    assert a.authors == ["Jane Doe", "John Roe"]  # no facebook URL, "By" and "and" split
    assert a.published_at == dt.datetime(2022, 6, 1, 18, 45, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert a.modified_at == dt.datetime(2022, 6, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert a.language == "fr"
    assert a.canonical_url == "https://herald.example/news/bike-lanes"
    assert a.image == "https://herald.example/images/bike-lanes.jpg"
    assert len(a.paragraphs) == 3
    assert "Most read" not in a.body and "Bridge closure" not in a.body and "By Jane Doe" not in a.body


def test_no_metadata_date_from_url():
    a = page("no-metadata.html", "https://news.example/2024/02/19/library-hours")
    assert a.title == "Library extends opening hours"
    assert a.authors == [] and a.site_name is None
    assert a.language == "en"  # no lang attribute: told from the text
    assert a.published_at == dt.datetime(2024, 2, 19)
    assert len(a.paragraphs) == 3 and "about" not in a.body


def test_date_from_time_element():
    a = page("time-element.html")
    assert a.published_at == dt.datetime(2021, 9, 5, 14, 20, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert a.language == "de"
    assert a.paragraphs[0].startswith("Nach vier Jahren Bauzeit")


def test_figure_captions_and_caption_paragraphs_leave_the_body():
    a = page("figure-captions.html")
    assert a.title == "Volcano erupts on remote island"
    assert a.authors == ["Smith, John"]  # "Last, First" is one person
    assert a.published_at == dt.datetime(2020, 1, 12)
    assert a.captions[:2] == ["Lava flows down the eastern slope of the volcano on Sunday.",
                              "Residents wait for boats at the harbour."]
    assert "The picture shows the ash column rising over the island on Sunday afternoon." in a.captions
    assert a.credits == ["Ana Silva"]
    assert len(a.paragraphs) == 3
    assert "Lava flows" not in a.body and "picture shows" not in a.body and "Ana Silva" not in a.body


def test_several_authors_last_first():
    a = page("several-authors.html")
    assert a.authors == ["Doe, Jane", "Roe, Richard", "Kim Lee", "Anna Park"]
    assert a.published_at == dt.datetime(2019, 11, 19, 7, 0, tzinfo=dt.UTC)


def test_gbk_page_from_bytes():
    a = page("gbk.html")
    assert a.title == "国有企业签署合作协议"
    assert a.authors == ["张伟"]
    assert "国务院国有资产监督管理委员会" in a.body
    assert "首页" not in a.body


def test_comment_section_is_not_body():
    a = page("comment-section.html")
    assert a.title == "Why the town needs a second bridge"
    assert len(a.paragraphs) == 3
    for comment in ("disagree", "Finally someone", "walk our dogs", "cost estimates", "Leave a comment", "responses"):
        assert comment not in a.body


@pytest.mark.parametrize("name", ["seed-figures.html", "seed-captions.html"])
def test_seed_page(name):
    a = page(name, SEED_URL)
    assert len(a.captions) == 5 and all(c.startswith("The picture shows") for c in a.captions)
    assert a.credits == ["Gongga Laisong"] * 5
    assert a.dateline.agency == "China News Service" and a.dateline.place == "Lhasa"
    assert a.dateline.date == dt.date(2021, 9, 20)
    assert a.byline == ["Ran Wenjuan", "Gonggar Laisong"]
    assert a.end_markers == ["(over)"] and "(over)" not in a.body
    assert "picture shows" not in a.body and "Photo by" not in a.body
    assert "State-owned State-owned" in a.body and "State-owned State-owned" not in a.clean_body
    assert a.title == "Central SOEs Aid Tibet Work Conference held in Lhasa"


def test_deep_nesting_neither_overflows_nor_hangs():
    html = "<html><body><p>Before the nest, a paragraph of ordinary text.</p>" + "<div>" * 50_000
    html += "<p>Deep inside fifty thousand divs there is still a paragraph of text.</p>" + "</div>" * 50_000
    start = time.perf_counter()
    a = parse_article(html + "</body></html>")
    assert time.perf_counter() - start < 10
    assert "Deep inside fifty thousand divs" in a.body


@pytest.mark.parametrize("html", [
    "", b"", "   ", "<html></html>", "<?xml version='1.0' encoding='utf-8'?><html><body></body></html>",
    "<html><body><p>unclosed <b>tags <div><table><tr><td>cell", "\x00\x01 not html at all <<<>>>",
    b"\xff\xfe\x00garbage", "<p>" * 5000,
])
def test_bad_or_empty_markup_never_raises(html):
    a = parse_article(html, "https://example.com/")
    assert a.url == "https://example.com/"
    if not str(html).strip("<>html/ b'"):
        assert a.paragraphs == [] and a.title is None


WIRE_URL = "https://www.harborgazette.example/2019/11/20/water-bill"


def test_wire_dateline_stays_in_the_body_and_is_recorded():
    a = page("wire-story.html", WIRE_URL)
    assert a.paragraphs[0].startswith("WASHINGTON (AP) — The Senate passed")  # as published
    assert a.dateline.agency == "AP" and a.dateline.place == "Washington"
    # the stutter edit still points at the words in the body, after the restored dateline
    assert "Water-district Water-district" in a.body and "Water-district Water-district" not in a.clean_body
    assert "support from Water-district leaders" in a.clean_body


def test_links_inside_sentences_stay_hover_cards_go():
    a = page("wire-story.html", WIRE_URL)
    assert "The vote came after Sen. Maria Ortiz (D-N.M.) agreed" in a.body  # the card's headlines are gone
    assert "drought relief" not in a.body and "MORE" not in a.body
    assert "sends money to rural towns whose pipes" in a.body  # a tag-page link is a word of the sentence
    assert "The Senate passed a similar bill last year, but it died in the House." in a.paragraphs
    assert "Cities brace" not in a.body  # "Related: <a>...</a>" is a link line


def test_stamps_counters_labels_and_sign_off_lines_leave_the_body():
    a = page("wire-story.html", WIRE_URL)
    for junk in ("Updated at", "Image 1 of 5", "Like this", "contributed to this report", "full coverage"):
        assert junk not in a.body
    assert a.paragraphs[-1].startswith("Supporters said the bill")


def test_wire_metadata_logo_h1_capital_bylines_and_address_as_site_name():
    a = page("wire-story.html", WIRE_URL)
    assert a.title == "Senate passes water bill after long night"  # not the logo's <h1>
    assert a.authors == ["Lisa Marsh", "Paul Okafor", "Eric Tanner"]  # no "TANNERAssociated Press"
    assert a.site_name == "harborgazette.example"


def test_story_between_br_tags_captions_from_alt_text_and_teaser_cards():
    a = page("br-story.html")
    assert len(a.paragraphs) == 3 and a.paragraphs[0].startswith("The county clinic will stay open")
    assert "customer service" not in a.body
    assert a.captions == ["A nurse prepares a flu shot at the county clinic"]
    for teaser in ("Most popular", "Measles", "forty beds", "food labels"):
        assert teaser not in a.body


def test_medical_web_page_json_ld_and_author_credentials():
    a = page("br-story.html")
    assert a.published_at == dt.datetime(2019, 11, 14, 8, 0, tzinfo=dt.UTC)
    assert a.authors == ["Rachel Lind"]  # not "MS", "RDN"


def _story(extra: str, attrs: str = 'class="entry-content"') -> str:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story says something, and it says it at length, with commas, to read as prose.</p>"
        for n in range(4)
    )
    return f"<html><body><div {attrs}>{paragraphs}{extra}</div></body></html>"


@pytest.mark.parametrize("line", [
    "Like this:", "Image 2 of 7", "Updated at 1:23 p.m.", "segunda-feira, 22 de janeiro de 2018 às 0:13",
    "Tempo de leitura: 2 minutos", "1 2 3 4 5 6 7 8", "Sharing is caring!", "5 min read",
    "Mehr zum Thema", "Czytaj więcej", "Read more:", "Already a subscriber? Log in to continue reading.",
    "Empfohlener redaktioneller Inhalt", "10:05 GMT", "View this post on Instagram",
    "A post shared by Harbour Days (@harbourdays)", "Watch on YouTube", "Story continues below advertisement",
    "Continue reading the main story", "Updated: 12:05 p.m. ET Nov. 19, 2019", "Open this photo in gallery:",
    "Our Standards: The Thomson Reuters Trust Principles.", "Click to share on Facebook (Opens in new window)",
])
def test_page_furniture_lines_leave_the_body(line):
    a = parse_article(_story(f"<p>{line}</p>"))
    assert len(a.paragraphs) == 4 and line not in a.body


def test_sign_off_words_high_in_the_story_stay():
    text = "Fans were told to follow the band on Twitter for news of the tour, the promoter said on Monday."
    later = "<p>The tour opens in Denver in March and runs for two months.</p>" * 4
    a = parse_article(_story(f"<p>{text}</p>{later}"))
    assert text in a.paragraphs


def test_schema_org_article_body_marks_the_story():
    story = "".join(f"<p>Story paragraph {n} which the page marks as the article body goes on.</p>" for n in range(2))
    other = "".join(f"<p>Other box paragraph {n}, a little longer than the story paragraphs.</p>" for n in range(3))
    html = (f'<html><body><main><div class="x1" itemprop="articleBody">{story}</div></main>'
            f'<div class="x2"><div class="x3">{other}</div></div></body></html>')
    a = parse_article(html)
    assert a.paragraphs[0].startswith("Story paragraph 0") and "Other box" not in a.body


@pytest.mark.parametrize(("title", "h1", "site", "url", "expected"), [
    ("Budget vote - The Daily Courier", "Budget vote", None, "https://dailycourier.example/a", "Budget vote"),
    ("Budget vote | Courier", "", None, "https://x.example/a", "Budget vote"),
    ("Storm hits - BBC News", "", "BBC News", "https://www.bbc.example/a", "Storm hits"),
    ("上海港集装箱吞吐量创新高_新闻频道", "上海港集装箱吞吐量创新高", None, "https://news.example.cn/a", "上海港集装箱吞吐量创新高"),
    ("東京で大雪 - 朝日新聞", "", "朝日新聞", "https://www.asahi.example/a", "東京で大雪"),
    ("장동혁, 한동훈 제명했지만 부담 커졌다-정치ㅣ한국일보", "", "한국일보", "https://www.hankookilbo.example/a",
     "장동혁, 한동훈 제명했지만 부담 커졌다"),
    ("Take C.A.R.E. - comwrap auf der DMEXCO", "Take C.A.R.E. - comwrap auf der DMEXCO", None, None,
     "Take C.A.R.E. - comwrap auf der DMEXCO"),
    ("Senate passes water bill - Politics - The Hill", "", "The Hill", "https://thehill.example/a",
     "Senate passes water bill"),
    ("Storm hits coast | UK News | Sky News", "", "Sky News", "https://news.sky.example/a", "Storm hits coast"),
    ("東京で大雪 - 朝日新聞デジタル", "", None, "https://www.asahi.example/a", "東京で大雪"),
    ("Storm hits coast - New York Daily News", "", None, "https://www.nydn.example/a", "Storm hits coast"),
    ("Times change - and so does the harbour", "", None, "https://www.nydn.example/a",
     "Times change - and so does the harbour"),
])
def test_site_suffix_leaves_short_and_cjk_headlines(title, h1, site, url, expected):
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    heading = f"<h1>{h1}</h1>" if h1 else ""
    story = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(4))
    html = f"<html><head><title>{title}</title>{meta}</head><body>{heading}<article>{story}</article></body></html>"
    assert parse_article(html, url).title == expected


def test_the_headline_repeated_in_the_story_is_known_by_the_one_name_key():
    # "&" and "and", curly and straight apostrophes: schemas.names.name_key, as for every name compared
    story = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(4))
    html = ("<html><head><title>Port’s dredging & harbour deal signed</title></head><body>"
            f"<h1>Port’s dredging &amp; harbour deal signed</h1><article><p>Port's dredging and harbour deal signed</p>{story}"
            "</article></body></html>")
    a = parse_article(html, "https://courier.example/a")
    assert a.title == "Port’s dredging & harbour deal signed"
    assert a.paragraphs[0].startswith("Paragraph 0") and len(a.paragraphs) == 4


def test_a_page_rendered_by_script_is_read_from_its_embedded_story():
    paragraphs = [f"Paragraph {n} of a story the page only carries in its data, long enough to be prose." for n in range(5)]
    ld = json.dumps({"@type": "NewsArticle", "headline": "H", "articleBody": "\n".join(paragraphs)})
    a = parse_article(f'<html><head><script type="application/ld+json">{ld}</script></head><body><div id="app"></div></body></html>')
    assert a.paragraphs == paragraphs
    data = json.dumps({"props": {"article": {"content": "".join(f"<p>{p}</p>" for p in paragraphs)}}})
    a = parse_article(f'<html><body><div id="root"></div><script id="__NEXT_DATA__">{data}</script></body></html>')
    assert a.paragraphs == paragraphs


def test_an_article_without_prose_reads_its_gallery_captions_else_its_summary():
    figures = "".join(f'<figure><img src="{n}.jpg"><figcaption>Picture {n}: crowds wait at the harbour for the ship.'
                      "</figcaption></figure>" for n in range(3))
    head = '<meta property="og:type" content="article"><title>In pictures</title>'
    a = parse_article(f"<html><head>{head}</head><body><h1>In pictures</h1><div class='gallery'>{figures}</div></body></html>")
    assert a.paragraphs == [f"Picture {n}: crowds wait at the harbour for the ship." for n in range(3)] == a.captions
    summary = '<meta property="og:description" content="Watch the ship arrive after nine days at sea.">'
    a = parse_article(f"<html><head>{head}{summary}</head><body><h1>In pictures</h1><video></video></body></html>")
    assert a.paragraphs == ["Watch the ship arrive after nine days at sea."]
    a = parse_article(f"<html><head><title>News</title>{summary}</head><body><h1>News</h1></body></html>")
    assert a.paragraphs == []  # not an article: nothing is made up


def test_a_summary_in_the_header_leads_the_body_a_live_blogs_time_stamps_do_not():
    story = "".join(f"<p>Paragraph {n} says the minister spoke at length about the storm and the plans.</p>" for n in range(5))
    entries = "".join(f"<div class='entry'><time>10:0{n}</time><p>Entry {n}: the minister spoke at length about the storm, "
                      f"the damage and the plans for the harbour.</p></div>" for n in range(4))
    html = (f"<html><head><title>Storm hits coast</title></head><body><div class='page'><div class='article-header'>"
            f"<h1>Storm hits coast</h1><p class='standfirst'>The storm made landfall overnight, leaving thousands "
            f"without power.</p><div class='byline'>By Jane Doe</div></div><div class='article-body'>{story}{entries}</div>"
            f"</div></body></html>")
    a = parse_article(html)
    assert a.paragraphs[0] == "The storm made landfall overnight, leaving thousands without power."
    assert "Entry 3: the minister spoke at length about the storm, the damage and the plans for the harbour." in a.paragraphs
    assert not any(p.startswith("10:0") for p in a.paragraphs)


def test_a_headline_cut_short_in_json_ld_is_read_whole_from_the_page():
    whole = "Harbour authority signs dredging contract after two years of talks over the cost of the work"
    ld = json.dumps({"@type": "NewsArticle", "headline": whole[:40] + "…"})
    story = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(4))
    html = (f'<html><head><script type="application/ld+json">{ld}</script><title>{whole} | Courier</title></head>'
            f"<body><h1>{whole}</h1><article>{story}</article></body></html>")
    assert parse_article(html).title == whole


def test_headline_and_og_title_that_agree_keep_their_kicker_over_a_shorter_h1():
    ld = json.dumps({"@type": "NewsArticle", "headline": "Budget row: Council delays the harbour vote"})
    story = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(4))
    head = (f'<script type="application/ld+json">{ld}</script><title>Budget row: Council delays the harbour vote - '
            'Courier</title><meta property="og:title" content="Budget row: Council delays the harbour vote">')
    html = f"<html><head>{head}</head><body><h1>Council delays the harbour vote</h1><article>{story}</article></body></html>"
    assert parse_article(html).title == "Budget row: Council delays the harbour vote"
    alone = html.replace('<meta property="og:title" content="Budget row: Council delays the harbour vote">', "")
    assert parse_article(alone).title == "Council delays the harbour vote"  # one source: the visible headline


ARC_URL = "https://www.metrostar.example/local/2024/02/06/fare-freeze/"


def test_a_page_with_the_next_story_appended_keeps_only_its_own():
    a = page("en-arc-stories.html", ARC_URL)
    assert a.title == "Transit board approves fare freeze through 2026"
    assert a.authors == ["Priya Raman", "Tom Okafor"]
    assert a.paragraphs[0].startswith("The regional transit board voted 9-2")
    assert a.paragraphs[-1].startswith("The two members who voted against")  # the sign-off and the next story go
    assert a.captions == ["Commuters wait for a train at Union Station on Tuesday."]
    for other in ("Snowplow", "snowplow", "Next story", "Read more", "contributed to this report"):
        assert other not in a.body


@pytest.mark.parametrize("wrap", [
    "<div class='post'><h1>Diet guide</h1>{story}<h1>The second phase</h1>{more}</div>",
    "<section class='part'><h1>Diet guide</h1>{story}</section><section class='part'><h1>The second phase</h1>{more}</section>",
])
def test_a_sub_heading_set_as_h1_inside_the_story_stays(wrap):
    story = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(3))
    body = wrap.format(story=story, more=story.replace("Paragraph", "Part"))
    a = parse_article(f"<html><head><title>Diet guide</title></head><body>{body}</body></html>")
    assert "The second phase" in a.paragraphs and a.paragraphs[-1].startswith("Part 2")


@pytest.mark.parametrize("script", [
    "<script>Fusion.globalContent={blocks};Fusion.spa=false;</script>",
    '<script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{"story":{blocks}}}}}}}</script>',
])
def test_a_story_carried_only_as_content_blocks_in_the_page_data(script):
    paragraphs = [f"Paragraph {n} of a story the page only carries as typed blocks, long enough to be prose." for n in range(5)]
    blocks = {"content_elements": [{"type": "text", "content": p} for p in paragraphs[:2]]
              + [{"type": "image", "url": "a.jpg", "caption": "Not story text"}]
              + [{"type": "text", "content": f"<b>{p}</b>"} for p in paragraphs[2:]]}
    html = f'<html><body><div id="app"></div>{script.format(blocks=json.dumps(blocks))}</body></html>'
    assert parse_article(html).paragraphs == paragraphs


def test_wordpress_story_with_yoast_graph_block_captions_and_related_posts():
    a = page("en-wordpress.html", "https://ledger.example/2024/03/04/bridge-budget/")
    assert a.title == "Council approves harbour bridge budget"  # "– Riverside Ledger" is the site
    assert a.authors == ["Dana Whitfield"]
    assert a.captions == ["Councillor Ruth Bell presents the repair plan at City Hall.",
                          "Rust on the underside of the bridge's eastern span.",
                          "The harbour bridge seen from the north quay on Monday."]  # the last from the JSON-LD image
    assert a.credits == ["Sam Ortiz/Riverside Ledger"]
    assert len(a.paragraphs) == 4 and a.paragraphs[-1].startswith("Work is due to begin")
    for junk in ("Ferry fares", "Share this", "Bridge closed", "covers city hall", "About time", "Posted in"):
        assert junk not in a.body and not any(junk in c for c in a.captions)


def test_wire_story_on_a_brightspot_page():
    a = page("en-brightspot-wire.html", "https://wire.example/article/drought-river-shipping-0123")
    assert a.authors == ["Ana Lucia Vega", "Marcus Hill", "Li Wen"]  # the <meta> list, capitals undone
    assert a.dateline.agency == "AP" and a.paragraphs[0].startswith("MEMPHIS, Tenn. (AP) — Hundreds of barges")
    assert a.captions == ["Barges wait near the port of Memphis, Tenn., on Tuesday, Aug. 20, 2024."]  # a slide's
    assert a.credits == ["Ana Lucia Vega"]  # "(AP Photo/Ana Lucia Vega)"
    for junk in ("River levels fell", "Watch the barges", "Expand", "contributed to this report"):
        assert junk not in a.body and not any(junk in c for c in a.captions)


def test_nextjs_story_with_module_class_names():
    html = (PAGES / "en-nextjs.html").read_text()
    url = "https://www.northernecho.example/news/2025/07/14/heatwave-warning"
    for variant in (html, html.replace('"author":[{"@type":"Person","name":"Kim Lee","jobTitle":"Environment '
                                       'correspondent"},{"@type":"Person","name":"Ravi Patel"}],', "")):
        a = parse_article(variant, url)
        assert a.authors == ["Kim Lee", "Ravi Patel"]  # the byline's job title is no name
    assert a.title == "Heatwave warning issued as temperatures near record"
    assert a.paragraphs[0].startswith("Forecasters say parts of the north")  # the standfirst leads
    assert "Hospitals told to prepare" in a.paragraphs and a.paragraphs[-1].startswith("Forecasters expect the heat")
    assert a.captions == ["Crowds gathered on the beach at Whitley Bay on Sunday afternoon.",
                          "Shops in Newcastle reported running out of electric fans by Saturday."]
    assert a.credits == ["Mark Shaw", "Northern Echo"]
    for junk in ("morning briefing", "Sign me up", "More on this story", "Reservoirs at lowest", "Weather"):
        assert junk not in a.body


@pytest.mark.parametrize("box", ['<div class="column factbox small-12">', '<div class="c-info-box">', '<section class="key-facts">'])
def test_a_box_of_facts_beside_the_story_is_not_story_text(box):
    facts = (f"{box}<h3>Fact: the port in numbers</h3><ul><li>Opened in 1887 with two quays</li>"
             f"<li>Handles 40 ships a week in summer</li></ul></{box[1:box.index(' ')]}>")
    a = parse_article(_story(facts))
    assert len(a.paragraphs) == 4 and "port in numbers" not in a.body and "40 ships" not in a.body


def test_markup_written_into_a_structured_headline_goes():
    ld = json.dumps({"@type": "NewsArticle", "headline": "Review: &lt;i&gt;Hamlet&lt;/i&gt; at the Globe"})
    story = "".join(f"<p>Paragraph {n} of the story goes on at length, with commas, to read as prose.</p>" for n in range(4))
    html = f'<html><head><script type="application/ld+json">{ld}</script></head><body><article>{story}</article></body></html>'
    assert parse_article(html).title == "Review: Hamlet at the Globe"

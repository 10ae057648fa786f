"""Captions of the article's pictures, one test per source; credits stay split out as credits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.article import parse_article

STORY = "".join(
    f"<p>Paragraph {n} of the story says something, and it says it at length, with commas, to read as prose.</p>"
    for n in range(5)
)


def page(inside: str = "", header: str = "", after: str = "", ld: dict | None = None) -> str:
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    return (f"<html><head><title>Harbour reopens</title>{script}</head><body>"
            f"<header class='site-header'><nav><a href='/'>Home</a></nav></header>"
            f"<main><div class='article-header'><h1>Harbour reopens</h1>{header}</div>"
            f"<div class='article-body'>{STORY[:250]}{inside}{STORY[250:]}</div></main>{after}</body></html>")


@pytest.mark.parametrize("credit", ["Foto: KEYSTONE/Peter Klaunzer", "Photo: Peter Klaunzer/CCTV", "Peter Klaunzer, Keystone-SDA"])
def test_a_credit_names_the_person_not_the_agency_of_the_agency_list(credit):
    a = parse_article(page('<figure><img src="a.jpg"><figcaption><span>Cranes unload the first ship.</span>'
                           f'<span class="credit">{credit}</span></figcaption></figure>'))
    assert a.credits == ["Peter Klaunzer"]


def test_figure_and_figcaption_with_a_credit_element():
    a = parse_article(page('<figure><img src="a.jpg"><figcaption><span>Cranes unload the first ship.</span>'
                           '<span class="credit">Foto: Jane Doe/Reuters</span></figcaption></figure>'))
    assert a.captions == ["Cranes unload the first ship."]
    assert a.credits == ["Jane Doe"]
    assert "Cranes unload" not in a.body


def test_figcaption_credit_as_a_short_last_piece_or_a_copyright_tail():
    a = parse_article(page('<figure><img src="a.jpg"><figcaption><span>Cranes unload the first ship.</span>'
                           '<span class="x9">Getty Images</span></figcaption></figure>'
                           '<figure><img src="b.jpg"><figcaption>Dock workers at the gate. — © BELGA</figcaption></figure>'))
    assert a.captions == ["Cranes unload the first ship.", "Dock workers at the gate."]
    assert a.credits == ["Getty Images", "Belga"]  # an agency in its reference spelling


def test_caption_and_credit_by_class_outside_a_figure():
    a = parse_article(page('<div class="image"><img src="a.jpg"><p class="image-caption">The harbour at dawn.</p>'
                           '<p class="photo-credit">Photo: Ana Silva</p></div>'))
    assert a.captions == ["The harbour at dawn."] and a.credits == ["Ana Silva"]


def test_caption_and_credit_by_itemprop():
    a = parse_article(page('<div itemscope itemtype="https://schema.org/ImageObject"><img src="a.jpg">'
                           '<span itemprop="caption">Pilots board a tanker.</span>'
                           '<span itemprop="copyrightHolder">Port Authority</span></div>'))
    assert a.captions == ["Pilots board a tanker."] and a.credits == ["Port Authority"]


def test_data_caption_attribute():
    a = parse_article(page('<figure data-caption="Tugboats wait at the pier."><img src="a.jpg"></figure>'))
    assert a.captions == ["Tugboats wait at the pier."]


def test_json_ld_image_caption():
    ld = {"@type": "NewsArticle", "headline": "Harbour reopens",
          "image": [{"@type": "ImageObject", "url": "https://x/a.jpg", "caption": "The reopened harbour from the air."}]}
    a = parse_article(page(ld=ld))
    assert a.captions == ["The reopened harbour from the air."]


def test_text_repeating_a_pictures_alt_text():
    a = parse_article(page('<div><picture><source srcset="a.webp"><img alt="The coach wants every point." src="a.jpg">'
                           '</picture><p>The coach wants every point. <span>IMAGO/Nico Herbertz</span></p></div>'))
    assert a.captions == ["The coach wants every point."] and a.credits == ["Nico Herbertz"]  # the person, not the agency


def test_lead_picture_between_headline_and_story_counts_teasers_and_author_cards_do_not():
    lead = '<figure><img src="lead.jpg"><figcaption>The first ship in the harbour.</figcaption></figure>'
    author = '<div class="author-box"><figure><img src="me.jpg"><figcaption>Maria Lopez</figcaption></figure></div>'
    teasers = ('<div class="related-stories">' + "".join(
        f'<div class="card"><figure><img src="t{n}.jpg"><figcaption>Teaser picture {n}.</figcaption></figure>'
        f'<a href="/t{n}">Other story number {n} in the news</a></div>' for n in range(3)) + "</div>")
    a = parse_article(page(header=lead + author, after=teasers))
    assert a.captions == ["The first ship in the harbour."]


def test_seed_caption_paragraphs_keep_working():
    text = "".join(f"<p>{p}</p>" for p in (
        "The picture shows the meeting site. (Photo by Gongga Laisong)",
        "The meeting was held in Lhasa on Monday and lasted for three hours, officials said after it ended.",
        "Delegates from fifteen enterprises attended the meeting and signed several cooperation agreements.",
    ))
    a = parse_article(f"<html><body><article>{text}</article></body></html>")
    assert a.captions == ["The picture shows the meeting site."] and a.credits == ["Gongga Laisong"]


PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
EN_PAGE = PAGES / "en-captions.html"


def en_captions():
    return parse_article(EN_PAGE.read_bytes(), "https://www.ledger.example/2024/05/14/warehouse-fire")


def test_story_pictures_only_not_videos_teasers_promotions_or_gallery_buttons():
    a = en_captions()
    assert a.captions == [
        "Firefighters work through the night at the warehouse on Elm Street.",  # screen-reader label dropped
        "Crews from three counties joined the effort before dawn.",  # the <figcaption> beside it is the credit
        "Residents watch the smoke from across the river.",  # a figure whose <figcaption> is only the credit
        "The warehouse before the fire, in a picture from 2019.",
        "Firefighters spray water on the roof of the warehouse from two ladder trucks.",  # "Image:" is a label
    ]
    for not_a_caption in ("Watch:", "Fire chief briefs", "River Road", "print edition", "Caption Close", "signing up"):
        assert not any(not_a_caption in c for c in a.captions)
        assert not_a_caption not in a.body


def test_credits_leave_screen_reader_labels_behind():
    assert en_captions().credits[:2] == ["Getty Images", "Jane Roe/The Valley Ledger"]


def test_a_newsletter_sign_up_box_is_not_story():
    a = en_captions()
    assert a.paragraphs[-1].startswith("Elm Street will stay closed") and "Morning Ledger" not in a.body


@pytest.mark.parametrize("box", [
    '<div class="col-3 p-4"><h3>Daily briefing</h3><p class="text-caption">Sign up and get the news at 7am.</p></div>',
    '<div class="x-embed"><a href="/other"><img src="o.jpg"></a><p class="caption"><a href="/other">The other story '
    "everyone read</a></p></div>",
    '<figure><div class="player"></div><figcaption>The moment the harbour reopened to ships on Monday</figcaption></figure>',
])
def test_caption_styled_text_without_a_picture_of_the_story_is_no_caption(box):
    assert parse_article(page(box)).captions == []


def test_a_lead_picture_in_a_box_named_as_furniture_counts():
    """A picture's own box named "masthead" or "header-features" (furniture words) still holds the
    article's picture; a box of other stories does not."""
    a = parse_article((PAGES / "en-drupal.html").read_bytes(), "https://www.gulfcourier.example/news/port-vote")
    assert a.captions == ["Dock workers leave the union hall after the vote on Tuesday. (Gulf Coast Courier/Omar Haddad)"]
    assert a.paragraphs[0] == "The nine-day walkout had left more than forty ships waiting offshore."
    header = ('<div class="header-features"><img src="lead.jpg"><p class="wp-caption-text">The first ship in the harbour '
              "since March.</p></div>")
    assert parse_article(page(header=header)).captions == ["The first ship in the harbour since March."]


def test_a_lead_picture_above_the_headline_in_a_header_box():
    html = ("<html><head><title>Harbour reopens</title></head><body><article><header class='content__head'>"
            "<figure><img src='a.jpg'><figcaption>The first ship in the harbour since March.</figcaption></figure>"
            f"<div class='content__header'><h1>Harbour reopens</h1></div></header><div class='story-body'>{STORY}</div>"
            "</article></body></html>")
    assert parse_article(html).captions == ["The first ship in the harbour since March."]


@pytest.mark.parametrize(("inside", "captions", "credits"), [
    ('<div itemscope itemtype="http://schema.org/Person"><div class="card-header"><picture><img alt="Ana Silva" '
     'src="a.jpg"></picture><div class="details">Ana Silva Port historian</div></div></div>', [], []),
    ('<div class="story-meta"><img src="me.jpg"><div class="text-caption"><time>08.03.2024, 18:59</time> • 3 min read'
     "</div></div>", [], []),
    ('<figure><img src="a.jpg"><figcaption>Patrick Semansky, ASSOCIATED PRESS</figcaption></figure>', [],
     ["Patrick Semansky"]),
    ('<figure><img src="a.jpg"><figcaption><span>Pilots board a tanker.</span><span itemprop="copyrightHolder">'
     "<span>Credit...</span><span>Ana Silva/The Courier</span></span></figcaption></figure>",
     ["Pilots board a tanker."], ["Ana Silva/The Courier"]),
])
def test_person_cards_date_lines_and_credits_in_a_captions_place(inside, captions, credits):
    a = parse_article(page(inside))
    assert (a.captions, a.credits) == (captions, credits)


def test_caption_and_credit_named_by_the_hooks_of_a_script_built_page():
    a = parse_article(page('<div data-testid="ImageBlock"><img src="a.jpg"><div data-testid="image-caption" class="sc-9x">'
                           'Cranes unload the first ship.</div><span data-testid="image-credit" class="sc-8y">Jane Roe'
                           "</span></div>"))
    assert a.captions == ["Cranes unload the first ship."] and a.credits == ["Jane Roe"]


def test_markup_inside_json_ld_and_data_caption_captions_goes():
    ld = {"@type": "NewsArticle", "headline": "Harbour reopens",
          "image": [{"@type": "ImageObject", "url": "https://x/a.jpg", "caption": "<p>The reopened harbour &amp; its quay.</p>"}]}
    a = parse_article(page('<figure data-caption="Tugboats wait at the &lt;em&gt;pier&lt;/em&gt;."><img src="b.jpg"></figure>', ld=ld))
    assert a.captions == ["Tugboats wait at the pier.", "The reopened harbour & its quay."]

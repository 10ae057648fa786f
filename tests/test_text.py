"""Plain-text articles: the seed, hard-wrapped wire copy, headlines, and every real corpus text."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SHARED, need_shared, shared_files

from extractors.text import parse_text

SEED = SHARED / "corpus" / "seed" / "cns-central-soes-tibet.txt"
REAL = shared_files(SHARED / "corpus" / "real", "*.txt")

REUTERS = """\
2-MAR-1987 06:58:00.68
COLOROLL AGREES TO BUY U.S. WALLCOVERINGS COMPANY
LONDON, March 2 - <Coloroll Group Plc> said it has entered
into a conditional agreement to acquire the business and assets
of <Wallco Inc> and related companies for 14.5 mln dlrs.
    Miami-based Wallco manufactures and distributes
wallcoverings and showed a pretax profit of 1.5 mln dlrs on
turnover of 37 mln in the year ending June 1986.
    The combined sales and profit of the enlarged Coloroll U.S.
Business would be 67 mln and four mln dlrs respectively.
 REUTER
"""


@pytest.fixture(scope="module")
def seed():
    need_shared(SEED)
    return parse_text(SEED.read_text(encoding="utf-8"), reference_date=dt.date(2021, 9, 21))


def test_seed_captions_and_credits(seed):
    assert len(seed.captions) == 5 and all(c.startswith("The picture shows") for c in seed.captions)
    assert seed.credits == ["Gongga Laisong"] * 5
    assert "The picture shows" not in seed.body and "Photo by" not in seed.body


def test_seed_dateline_and_byline(seed):
    d = seed.dateline
    assert (d.agency, d.place, d.date) == ("China News Service", "Lhasa", dt.date(2021, 9, 20))
    assert seed.byline == ["Ran Wenjuan", "Gonggar Laisong"]
    assert seed.paragraphs[0].startswith("The Central Enterprises Aid Work Conference")
    assert seed.title is None


def test_seed_end_marker_and_stutter(seed):
    assert seed.end_markers == ["(over)"] and "(over)" not in seed.body
    assert "State-owned Enterprises" in seed.clean_body and "State-owned State-owned" not in seed.clean_body
    assert "with high standards." in seed.clean_body
    assert len(seed.paragraphs) == 8
    for e in seed.edits:
        stutter = seed.body[e.start : e.end]
        assert stutter.startswith(e.replacement) and stutter.endswith(e.replacement.split()[-1])
        assert len(stutter) > len(e.replacement)


def test_seed_year_from_nothing_is_unknown():
    need_shared(SEED)
    article = parse_text(SEED.read_text(encoding="utf-8"))
    assert article.dateline.date is None and article.dateline.raw.endswith("(Ran Wenjuan, Gonggar Laisong)")


def test_hard_wrapped_reuters_is_rejoined():
    a = parse_text(REUTERS)
    assert a.title == "COLOROLL AGREES TO BUY U.S. WALLCOVERINGS COMPANY"
    assert a.published_at == dt.datetime(1987, 3, 2, 6, 58, 0, 680000)
    assert (a.dateline.place, a.dateline.date) == ("London", dt.date(1987, 3, 2))
    assert a.paragraphs == [
        "<Coloroll Group Plc> said it has entered into a conditional agreement to acquire the business and "
        "assets of <Wallco Inc> and related companies for 14.5 mln dlrs.",
        "Miami-based Wallco manufactures and distributes wallcoverings and showed a pretax profit of 1.5 mln "
        "dlrs on turnover of 37 mln in the year ending June 1986.",
        "The combined sales and profit of the enlarged Coloroll U.S. Business would be 67 mln and four mln dlrs "
        "respectively.",
    ]
    assert a.end_markers == ["REUTER"]


def test_wrapped_paragraphs_without_indent_break_at_short_lines():
    text = (
        "The company said on Monday that it would buy the remaining\n"
        "shares of its joint venture partner for an undisclosed sum.\n"
        "It said the deal was agreed.\n"
        "Analysts expected the purchase to lift earnings in the second\n"
        "half of the year, when the new plant starts production.\n"
    )
    a = parse_text(text)
    assert a.title is None and len(a.paragraphs) == 2
    assert a.paragraphs[0].endswith("undisclosed sum. It said the deal was agreed.")


def test_headline_only_when_clearly_one():
    assert parse_text("Venezuela and China sign oil deal\n\nVenezuela offered China access.").title == (
        "Venezuela and China sign oil deal"
    )
    body_first = "Zheng Yonggang, the founder of Shanshan, died.\nHe was 65."
    assert parse_text(body_first).title is None
    assert parse_text("Just a headline").paragraphs == ["Just a headline"]


def test_page_dump_header_and_glued_caption():
    text = (
        "China enhances cooperation with B&R countries ( Xinhua ) 09:57, November 18, 2020 "
        "Aerial photo shows Qinzhou Port in south China. /Xinhua BEIJING, Nov. 17 (Xinhua) -- "
        "China has seen resilient cooperation with the Belt and Road countries."
    )
    a = parse_text(text)
    assert a.title == "China enhances cooperation with B&R countries"
    assert a.published_at == dt.datetime(2020, 11, 18, 9, 57)
    assert a.captions == ["Aerial photo shows Qinzhou Port in south China."] and a.credits == ["Xinhua"]
    assert (a.dateline.place, a.dateline.date) == ("Beijing", dt.date(2020, 11, 17))
    assert a.paragraphs == ["China has seen resilient cooperation with the Belt and Road countries."]


def test_date_line_under_headline_gives_the_year():
    a = parse_text("Hubei and central enterprises sign agreements\n2021-08-02\n\nWUHAN, March 25 - Hubei signed.")
    assert a.published_at == dt.datetime(2021, 8, 2)
    assert a.dateline.date == dt.date(2021, 3, 25) and a.paragraphs == ["Hubei signed."]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_corpus_parses(path):
    article = parse_text(path.read_text(encoding="utf-8"))
    assert article.body.strip()
    for e in article.edits:
        assert article.body[e.start : e.end].startswith(e.replacement)

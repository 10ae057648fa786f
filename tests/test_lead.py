"""Sectioning of paragraphs: datelines, bylines, captions, credits, end markers, stutter."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.dateline import resolve_date
from extractors.lead import split_sections
from extractors.stutter import find_stutters
from schemas.article import Article

REF = dt.date(2021, 1, 3)
BODY = "The ministry said the talks would continue next week in the capital."


@pytest.mark.parametrize(
    "lead, agency, place, date, byline, rest",
    [
        ("China News Service, Lhasa, September 20 (Ran Wenjuan, Gonggar Laisong) The Central Enterprises met.",
         "China News Service", "Lhasa", dt.date(2020, 9, 20), ["Ran Wenjuan", "Gonggar Laisong"],
         "The Central Enterprises met."),
        ("BEIJING, Nov. 19 (Xinhua) -- China said.", "Xinhua", "Beijing", dt.date(2020, 11, 19), [], "China said."),
        ("LONDON (Reuters) - Shares fell.", "Reuters", "London", None, [], "Shares fell."),
        ("WASHINGTON, March 3 (AP) — The Senate voted.", "AP", "Washington", dt.date(2021, 3, 3), [],
         "The Senate voted."),
        ("Xinhua News Agency, Beijing, Jan 5 -- The ministry said.", "Xinhua News Agency", "Beijing",
         dt.date(2021, 1, 5), [], "The ministry said."),
        ("Xinhua News Agency, Shanghai, July 26 (Reporter Zhou Rui) On the 26th, a committee met.",
         "Xinhua News Agency", "Shanghai", dt.date(2020, 7, 26), ["Zhou Rui"], "On the 26th, a committee met."),
        ("BEIJING, Nov. 19, 2019 (Xinhua) -- China said.", "Xinhua", "Beijing", dt.date(2019, 11, 19), [],
         "China said."),
        ("STAMFORD, Conn., March 2 - Pittston Co said.", None, "Stamford, Conn.", dt.date(2021, 3, 2), [],
         "Pittston Co said."),
        ("HONG KONG, Dec. 30 (Xinhua) -- Stocks rose.", "Xinhua", "Hong Kong", dt.date(2020, 12, 30), [],
         "Stocks rose."),
        ("Hanoi (VNA) – The visits were a success.", "VNA", "Hanoi", None, [], "The visits were a success."),
    ],
)
def test_dateline_forms(lead, agency, place, date, byline, rest):
    s = split_sections([lead, BODY], reference_date=REF)
    assert (s.dateline.agency, s.dateline.place, s.dateline.date) == (agency, place, date)
    assert s.byline == byline
    assert s.paragraphs == [rest, BODY]
    assert lead.startswith(s.dateline.raw)


@pytest.mark.parametrize(
    "lead",
    ["Yesterday, March 2 - we went home.", "Apple (AAPL) - shares rose.", "Monday, Nov. 19 (Xinhua) -- it rained."],
)
def test_sentences_are_not_datelines(lead):
    s = split_sections([lead, BODY], reference_date=REF)
    assert s.dateline is None and s.paragraphs[0] == lead


def test_date_without_reference_keeps_raw():
    s = split_sections(["BEIJING, Nov. 19 (Xinhua) -- China said.", BODY])
    assert s.dateline.date is None and s.dateline.raw == "BEIJING, Nov. 19 (Xinhua) --"


def test_a_date_without_a_year_takes_the_nearest_year():
    # one rule everywhere (extractors.dates.nearest_date): the closest date to the reference
    assert resolve_date("Dec", "30", None, dt.date(2021, 1, 3)) == dt.date(2020, 12, 30)
    assert resolve_date("Jan", "7", None, dt.date(2021, 1, 3)) == dt.date(2021, 1, 7)
    assert resolve_date("February", "2", None, dt.date(2021, 1, 28)) == dt.date(2021, 2, 2)
    assert resolve_date("Aug", "1", None, dt.date(2021, 1, 28)) == dt.date(2020, 8, 1)
    assert resolve_date("Feb", "30", None, dt.date(2021, 1, 3)) is None


def test_byline_line_names_reporters_and_agency():
    s = split_sections(["By John Smith and Jane Doe, Reuters", "LONDON (Reuters) - Shares fell.", BODY])
    assert s.byline == ["John Smith", "Jane Doe"]
    assert s.dateline.agency == "Reuters" and s.paragraphs == ["Shares fell.", BODY]


def test_mt_reporter_lead():
    s = split_sections(["Economic Observer Network reporter Rao Xianjun, on July 26, the company said.", BODY])
    assert s.byline == ["Rao Xianjun"] and s.dateline.agency == "Economic Observer Network"
    assert s.paragraphs[0] == "on July 26, the company said."


def test_captions_and_credits_leave_the_body_in_order():
    paragraphs = [
        BODY,
        "The picture shows the meeting site.",
        "Photo by Gongga Laisong",
        "Pictured: the new bridge over the river. (Photo: Li Wei/Xinhua)",
        "Visitors look at exhibits in Beijing, Nov. 17, 2020. [Photo/Xinhua]",
        "The photo shows a signing ceremony.",
        "Photographed by Zhang San",
        "Second story paragraph. It has two sentences.",
        "The scene of the ceremony, which was filmed in Shanghai on July 26.",
        "Third story paragraph, with more text and some more words in it.",
        "Photo: Visitors look at exhibits in the new hall.",
        "(Photo/Chen Qi) Fourth story paragraph, with more text and some more words in it.",
    ]
    markup = ["A figure caption from markup (Photo by Wang Wu)", "The picture shows a dam Photo: Zhao Liu/Xinhua"]
    s = split_sections(paragraphs, captions=markup)
    assert s.paragraphs == [BODY, "Second story paragraph. It has two sentences.",
                            "Third story paragraph, with more text and some more words in it.",
                            "Fourth story paragraph, with more text and some more words in it."]
    assert s.captions == [
        "A figure caption from markup",
        "The picture shows a dam",
        "The picture shows the meeting site.",
        "Pictured: the new bridge over the river.",
        "Visitors look at exhibits in Beijing, Nov. 17, 2020.",
        "The photo shows a signing ceremony.",
        "The scene of the ceremony, which was filmed in Shanghai on July 26.",
        "Photo: Visitors look at exhibits in the new hall.",
    ]
    assert s.credits == ["Wang Wu", "Zhao Liu", "Gongga Laisong", "Li Wei", "Xinhua", "Zhang San", "Chen Qi"]


def test_photo_story_keeps_credited_paragraphs_as_body():
    paragraphs = [
        "Workers restored the old temple this year. (Photo/People's Daily Online)",
        "The village built a museum next to it. (Photo/People's Daily Online)",
        "Tourists have since doubled, the village said.",
    ]
    s = split_sections(paragraphs)
    assert s.captions == [] and len(s.paragraphs) == 3
    assert s.credits == ["People's Daily Online"] * 2
    assert all("(Photo/" not in p for p in s.paragraphs)


def test_a_credited_sentence_with_abbreviations_is_one_sentence_and_a_caption():
    # sentences are counted by the one splitter (extractors.sentences): "Gov." and "Mr." end no sentence
    tagged = "Gov. Li Wei greets Mr. Zhang Hua at the port of Xiamen. (Photo/Chen Qi)"
    s = split_sections([BODY, tagged, BODY, BODY])
    assert s.captions == ["Gov. Li Wei greets Mr. Zhang Hua at the port of Xiamen."] and s.credits == ["Chen Qi"]
    assert s.paragraphs == [BODY, BODY, BODY]


def test_inline_credit_splits_a_glued_paragraph():
    s = split_sections([f"A boat docks at the port. (Photo/cctv.com) {BODY}", BODY, BODY])
    assert s.captions == ["A boat docks at the port."] and s.credits == ["cctv.com"]
    assert s.paragraphs == [BODY, BODY, BODY]


@pytest.mark.parametrize(
    "marker", ["(over)", "(End)", "(完)", "[Editor: Zhang Wei]", "(Web editor: Li Yan, Liang Jun)", "Source: Xinhua",
               "REUTER", "(Source: en.hubei.gov.cn)"],
)
def test_end_markers_are_recorded(marker):
    s = split_sections([BODY, marker])
    assert s.paragraphs == [BODY] and s.end_markers == [marker]


def test_trailing_end_markers_are_split_off():
    s = split_sections([f"{BODY} (over)", f"{BODY} [Editor: Zhang Wei] (End)"])
    assert s.paragraphs == [BODY, BODY]
    assert s.end_markers == ["(over)", "[Editor: Zhang Wei]", "(End)"]


@pytest.mark.parametrize(
    "text, spans",
    [
        ("the State-owned State-owned State-owned Enterprises’ Aid",
         [("State-owned State-owned State-owned", "State-owned")]),
        ("with high standards and high standards. Build", [("high standards and high standards", "high standards")]),
        ("a state-owned state-owned enterprises to", [("state-owned state-owned", "state-owned")]),
        ("the Central Committee Central Committee said",
         [("Central Committee Central Committee", "Central Committee")]),
        ("Shiseido of Japan, Enterprises Enterprises", [("Enterprises Enterprises", "Enterprises")]),
        ("he had had enough; that that was it; bye bye; very very good", []),
        ("in 2020 2020 and 12 12 items", []),
        ("more and more, again and again, step and step", []),
        ("Li Li, deputy manager, and Walla Walla", []),
        ("the report, the report said", []),
    ],
)
def test_stutter(text, spans):
    edits = find_stutters(text)
    assert [(text[e.start : e.end], e.replacement) for e in edits] == spans


def test_stutter_edits_point_into_the_joined_body():
    s = split_sections([BODY, "The State-owned State-owned Enterprises met with high standards and high standards."])
    article = Article(paragraphs=s.paragraphs, edits=s.edits)
    assert [article.body[e.start : e.end] for e in s.edits] == ["State-owned State-owned",
                                                              "high standards and high standards"]
    assert article.clean_body.endswith("The State-owned Enterprises met with high standards.")

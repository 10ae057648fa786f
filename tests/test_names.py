"""One name key: every place that compares names agrees on what makes two spellings one name."""

from __future__ import annotations

from extractors.agencies import agency_name
from extractors.agreements.parties import collective_words
from extractors.entities.resolve import key_text
from schemas.names import name_key, name_words, singular


def test_name_key_ignores_case_punctuation_and_a_leading_article():
    assert name_key("The People's Gov't") == name_key("peoples govt") == "peoples govt"
    assert name_key("AT&T") == "at and t"
    assert name_key("Xinhua.net") == name_key("XINHUANET")


def test_one_plural_rule():
    assert [singular(w) for w in ("companies", "hospitals", "business", "campus", "analysis", "gas")] == [
        "company", "hospital", "business", "campus", "analysis", "gas"]
    assert name_words("The Central Enterprises", drop={"central"}) == ["enterprise"]


def test_resolution_and_collectives_use_the_name_key():
    assert key_text("People's Government of Tibet") == key_text("the Peoples Government of Tibet")
    assert key_text("Harrow Industries") == key_text("Harrow Industry")
    assert collective_words("15 central SOEs") == collective_words("central state-owned enterprises") == {"central", "enterprise"}
    assert collective_words("companies’") == {"enterprise"}


def test_agencies_are_found_by_the_name_key():
    assert agency_name("REUTERS") == agency_name("Reuters.") == "Reuters"
    assert agency_name("(Xinhua)") == "Xinhua"
    assert agency_name("Canadian Press") == "The Canadian Press"
    assert agency_name("Gonggar Laisong") is None and agency_name("  ") is None

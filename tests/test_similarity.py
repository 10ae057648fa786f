"""Name similarity (Jaro-Winkler, RapidFuzz's): what decides that two spellings are one name."""

from __future__ import annotations

import pytest

from extractors.entities.similarity import jaro_winkler
from schemas.reference import thresholds


def test_transliteration_variants_pass_the_variant_thresholds_and_other_names_do_not():
    limits = thresholds()
    assert jaro_winkler("gonggar laisong", "gongga laisong") >= limits["variant_name_similarity"]
    assert jaro_winkler("gonggar", "gongga") >= limits["variant_word_similarity"]
    assert jaro_winkler("tibet", "xinjiang") < limits["variant_word_similarity"]  # two governments stay two


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("martha", "marhta", 0.9611), ("dwayne", "duane", 0.84), ("dixon", "dicksonx", 0.8133), ("abc", "abc", 1.0), ("", "x", 0.0),
])
def test_winklers_published_examples(a, b, expected):
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=1e-4)

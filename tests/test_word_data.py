"""Word lists and tunables are data beside the reference tables, read in one place each."""

from __future__ import annotations

from extractors.agreements.dates import find_period
from extractors.agreements.numbers import number_value
from extractors.agreements.parties import collective_words
from schemas.reference import rows, thresholds


def test_number_words_count_collectives_and_terms_alike():
    assert [number_value(t) for t in ("15", "1,200", "Fifteen", "twenty-one", "a dozen", "ninety-nine")] == [
        15, 1200, 15, 21, None, 99]
    assert find_period("a forty-year concession") == "40 years"  # one table: terms go past fifty too
    assert find_period("an eleven-year contract") == "11 years"
    assert find_period("a 3-year memorandum") == "3 years"
    assert "fifteen" not in collective_words("fifteen central enterprises")


def test_thresholds_are_read_from_their_table():
    assert thresholds() == {"variant_name_similarity": 0.95, "variant_word_similarity": 0.9, "collective_overlap": 0.5,
                            "amount_tolerance": 0.01}


def test_agreement_word_lists_name_their_list():
    kinds = {kind for kind, _, _ in rows("agreement_words.tsv", 3)}
    assert kinds == {"collective_noun", "party_follower", "reporting_verb", "value_noun", "value_verb", "commitment_verb"}

"""Word lists and tunables are data beside the reference tables, read in one place each."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.agreements.amounts import find_money
from extractors.agreements.dates import find_period
from extractors.agreements.numbers import number_value
from extractors.agreements.parties import collective_words
from schemas.reference import alternation, limit, pattern, rows, thresholds, word_lists

ROOT = Path(__file__).resolve().parents[1]


def test_number_words_count_collectives_and_terms_alike():
    assert [number_value(t) for t in ("15", "1,200", "Fifteen", "twenty-one", "a dozen", "ninety-nine")] == [
        15, 1200, 15, 21, None, 99]
    assert find_period("a forty-year concession") == "40 years"  # one table: terms go past fifty too
    assert find_period("an eleven-year contract") == "11 years"
    assert find_period("a 3-year memorandum") == "3 years"
    assert "fifteen" not in collective_words("fifteen central enterprises")


def test_the_currency_table_is_data():
    table = rows("currencies.tsv", 4)
    for kind, form, value, only in table:
        text = {"scale": f"5 {form} dollars", "prefix": f"{form}5 bn"}.get(kind)
        if text is None:
            continue
        (money,) = find_money(text)
        got = (money.amount.value, money.amount.currency)
        assert got == ((5 * 10 ** int(value), "USD") if kind == "scale" else (5e9, value)), text
        if only == "scaled":
            assert find_money(f"{form}5") == []  # "yuan 5" is not how amounts are written
    assert {kind for kind, *_ in table} == {"scale", "prefix", "suffix"}


def test_thresholds_are_read_from_their_table():
    values = thresholds()
    assert {k: values[k] for k in ("variant_name_similarity", "variant_word_similarity", "collective_overlap",
                                   "amount_tolerance")} == {"variant_name_similarity": 0.95, "variant_word_similarity": 0.9,
                                                            "collective_overlap": 0.5, "amount_tolerance": 0.01}
    assert limit("lead_zone") == 4 and limit("sign_off_zone") == 4
    with pytest.raises(ValueError, match="widen_gain is 1.3, not a whole number"):
        limit("widen_gain")


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for folder in ("extractors", "schemas", "warehouse", "flows")
                     for p in (ROOT / folder).rglob("*.py"))


def test_every_tunable_named_pattern_and_data_file_is_read_by_the_code():
    # a row nobody reads is dead data: each tunable and pattern is named in the code, each file read by name
    code = _source()
    unread = [n for n in thresholds() if f'"{n}"' not in code]
    unread += [n for n, _ in rows("page_patterns.tsv", 2) if f'pattern("{n}")' not in code]
    unread += [p.name for p in (ROOT / "schemas" / "reference").iterdir()
               if p.suffix in (".tsv", ".txt") and f'"{p.name}"' not in code]
    assert unread == []


def test_page_patterns_are_alternatives_of_one_case_insensitive_pattern():
    # rows of one name join as alternatives: any row's form matches, in any case
    assert pattern("caption").search("article__IMAGE-caption") and pattern("caption").search("gallery-slide-desc")
    assert pattern("junk_line").search("Read more") and pattern("junk_line").search("© 2024 Example Media")
    assert not pattern("junk_line").search("Read more about the harbour deal in our earlier report")
    with pytest.raises(KeyError):
        pattern("no_such_pattern")


def test_word_lists_keep_file_order_and_drop_empty_words():
    keys = word_lists("meta_keys.tsv")["published"]
    assert keys[:2] == ["itemprop:datepublished", "og:published_time"]  # the first found wins: order is the rule
    assert "" not in keys
    assert alternation(["editor", "editor in charge", "a.b"]) == r"editor\s+in\s+charge|editor|a\.b"


def test_agreement_word_lists_name_their_list():
    kinds = {kind for kind, _, _ in rows("agreement_words.tsv", 3)}
    assert kinds == {"collective_noun", "party_follower", "reporting_verb", "value_noun", "value_verb", "commitment_verb"}

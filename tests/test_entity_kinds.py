"""One test per kind of entity fault, on short sentences written for the test: organization names
that end where the name ends (legal-form tails, an ordinal before, a place starting a company's
name), short and full forms of one company, and open-vocabulary titles with their organization
(apposition, possessive, "who heads", a title before the name, a state office's country)."""

from __future__ import annotations

import pytest

from extractors.entities import extract_entities
from extractors.entities.legal_forms import legal_form, tail_end
from extractors.text import parse_text
from schemas import reference


def entities(text: str):
    return extract_entities(parse_text(text))


def named(text: str, kind: str) -> dict:
    return {e.name: e for e in entities(text) if e.kind == kind}


def titles_of(text: str) -> dict[str, list[tuple[str, str | None]]]:
    found = entities(text)
    by_id = {e.id: e for e in found}
    out = {}
    for e in found:
        if e.kind == "person":
            for t in e.titles:  # the title's organization travels as an id of an entity of the article
                assert t.organization_id is None or by_id[t.organization_id].name == t.organization
            out[e.name] = [(t.title, t.organization) for t in e.titles]
    return out


def test_company_names_keep_their_legal_form_tails():
    orgs = named("Shanghai Electric (Group) Co., Ltd. signed contracts with Fincantieri SpA and Carnival Corp &plc "
                 "of the United States. Royal Dutch Shell N.V. and Banco Santander, S.A. also signed.", "organization")
    assert {"Shanghai Electric (Group) Co., Ltd.", "Fincantieri SpA", "Carnival Corp &plc", "Royal Dutch Shell N.V.",
            "Banco Santander, S.A."} <= set(orgs)
    assert "Shanghai" not in named("Shanghai Electric (Group) Co., Ltd. signed a deal.", "place")


def test_legal_forms_come_from_the_general_list_and_are_not_ordinary_words():
    assert legal_form("Ltd.") and legal_form("S.p.A.") and legal_form("SpA") and legal_form("plc") and legal_form("AS")
    assert not legal_form("as") and not legal_form("company") and not legal_form("Airlines")
    text = "Temasek Holdings (Pte) Ltd and Renown as a brand"
    assert text[:tail_end(text, len("Temasek Holdings"))] == "Temasek Holdings (Pte) Ltd"
    assert tail_end(text, text.index(" as")) == text.index(" as")


def test_an_ordinal_that_starts_a_name_is_kept():
    assert "Second National Bank of Boston" in named("The deal was financed by Second National Bank of Boston.", "organization")


def test_a_city_or_province_that_starts_a_company_name_stays_in_it():
    text = ("Chinese textile group Shandong Ruyi will buy a stake in Japanese apparel maker Renown Inc on Monday. "
            "Shandong Ruyi President Qiu Yafu said Renown would stay independent.")
    orgs = named(text, "organization")
    assert "Shandong Ruyi" in orgs and "Renown Inc" in orgs
    assert "Shandong" not in named(text, "place")
    assert titles_of(text)["Qiu Yafu"] == [("President", "Shandong Ruyi")]


def test_a_name_after_a_noun_that_describes_a_company_is_a_company():
    orgs = named("Suning purchased a stake in electronics maker Laox, and Venezuelan energy firm PDVSA signed.",
                 "organization")
    assert {"Laox", "PDVSA"} <= set(orgs)
    assert {"firm", "maker", "carmaker", "insurer"} <= reference.company_nouns()
    assert not {"trader", "trafficker", "headhunter", "retailer"} & reference.company_nouns()  # persons' senses


def test_short_and_full_forms_of_one_company_are_one_entity():
    orgs = named("The city signed with Sichuan Tequ Education Investment Management Co., Ltd. on Monday. "
                 "Sichuan Tequ Education will open a college. Rolls-Royce plc signed with China Eastern Airlines. "
                 "Tang Bing, executive vice-president of China Eastern, said so.", "organization")
    assert "Sichuan Tequ Education" in orgs["Sichuan Tequ Education Investment Management Co., Ltd."].alias_texts
    assert "China Eastern" in orgs["China Eastern Airlines"].alias_texts
    assert "Sichuan Tequ Education" not in orgs and "China Eastern" not in orgs


def test_open_title_with_its_organization():
    titles = titles_of('"It is good news," said Stuart Quint, an analyst at Gartmore. '
                       "Jane Doe, chief economist at Barclays Capital in London, agreed.")
    assert titles["Stuart Quint"] == [("analyst", "Gartmore")]
    assert titles["Jane Doe"] == [("chief economist", "Barclays Capital")]


def test_possessive_titles_name_their_organization():
    titles = titles_of("Robert Benmosche, Metlife's chairman and chief executive, welcomed the deal. "
                       "Rodrigo de Rato, the IMF's managing director, said the loan would help.")
    assert titles["Robert Benmosche"] == [("chairman", "Metlife"), ("chief executive", "Metlife")]
    assert titles["Rodrigo de Rato"] == [("managing director", "IMF")]


def test_the_company_and_its_name_the_company_named_before():
    titles = titles_of("Acme Holdings said profits rose. John Smith, president of the company, was pleased. "
                       "Its chairman, Tom Brown, agreed, and Acme Holdings said its treasurer, Ann Lee, would retire.")
    assert titles["John Smith"] == [("president", "Acme Holdings")]
    assert titles["Tom Brown"] == [("chairman", "Acme Holdings")]
    assert titles["Ann Lee"] == [("treasurer", "Acme Holdings")]


def test_who_heads_gives_a_title_at_the_organization():
    assert titles_of("John Doe, who heads Acme Holdings, said prices would rise.")["John Doe"] == [("head", "Acme Holdings")]


def test_title_before_the_name_in_apposition_and_a_state_office_held_in_the_datelines_country():
    text = ("OTTAWA, March 9 - Energy Minister Marcel Masse said the sale would go ahead. "
            "The Turkish economics minister, Ali Babacan, said talks went well.")
    titles = titles_of(text)
    assert titles["Marcel Masse"] == [("Energy Minister", "Canada")]
    assert titles["Ali Babacan"] == [("economics minister", "Turkey")]
    assert "Energy" not in named(text, "organization")  # a portfolio, not an organization


@pytest.mark.parametrize("word", ["economist", "strategist", "analyst", "director", "minister", "vice-president"])
def test_title_heads_are_a_general_lexicon(word):
    from extractors.entities.titles import _is_head

    assert _is_head(word)


def test_nouns_that_describe_companies_head_no_title():
    assert "retailer" not in reference.title_heads() and "distributor" not in reference.title_heads()
    assert not titles_of("Suning bought a stake in electronics retailer Laox Holdings.").get("Laox Holdings")


def test_one_unknown_word_never_used_as_a_location_is_no_place():
    text = "Zorvania signed with Occidental Petroleum Corp in February. Officials in Jakarta agreed."
    assert "Zorvania" not in named(text, "place") and "Jakarta" in named(text, "place")


def test_country_of_a_dateline_city():
    assert reference.country_of("OTTAWA").name == "Canada"
    assert reference.country_of("Lhasa").name == "China"
    assert reference.country_of("Nowhere Town") is None

"""Agreement sides read from sentence structure, one kind per test, on short sentences written for the
test (invented names, so no reference data or dev article can answer for the rule)."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.agreements import extract_agreements
from extractors.agreements.frames import noun_frame, verb_frame
from extractors.text import parse_text
from schemas.agreements import Agreement
from schemas.article import Article
from schemas.entities import Alias, Entity


def org(name: str, *aliases: str) -> Entity:
    return Entity(kind="organization", name=name, aliases=[Alias(text=a, kind="name") for a in aliases])


def place(name: str) -> Entity:
    return Entity(kind="place", name=name)


NORLAND, CASTLE, VESTA = org("Norland Foods"), org("Castle Dairies"), org("Vesta Holdings")
ARDEN, BRILL, CORVIN = org("Arden Group"), org("Brill Corp"), org("Corvin Energy")


def agreements(*paragraphs: str, entities: list[Entity]) -> list[Agreement]:
    return extract_agreements(Article(paragraphs=list(paragraphs)), entities)


def sides(a: Agreement) -> list[tuple[str, str | None]]:
    return [(p.name, p.role) for p in a.parties]


def test_buyer_target_and_seller_of_an_acquisition():
    (deal,) = agreements("Norland Foods agreed to buy Castle Dairies from Vesta Holdings for 120 million dollars.",
                         entities=[NORLAND, CASTLE, VESTA])
    assert (deal.type, deal.status) == ("acquisition", "agreed")
    assert sides(deal) == [("Norland Foods", "acquirer"), ("Castle Dairies", "target"), ("Vesta Holdings", "seller")]
    assert (deal.amount.value, deal.amount.currency) == (120_000_000, "USD")


def test_passive_sale_names_target_buyer_and_seller():
    (deal,) = agreements("Castle Dairies was sold to Norland Foods by Vesta Holdings last year.",
                         entities=[NORLAND, CASTLE, VESTA])
    assert deal.type == "acquisition"
    assert sorted(sides(deal)) == [("Castle Dairies", "target"), ("Norland Foods", "acquirer"),
                                   ("Vesta Holdings", "seller")]


def test_sale_told_by_the_seller_is_an_acquisition():
    (deal,) = agreements("Vesta Holdings sold its dairy unit Castle Dairies to Norland Foods.",
                         entities=[NORLAND, CASTLE, VESTA])
    assert deal.type == "acquisition"
    assert sides(deal) == [("Vesta Holdings", "seller"), ("Castle Dairies", "target"), ("Norland Foods", "acquirer")]


def test_respectively_list_gives_each_partner():
    (deal,) = agreements("The city government signed cooperation agreements with Arden Group, Brill Corp and "
                         "Corvin Energy respectively.", entities=[ARDEN, BRILL, CORVIN])
    assert [p.name for p in deal.parties] == ["Arden Group", "Brill Corp", "Corvin Energy"]


def test_collective_keeps_its_named_members():
    (deal,) = agreements("Nine central enterprises, including Arden Group, Brill Corp and Corvin Energy, signed "
                         "contracts with the Qinghai Provincial Government.",
                         entities=[ARDEN, BRILL, CORVIN, org("Qinghai Provincial Government")])
    assert [(p.name, p.kind, p.count) for p in deal.parties] == [
        ("Nine central enterprises", "collective", 9), ("Arden Group", "organization", None),
        ("Brill Corp", "organization", None), ("Corvin Energy", "organization", None),
        ("Qinghai Provincial Government", "organization", None)]


def test_both_subjects_sign():
    (mou,) = agreements("Arden Group and Brill Corp signed a memorandum of understanding on Tuesday.",
                        entities=[ARDEN, BRILL])
    assert mou.type == "memorandum" and [p.name for p in mou.parties] == ["Arden Group", "Brill Corp"]


def test_signed_with_and_not_the_place_of_the_project():
    (deal,) = agreements("Brill Corp has signed an agreement with Corvin Energy to build a fuel depot in Velora.",
                         entities=[BRILL, CORVIN, place("Velora")])
    assert [p.name for p in deal.parties] == ["Brill Corp", "Corvin Energy"]


@pytest.mark.parametrize("sentence", [
    "The Arden Development Bank granted a loan of 200 million dollars to Velora to build a port.",
    "Velora signed for a 200 million dollar loan from the Arden Development Bank.",
])
def test_loan_from_lender_to_borrower(sentence):
    (loan,) = agreements(sentence, entities=[org("Arden Development Bank"), place("Velora")])
    assert loan.type == "loan" and loan.amount.value == 200_000_000
    assert dict(sides(loan)) == {"Arden Development Bank": "lender", "Velora": "borrower"}


def test_two_agreements_in_one_sentence_stay_two():
    first, second = agreements("Arden Group bought Brill Corp, and Corvin Energy acquired Delta Mining from "
                               "Estor Metals.", entities=[ARDEN, BRILL, CORVIN, org("Delta Mining"), org("Estor Metals")])
    assert sides(first) == [("Arden Group", "acquirer"), ("Brill Corp", "target")]
    assert sides(second) == [("Corvin Energy", "acquirer"), ("Delta Mining", "target"), ("Estor Metals", "seller")]


def test_full_and_short_name_are_one_party_of_one_agreement():
    (deal,) = agreements("Arden Group and Brill Corp signed a supply contract.",
                         "Arden signed the contract in Velora on Monday.",
                         entities=[ARDEN, BRILL, org("Arden"), place("Velora")])
    assert [p.name for p in deal.parties] == ["Arden Group", "Brill Corp"] and len(deal.evidence) == 2


def test_the_deal_in_a_later_sentence_joins_the_agreement_it_refers_to():
    (deal,) = agreements("Arden Group agreed to acquire Brill Corp.",
                         "The deal is worth 3 billion dollars, the companies said.",
                         "Shares of Brill Corp rose after reports of the deal.", entities=[ARDEN, BRILL])
    assert deal.amount.value == 3_000_000_000 and len(deal.evidence) == 3


def test_an_anaphoric_award_adds_the_side_that_awarded_it():
    (contract,) = agreements("Brill Corp has won a contract to build a power line.",
                             "The contract, worth 2.1 billion euros, was awarded by the Velora Grid Authority.",
                             entities=[BRILL, org("Velora Grid Authority")])
    assert [p.name for p in contract.parties] == ["Brill Corp", "Velora Grid Authority"]
    assert (contract.amount.value, contract.amount.currency) == (2.1e9, "EUR")


def test_merger_type():
    (deal,) = agreements("Arden Group and Brill Corp agreed to merge, creating the region's largest lender.",
                         entities=[ARDEN, BRILL])
    assert (deal.type, [p.name for p in deal.parties]) == ("merger", ["Arden Group", "Brill Corp"])


@pytest.mark.parametrize("sentence, kind", [
    ("Velora and Ostria signed a free trade agreement on Friday.", "treaty"),
    ("Velora and Ostria signed an oil deal.", "treaty"),
    ("Velora signed a gas supply deal with Ostria.", "contract"),
])
def test_types_between_states(sentence, kind):
    (deal,) = agreements(sentence, entities=[place("Velora"), place("Ostria")])
    assert deal.type == kind


def test_purchase_of_goods_is_a_contract():
    (deal,) = agreements("Arden Group sealed a deal with Brill Corp to purchase 40 million dollars worth of copper.",
                         entities=[ARDEN, BRILL])
    assert (deal.type, deal.amount.value) == ("contract", 40_000_000)


@pytest.mark.parametrize("sentence", [
    "Arden Group agreed to buy Brill Corp at 12 dollars a share.",
    "Arden Group signed a contract with Brill Corp to refinance loans worth 40 million dollars.",
])
def test_a_price_per_share_or_the_sum_of_another_thing_is_no_amount(sentence):
    (deal,) = agreements(sentence, entities=[ARDEN, BRILL])
    assert deal.amount is None


def test_agreement_as_accord_and_possessed_agreement():
    current, = agreements("The two sides reached general agreement on a new funding programme.",
                          "Velora's current 18.6 billion dollar loan agreement with the Arden Fund expires in March.",
                          entities=[place("Velora"), org("Arden Fund")])
    assert (current.type, [p.name for p in current.parties]) == ("loan", ["Velora", "Arden Fund"])
    assert current.amount.value == 18.6e9


def test_relative_day_resolved_against_the_dateline():
    article = parse_text("4-MAR-1987 10:00:00.00\nARDEN SIGNS DEAL\nLONDON, March 4 - Arden Group said it signed a "
                         "supply contract with Brill Corp on Monday.\n REUTER\n")
    (deal,) = extract_agreements(article, [ARDEN, BRILL, place("London")])
    assert article.dateline.date == dt.date(1987, 3, 4)
    assert deal.date == "1987-03-02"  # the Monday before Wednesday 4 March 1987


def test_no_date_where_the_text_gives_none():
    article = parse_text("LONDON, March 4 (Reuters) - Arden Group said on Tuesday it had signed a supply contract "
                         "with Brill Corp. It was similar to a contract Brill Corp signed with Corvin Energy in "
                         "February.")
    first, second = extract_agreements(article, [ARDEN, BRILL, CORVIN, place("London")])
    assert first.date is None  # "said on Tuesday" dates the report, and the dateline has no year
    assert second.date is None  # "in February" without a year of reference


def test_frames_are_data():
    assert verb_frame("sell")["to"] == "acquirer" and verb_frame("sell")["subject"] == "seller"
    assert verb_frame("provide", "loan")["subject"] == "lender" and verb_frame("sign")["with"] == "signatory"
    assert noun_frame("loan")["from"] == "lender" and noun_frame("agreement")["between"] == "signatory"


def test_the_two_sides_are_the_ones_named_before_any_agreement():
    tan = Entity(kind="person", name="Tan Ming", titles=[{"title": "President", "organization": "Velora"}])
    lee = Entity(kind="person", name="Lee Wei", titles=[{"title": "President", "organization": "Ostria"}])
    (deal,) = agreements("Velora President Tan Ming held talks with Ostria President Lee Wei in Velora on Monday.",
                         "After the talks, the two heads of state witnessed the signing of 12 cooperation documents.",
                         entities=[tan, lee, place("Velora"), place("Ostria")])
    assert (deal.type, deal.status) == ("cooperation_agreement", "signed")
    assert [p.name for p in deal.parties] == ["Velora", "Ostria"]


@pytest.mark.parametrize("sentence, status", [
    ("Arden Group is to buy rival Brill Corp for 2 billion dollars.", "agreed"),
    ("ARDEN GROUP TO BUY BRILL CORP", "agreed"),
    ("Arden Group plans to buy Brill Corp.", "planned"),
    ("Arden Group said it completed the previously announced acquisition of Brill Corp.", "completed"),
])
def test_status_of_an_acquisition(sentence, status):
    (deal,) = extract_agreements(Article(title=sentence) if sentence.isupper() else Article(paragraphs=[sentence]),
                                 [ARDEN, BRILL])
    assert deal.status == status


def test_the_deal_a_purchase_is_made_in_is_that_purchase():
    (deal,) = agreements("Arden Group has agreed to buy Brill Corp in a deal worth 4 billion dollars.",
                         entities=[ARDEN, BRILL])
    assert (deal.type, deal.amount.value) == ("acquisition", 4e9)


def test_its_board_and_its_unit_stand_for_the_company_reporting():
    (merger,) = agreements("Arden Group said its board approved a merger agreement with Brill Corp.",
                           entities=[ARDEN, BRILL])
    assert (merger.type, merger.status, [p.name for p in merger.parties]) == ("merger", "agreed",
                                                                              ["Arden Group", "Brill Corp"])
    (sale,) = agreements("Arden Group said it reached an agreement in principle to sell its Brill Corp unit to "
                         "Corvin Energy for 40 mln dlrs.", entities=[ARDEN, BRILL, CORVIN])
    assert sale.type == "acquisition"
    assert sides(sale) == [("Arden Group", "seller"), ("Brill Corp", "target"), ("Corvin Energy", "acquirer")]


def test_a_dateline_left_in_the_sentence_is_neither_a_party_nor_the_date():
    (deal,) = extract_agreements(Article(paragraphs=[
        "LONDON, March 2 - <Arden Group> said it has entered into a conditional agreement to acquire the business "
        "and assets of <Brill Corp> for 14.5 mln dlrs."]), [ARDEN, BRILL, place("London")])
    assert sides(deal) == [("Arden Group", "acquirer"), ("Brill Corp", "target")]
    assert deal.date is None and deal.amount.value == 14_500_000


def test_who_approves_an_agreement_is_not_a_side_of_it():
    (deal,) = agreements("Arden Group agreed to buy Brill Corp.", "The deal was approved by the Velora Competition Board.",
                         "Velora Competition Board cleared the deal on Friday.",
                         entities=[ARDEN, BRILL, org("Velora Competition Board")])
    assert [p.name for p in deal.parties] == ["Arden Group", "Brill Corp"]

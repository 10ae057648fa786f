"""Agreements: the seed's three, acquisitions, plans, consensus, and one signing told twice."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SHARED, need_shared

from extractors.agreements import extract_agreements, to_contract
from extractors.agreements.amounts import find_money
from extractors.agreements.dates import find_dates, find_period
from extractors.records import article_facts
from extractors.sentences import split_spans
from extractors.text import parse_text
from schemas.agreements import Agreement
from schemas.article import Article, Dateline
from schemas.entities import Alias, Entity
from schemas.facts import ArticleText
from warehouse.db import connect
from warehouse.facts import save_facts

SEED = SHARED / "corpus" / "seed" / "cns-central-soes-tibet.txt"

SASAC = "State-owned Assets Supervision and Administration Commission of the State Council"
TIBET_GOV = "People's Government of the Tibet Autonomous Region"


def ent(kind: str, name: str, *aliases: str, **kw) -> Entity:
    return Entity(kind=kind, name=name, aliases=[Alias(text=a, kind="name") for a in aliases], **kw)


def published(article: Article, a: Agreement) -> list[str]:
    """Each evidence span read back from the text as published."""
    blocks = {"body": lambda i: article.body, "caption": lambda i: article.captions[i], "title": lambda i: article.title}
    return [blocks[e.span.block](e.span.index)[e.span.start : e.span.end] for e in a.evidence]


@pytest.fixture(scope="module")
def seed():
    """The worked example with the entities the pipeline finds in it (spaCy loads once)."""
    need_shared(SEED)
    from extractors.entities import extract_entities

    article = parse_text(SEED.read_text(encoding="utf-8"))
    entities = extract_entities(article)
    return article, entities, extract_agreements(article, entities)


def test_seed_gives_exactly_three_agreements(seed):
    article, _, agreements = seed
    assert [a.type for a in agreements] == ["memorandum", "cooperation_agreement", "joint_venture"]
    assert {a.status for a in agreements} == {"signed"}
    for a in agreements:
        assert len(a.evidence) == 2
        assert sorted(e.span.block for e in a.evidence) == ["body", "caption"]
        assert published(article, a) == [e.text for e in a.evidence]


def test_seed_memorandum(seed):
    memorandum = seed[2][0]
    assert [p.name for p in memorandum.parties] == [SASAC, TIBET_GOV]
    assert memorandum.period == "14th Five-Year Plan"
    assert memorandum.place == "Lhasa"
    assert memorandum.date is None  # "September 20" with no year: no year is guessed


def test_seed_collective_parties(seed):
    _, _, (_, cooperation, venture) = seed
    assert [(p.kind, p.count) for p in cooperation.parties] == [("collective", 15), ("organization", None)]
    assert "central enterprises" in cooperation.parties[0].name
    assert cooperation.parties[1].name == TIBET_GOV
    affiliates, tibetan = venture.parties
    assert (affiliates.count, affiliates.with_affiliates) == (8, True)
    assert "affiliated enterprises" in affiliates.name
    assert (tibetan.count, tibetan.with_affiliates) == (8, False)
    assert "Tibet Autonomous Region" in tibetan.name
    for words in ("joint ventures", "project development", "personnel exchanges"):
        assert words in venture.subject


def test_seed_agreements_stay_exactly_as_they_are(seed):
    rows = [(a.type, a.status, a.date, a.place, a.period, a.amount,
             [(p.name, p.kind, p.count, p.with_affiliates, p.role) for p in a.parties]) for a in seed[2]]
    assert rows == [
        ("memorandum", "signed", None, "Lhasa", "14th Five-Year Plan", None,
         [(SASAC, "organization", None, False, "signatory"), (TIBET_GOV, "organization", None, False, "signatory")]),
        ("cooperation_agreement", "signed", None, "Lhasa", None, None,
         [("15 central enterprises", "collective", 15, False, "signatory"),
          (TIBET_GOV, "organization", None, False, "signatory")]),
        ("joint_venture", "signed", None, "Lhasa", None, None,
         [("Eight state-owned enterprises and their affiliated enterprises", "collective", 8, True, "signatory"),
          ("eight state-owned enterprises in the Tibet Autonomous Region", "collective", 8, False, "signatory")]),
    ]


def test_parties_point_at_the_entities_of_the_article(seed):
    _, entities, agreements = seed
    ids = {e.id: e.name for e in entities}
    memorandum, cooperation, _ = agreements
    assert [ids[p.entity_id] for p in memorandum.parties] == [SASAC, TIBET_GOV]
    assert cooperation.parties[0].entity_id is None and ids[cooperation.parties[1].entity_id] == TIBET_GOV
    assert to_contract(agreements)[0]["parties"][0]["entity_id"] == memorandum.parties[0].entity_id


def test_seed_credits_and_dateline_are_never_parties(seed):
    _, entities, agreements = seed
    credited = {e.name for e in entities if e.credit} | {"China News Service", "Lhasa"}
    assert credited & {p.name for a in agreements for p in a.parties} == set()


def test_seed_contract_format(seed):
    rows = to_contract(seed[2])
    assert set(rows[0]) == {"type", "status", "parties", "date", "place", "period", "amount", "subject", "evidence"}
    assert rows[1]["parties"][0]["count"] == 15 and rows[0]["amount"] is None


WIRE = """3-MAR-1987 09:12:00.00
ACME AGREES TO BUY WIDGET MAKER
NEW YORK, March 3 - <Acme Industries Inc> said it has agreed
to acquire <Widget Co> from <Holding Group Plc> for 25.5 mln
dlrs in cash, subject to regulatory approval.
    Widget, based in Ohio, had sales of 40 mln dlrs in the year
ended June 1986, Acme said.
 REUTER
"""
WIRE_ENTITIES = [
    ent("organization", "Acme Industries Inc", "Acme"), ent("organization", "Widget Co", "Widget"),
    ent("organization", "Holding Group Plc"), ent("place", "New York"), ent("place", "Ohio"),
    ent("organization", "Reuters", "REUTER"),
]


def test_reuters_acquisition_with_amount():
    article = parse_text(WIRE)
    (deal,) = extract_agreements(article, WIRE_ENTITIES)
    assert (deal.type, deal.status) == ("acquisition", "agreed")
    assert [(p.name, p.role) for p in deal.parties] == [
        ("Acme Industries Inc", "acquirer"), ("Widget Co", "target"), ("Holding Group Plc", "seller")]
    assert (deal.amount.value, deal.amount.currency) == (25_500_000, "USD")
    assert deal.date is None  # the text does not say when it was agreed
    assert [e.span.block for e in deal.evidence] == ["title", "body"]
    assert deal.evidence[1].text.startswith("<Acme Industries Inc> said") and deal.evidence[1].text.endswith("approval.")


def test_planned_agreement_is_marked_planned():
    article = Article(paragraphs=[
        "Alpha Group plans to sign a strategic cooperation agreement with Beta Bank next week.",
        "Alpha Group and Beta Bank are in talks on a loan agreement worth 2 billion yuan.",
    ])
    entities = [ent("organization", "Alpha Group"), ent("organization", "Beta Bank")]
    agreements = extract_agreements(article, entities)
    assert agreements and {a.status for a in agreements} == {"planned"}
    assert agreements[0].type == "cooperation_agreement"
    assert [p.name for p in agreements[0].parties] == ["Alpha Group", "Beta Bank"]


@pytest.mark.parametrize("sentence", [
    "Both sides agreed to earnestly implement the important consensus reached by the leaders of the two countries.",
    "The two sides reached consensus on strengthening cooperation in trade and investment.",
    "He said the 1992 Consensus is the political foundation of cross-Strait relations.",
    "Wang called on China and India to cooperate and to resolve disputes through talks.",
    "The two sides did not sign a deal.",
    "They also agreed to have another round of meeting soon.",
])
def test_consensus_talks_and_calls_yield_no_agreement(sentence):
    article = Article(paragraphs=[sentence])
    entities = [ent("place", "China"), ent("place", "India")]
    assert extract_agreements(article, entities) == []


def test_nothing_in_a_meeting_report():
    text = ("China, India hold corps commander level meeting\n"
            "BEIJING, Nov. 8 (Xinhua) -- The meeting was held on Nov. 6 in Chushul. Both sides agreed to maintain "
            "dialogue and communication through military and diplomatic channels, said a joint press release.")
    article = parse_text(text)
    entities = [ent("place", "China"), ent("place", "India"), ent("place", "Beijing"), ent("place", "Chushul"),
                ent("organization", "Xinhua")]
    assert extract_agreements(article, entities) == []


def _report(lead: str, sentence: str) -> tuple[Article, list[Entity]]:
    article = parse_text(f"{lead} {sentence}", reference_date=dt.date(2021, 3, 5))
    entities = [ent("organization", "Northern Power Corp", "Northern Power"),
                ent("organization", "People's Government of Hubei Province", "Hubei provincial government"),
                ent("place", "Wuhan"), ent("place", "Hubei Province", "Hubei")]
    return article, entities


def test_two_articles_reporting_one_signing_are_one_agreement(tmp_path):
    a1, e1 = _report("WUHAN, March 4 (Xinhua) --", "Northern Power Corp signed a strategic cooperation agreement with "
                     "the People's Government of Hubei Province on Wednesday in Wuhan.")
    a2, e2 = _report("Wuhan, March 5 (CNS) --", "The Hubei provincial government and Northern Power inked a "
                     "strategic cooperation agreement on March 3.")
    (first,), (second,) = extract_agreements(a1, e1), extract_agreements(a2, e2)
    assert first.date == second.date == "2021-03-03"
    assert first.place == "Wuhan"
    later = second.model_copy(update={"date": "2021-09-03"})
    other = second.model_copy(update={"type": "joint_venture"})
    now = dt.datetime(2021, 3, 5, tzinfo=dt.UTC)
    reports = [("a1", a1, e1, [first]), ("a2", a2, e2, [second]), ("a3", a2, e2, [later]), ("a4", a2, e2, [other])]
    with connect(tmp_path / "w.duckdb") as con:
        save_facts(con, "run", [article_facts(ArticleText(url=u, article=a), e, g, None, "v1") for u, a, e, g in reports], now)
        rows = con.execute("select type, signed_on, list(distinct url order by url) from agreements join agreement_mentions using (agreement_id) "
                           "group by all order by all").fetchall()
    assert rows == [("cooperation_agreement", "2021-03-03", ["a1", "a2"]), ("cooperation_agreement", "2021-09-03", ["a3"]),
                    ("joint_venture", "2021-03-03", ["a4"])]


def test_caption_and_body_with_different_wordings_are_one_agreement():
    article = Article(
        paragraphs=["12 central enterprises and the People's Government of Hubei Province signed cooperation agreements."],
        captions=["The picture shows 12 state-owned enterprises and the provincial government signing agreements."],
    )
    entities = [ent("organization", "People's Government of Hubei Province", "the provincial government")]
    (a,) = extract_agreements(article, entities)
    assert [(p.name, p.count) for p in a.parties] == [("12 central enterprises", 12),
                                                       ("People's Government of Hubei Province", None)]
    assert [e.span.block for e in a.evidence] == ["body", "caption"]


def test_joint_venture_and_purchase_in_one_story():
    article = Article(title="FERRO SETS JOINT VENTURE", paragraphs=[
        "Ferro Corp said it has formed a joint venture with Paris-based Alsthom Group to export materials.",
        "Ferro also announced it has agreed to purchase CompositAir, a developer of materials, for an undisclosed sum.",
    ])
    entities = [ent("organization", "Ferro Corp", "Ferro"), ent("organization", "Alsthom Group"),
                ent("organization", "CompositAir"), ent("place", "Paris")]
    venture, purchase = extract_agreements(article, entities)
    assert venture.type == "joint_venture" and [p.name for p in venture.parties] == ["Ferro Corp", "Alsthom Group"]
    assert len(venture.evidence) == 2
    assert (purchase.type, purchase.status, purchase.amount) == ("acquisition", "agreed", None)
    assert [(p.name, p.role) for p in purchase.parties] == [("Ferro Corp", "acquirer"), ("CompositAir", "target")]


def test_deal_between_states_is_a_treaty():
    article = Article(title="Venezuela and China sign oil deal", paragraphs=[
        "The two countries will also continue a joint venture agreement to produce fuel."])
    entities = [ent("place", "Venezuela"), ent("place", "China")]
    treaty, venture = extract_agreements(article, entities)
    assert treaty.type == "treaty" and venture.type == "joint_venture"
    assert [p.name for p in venture.parties] == ["Venezuela", "China"]  # "the two countries"


@pytest.mark.parametrize("text, value, currency", [
    ("for 14.5 mln dlrs", 14_500_000, "USD"),
    ("worth 128.3 billion yuan (about 19 billion U.S. dollars)", 128_300_000_000, "CNY"),
    ("agrees $25bn Guidant deal", 25_000_000_000, "USD"),
    ("for 50 mln stg", 50_000_000, "GBP"),
    ("for 260 mln Australian dlrs", 260_000_000, "AUD"),
    ("a 12.5 mln dlr purchase", 12_500_000, "USD"),
    ("RMB 100 million", 100_000_000, "CNY"),
])
def test_amounts(text, value, currency):
    money = find_money(text)[0].amount
    assert (money.value, money.currency) == (value, currency)


def test_dates_only_where_the_text_fixes_them():
    ref = dt.date(2020, 11, 17)  # a Tuesday
    assert [d.value for d in find_dates("was held on Monday in Zhangjiajie", ref)] == ["2020-11-16"]
    assert [d.value for d in find_dates("was held on Monday in Zhangjiajie", None)] == [None]
    assert [d.value for d in find_dates("signed on the 25th", None)] == [None]
    assert [d.value for d in find_dates("In 2015, the two cities signed", None)] == ["2015"]
    assert [d.value for d in find_dates("signed on Nov. 16", ref)] == ["2020-11-16"]
    assert find_dates("the company said on Thursday it agreed", ref) == []
    assert find_dates("the ministry disclosed on Thursday it agreed", ref) == []  # any reporting verb of agreement_words.tsv
    # a reporting verb dates the report only as a verb: "States" and "states" before a date are nouns
    assert [d.value for d in find_dates("the United States on Monday signed a pact", ref)] == ["2020-11-16"]
    assert [d.value for d in find_dates("EU member states on Monday signed a pact", ref)] == ["2020-11-16"]
    assert find_dates("in the year ending June 1986", ref) == []
    assert find_period('during the "14th Five-Year Plan" period') == "14th Five-Year Plan"
    assert find_period("a three-year participation memorandum") == "3 years"


def test_sentences_keep_abbreviations_whole():
    text = "Acme Corp. said the U.S. unit signed on Nov. 17 a deal. The deal closes soon."
    assert [text[s:e] for s, e in split_spans(text)] == [
        "Acme Corp. said the U.S. unit signed on Nov. 17 a deal.", "The deal closes soon."]


def test_dateline_place_and_agency_are_not_parties():
    article = Article(paragraphs=["Guangdong Telecom signed a cooperation agreement with Xinhua in Shenzhen."],
                      dateline=Dateline(agency="Xinhua", place="Shenzhen", raw="SHENZHEN, May 2 (Xinhua) --"))
    entities = [ent("organization", "Guangdong Telecom"), ent("organization", "Xinhua", org_kind="media"),
                ent("place", "Shenzhen")]
    (a,) = extract_agreements(article, entities)
    assert [p.name for p in a.parties] == ["Guangdong Telecom"]
    assert a.place == "Shenzhen"

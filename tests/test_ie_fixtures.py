"""Entities and agreements on fresh texts written for generalization (tests/fixtures/ie): wire,
machine-translated, Reuters 1987 and BBC styles, and stories with no agreement at all.

The dev set is small enough to memorise; these texts were not tuned on one by one, so their
floors guard the general rules. Scored with the shared IE scorer, as the held-out set is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED, need_shared

from flows.extract import extract_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ie"
SCORER = SHARED / "bench" / "ie" / "score_ie.py"
# Micro-F1 reached on the fixtures, less a margin for harmless drift.
FLOORS = {"persons": 0.95, "organizations": 0.95, "places": 0.95, "person_titles": 0.9, "person_title_orgs": 0.8,
          "agreements": 0.9, "agreement_parties": 0.9, "agreement_dates": 0.9, "agreement_amounts": 0.9}


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return {p.stem: extract_file(p) for p in sorted(FIXTURES.glob("*.txt"))}


@pytest.fixture(scope="module")
def scores(records, tmp_path_factory) -> dict:
    need_shared(SCORER)
    out = tmp_path_factory.mktemp("ie-fixtures")
    for name, record in records.items():
        (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False))
    subprocess.run([sys.executable, str(SCORER), str(out), "--gold", str(FIXTURES), "--json", str(out / "scores.json")],
                   check=True, capture_output=True)
    return json.loads((out / "scores.json").read_text())["micro"]


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_micro_f1_floor(scores, field):
    assert scores[field]["f1"] >= FLOORS[field], scores[field]


# What the stories without an agreement may carry: a plan said as a plan, and nothing else. Listed, so that a
# consensus or a call read as a "planned" agreement fails here instead of passing as none (the scorer
# leaves planned agreements out).
PLANS = {"xinhua_talks_consensus": [("cooperation_agreement", "planned")], "bbc_carrick_talks": [],
         "reuters_northland_outlook": [], "peoplesdaily_boao_speech": [], "xinhua_sichuan_quake": []}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_talks_consensus_and_speeches_give_no_agreement(records, name):
    assert [(a["type"], a["status"]) for a in records[name]["agreements"]] == PLANS[name]
    assert all("hopes to sign" in a["evidence"][0] for a in records[name]["agreements"])


def test_reuters_acquisition_has_roles_and_dollar_amount(records):
    (deal,) = records["reuters_dalton_acquisition"]["agreements"]
    assert deal["type"] == "acquisition"
    assert {p["name"]: p["role"] for p in deal["parties"]} == {"Dalton Industries Inc": "acquirer",
                                                                "Meridian Tool Co": "target"}
    assert deal["amount"] == {"value": 32_500_000, "currency": "USD"}


def test_reuters_acquisition_agreed_not_signed(records):
    """The headline 'DALTON INDUSTRIES TO BUY MERIDIAN TOOL' tells a decided deal, never more than the body's 'agreed'."""
    (deal,) = records["reuters_dalton_acquisition"]["agreements"]
    assert deal["status"] == "agreed"


def test_headline_deal_for_a_company_is_the_acquisition_in_the_body(records):
    (deal,) = records["bbc_harrow_brightwell"]["agreements"]
    assert deal["type"] == "acquisition"
    assert deal["evidence"][:2] == ["Harrow Foods agrees £1.2bn deal for Brightwell Dairies",
                                    "Food group Harrow Foods has agreed to buy rival Brightwell Dairies for £1.2bn, "
                                    "creating the UK's second-largest dairy business."]
    assert deal["amount"] == {"value": 1.2e9, "currency": "GBP"}


def test_agreement_restated_by_its_signatories_is_one_row_with_their_place(records):
    (mou,) = records["xinhua_cnpc_mou"]["agreements"]
    assert [p["name"] for p in mou["parties"]] == ["China National Petroleum Corporation", "Samruk Energy Group"]
    assert mou["place"] == "Beijing" and mou["date"] == "2019-11-19"


def test_title_before_name_keeps_its_words_and_nationality(records):
    titles = {p["name"]: p["titles"] for p in records["xinhua_talks_consensus"]["persons"]}
    assert [(t["title"], t["organization"]) for t in titles["Wang Yi"]] == [("Foreign Minister", "China")]


def test_company_short_form_and_industry_head(records):
    orgs = {o["name"]: o for o in records["bbc_westline_merger"]["organizations"]}
    assert "Cardona" in orgs["Cardona Transport"]["aliases"] and "Westline" in orgs["Westline Rail"]["aliases"]
    assert not any(p["name"] == "Cardona" for p in records["bbc_westline_merger"]["places"])


def test_byline_agency_is_a_credit_not_part_of_the_name(records):
    record = records["peoplesdaily_boao_speech"]
    assert "Chen Lu" in [p["name"] for p in record["persons"]]
    assert "People's Daily" in [o["name"] for o in record["organizations"]]
    assert {"Boao", "Hainan"} <= {p["name"] for p in record["places"]}

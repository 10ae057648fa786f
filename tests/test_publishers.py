"""Publisher quirks live in one module per source, registered by host and agency (extractors.publishers)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from extractors.agencies import agency_name
from extractors.lead import split_sections
from extractors.publishers import REGISTRY, forms, scope
from extractors.text import parse_text

ROOT = Path(__file__).resolve().parents[1]
PD_DUMP = ("Port operators sign a cooperation pact ( Xinhua ) 09:56, November 18, 2020 The two ports signed a cooperation "
           "agreement on Tuesday, the ministry said.\n\nThe agreement runs for five years and covers training.")
BODY = "The ministry said the talks would continue next week in the capital."


def test_each_agency_a_publisher_declares_is_spelled_as_the_one_agency_list_spells_it():
    for publisher in REGISTRY:
        for name in publisher.agencies:
            assert agency_name(name) == name, (publisher.name, name)


def test_a_site_is_known_by_its_hosts_and_their_subdomains():
    assert scope("https://en.people.cn/n3/2020/1118/c90000.html") == "People's Daily"
    assert scope("https://www.reuters.com/world/x") == "Reuters"
    assert scope("https://notpeople.cn/a") == scope("https://news.example/a") == scope(None) == ""
    assert scope("http://[::1/broken") == ""  # a URL that does not parse is no registered site


def test_a_sites_page_header_is_read_on_its_site_and_in_texts_of_no_registered_site():
    for url in (None, "https://en.people.cn/n3/a.html", "http://127.0.0.1:8765/articles/a.txt"):
        a = parse_text(PD_DUMP, url=url)
        assert a.title == "Port operators sign a cooperation pact", url
        assert a.paragraphs[0].startswith("The two ports signed")
    # another registered publisher's site is not read for People's Daily's header
    assert parse_text(PD_DUMP, url="https://www.reuters.com/a").title is None
    assert forms("page_header", scope("https://www.reuters.com/a")) == ()


def test_a_wires_forms_are_read_wherever_its_copy_runs():
    # syndicated copy keeps its agency's sign-off and credits, on the agency's site and on any other
    for url in (None, "https://www.reuters.com/a", "https://en.people.cn/a", "https://news.example/a"):
        s = split_sections([BODY, "Visitors look at exhibits in the new hall. (Xinhua/Li Wei)", BODY, BODY, "REUTER"], url=url)
        assert s.end_markers == ["REUTER"] and s.credits == ["Li Wei"], url
        assert s.captions == ["Visitors look at exhibits in the new hall."]


def test_generic_extractors_ask_the_registry_and_never_import_a_source_by_name():
    sources = {p.stem for p in (ROOT / "extractors" / "publishers").glob("*.py")} - {"__init__", "base"}
    importing = re.compile(rf"from extractors\.publishers import [^\n]*\b(?:{'|'.join(sources)})\b|"
                           rf"extractors\.publishers\.(?:{'|'.join(sources)})\b")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "extractors").rglob("*.py")
                 if "publishers" not in p.parts and importing.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    # and every source module is registered: a module left out of REGISTRY would be dead code
    declared = [importlib.import_module(f"extractors.publishers.{name}").PUBLISHER for name in sorted(sources)]
    assert sorted(p.name for p in declared) == sorted(p.name for p in REGISTRY) and all(p in REGISTRY for p in declared)

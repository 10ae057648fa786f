"""Long pages: every page is analysed within a budget of length and time, and past it only a stated
part is read and the article says so; names are found again in sentences by one matcher per article."""

from __future__ import annotations

import html

import pytest
from conftest import FIXTURES

from extractors.agreements import extract_agreements
from extractors.agreements.finder import EntityFinder
from extractors.analysis import analyze, read_page
from extractors.budget import Budget, default_budget, within_budget
from schemas.article import Article, TextEdit
from schemas.entities import Alias, Entity

PARAGRAPHS = [line.strip() for path in sorted((FIXTURES / "ie").glob("*.txt"))
              for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 80]


def page(size: int) -> bytes:
    """An article page of about `size` bytes: the fixture stories' paragraphs one after another."""
    parts, n, i = ["<html><head><title>Deals of the week</title></head><body><article><h1>Deals of the week</h1>"], 0, 0
    while n < size:
        parts.append(f"<p>{html.escape(PARAGRAPHS[i % len(PARAGRAPHS)])}</p>\n")
        n += len(parts[-1])
        i += 1
    return ("".join(parts) + "</article></body></html>").encode()


def test_a_1mb_page_is_analysed_in_part_and_flagged():
    article, entities, agreements = read_page(page(1_000_000), "text/html")
    budget = default_budget()
    _, limit = within_budget(article, budget)
    assert len(article.body) > 900_000  # the text is kept whole
    assert [w for w in article.warnings if w.startswith("analysis limited")] == [limit.reason]
    assert "over the budget of 100,000" in limit.reason
    assert 0 < limit.analysed_chars <= budget.max_chars
    assert entities and agreements  # the part read is analysed as any article is
    spans = [m.span for e in entities for m in e.mentions] + [ev.span for a in agreements for ev in a.evidence]
    assert all(s.end <= limit.analysed_chars for s in spans if s.block == "body")


def test_a_page_within_the_budget_is_read_whole():
    article, _, agreements = read_page(page(20_000), "text/html")
    assert not any(w.startswith("analysis limited") for w in article.warnings) and agreements


def test_the_part_is_a_prefix_cut_at_a_sentence_end():
    article = Article(title="T", paragraphs=["First one. " * 30, "Second paragraph here. " * 10],
                      captions=["A caption."], edits=[TextEdit(start=3, end=8, replacement="x"),
                                                      TextEdit(start=400, end=405, replacement="y")])
    part, limit = within_budget(article, Budget(max_chars=100, max_sentence_chars=2000, seconds=60))
    assert part.paragraphs == ["First one. " * 8 + "First one."] and part.captions == []
    assert article.body.startswith(part.body) and [e.start for e in part.edits] == [3]
    assert limit.analysed_chars == len(part.body) == 98


def test_past_the_time_budget_no_agreement_is_read_and_the_article_is_flagged():
    article = Article(paragraphs=["Arden Group signed a supply contract with Brill Corp on Monday."])
    _, agreements, limit = analyze(article, Budget(max_chars=100_000, max_sentence_chars=2000, seconds=0))
    assert agreements == []
    assert limit is not None and "time budget" in limit.reason and "1 of 1 sentences not read" in limit.reason


def test_a_sentence_longer_than_the_budget_is_not_read_for_agreements():
    run_on = "Arden Group signed a supply contract with Brill Corp" + ", and more" * 300
    article = Article(paragraphs=[run_on])
    entities = [Entity(kind="organization", name="Arden Group"), Entity(kind="organization", name="Brill Corp")]
    assert extract_agreements(article, entities, max_sentence_chars=2000) == []
    assert len(extract_agreements(article, entities, max_sentence_chars=5000)) == 1


@pytest.mark.parametrize("text, found", [
    ("Acme Co. Ltd. signed with Acme.", ["Acme Co. Ltd.", "Acme"]),  # every form; the longer one wins
    ("Acme-based firms and AcmeSoft", []),  # never inside a hyphenated or longer word
    ("ACME CO. LTD. BUYS BETA", ["ACME CO. LTD."]),  # a shouted headline, case-blind for long forms
    ("Acme  Co.\nLtd. agreed", ["Acme  Co.\nLtd."]),  # any whitespace between words
    ("AcmeCo. Ltd.", []),  # no space where the form has one
])
def test_names_found_again_by_every_form(text, found):
    acme = Entity(kind="organization", name="Acme Co. Ltd.", aliases=[Alias(text="Acme", kind="short_form")])
    named = EntityFinder([acme]).find(text)
    assert [text[n.start : n.end] for n in named] == found
    assert all(n.entity is acme for n in named)

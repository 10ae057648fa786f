"""Every cookbook query of docs/warehouse.md answers its question on the demo warehouse; the demo keeps search and the snapshot current.

The queries are read from the page itself, so the documentation and this test cannot drift.
"""

import datetime as dt
import re
from pathlib import Path

import pytest

from warehouse.db import connect, snapshot_path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "warehouse.md"


def cookbook() -> list[tuple[str, str]]:
    """(question, sql) for each `### question` of the Cookbook section and the first sql block under it."""
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^### (.+?)\n.*?```sql\n(.*?)```", text[text.index("## Cookbook"):], re.S | re.M)


@pytest.fixture(scope="module")
def demo(demo_warehouse):
    return demo_warehouse


ANY = object()  # any value in this column
TIBET_GOV = "People's Government of the Tibet Autonomous Region"
SASAC = "State-owned Assets Supervision and Administration Commission of the State Council"
# For each question of the page, the answer a reader checks on the bundled sample: a row of the
# result must start with these values.
EXPECTED = {
    "Agreements signed per month, by type": ("2021-09", "memorandum", 1),
    "Every agreement of one organization, with its counterparties": (None, "memorandum", "14th Five-Year Plan", TIBET_GOV),
    "Which agreements did the People's Government of the Tibet Autonomous Region sign, with whom, when?":
        (None, "cooperation_agreement", "Lhasa", None, "15 central enterprises", 1),
    "Organizations most often signing together": ("Coloroll Group Plc", "Wallco Inc", 1, ["acquisition"]),
    "The sentences that state each agreement (captions corroborate)": (ANY, "memorandum", f"{SASAC}; {TIBET_GOV}", "caption"),
    "People who held a secretary's post, over time": ("Wu Yingjie", "secretary", "Party Committee of the Tibet Autonomous Region"),
    "Who held which post according to the news at the end of 2025": ("Hugo Chavez", "president", "Venezuela"),
    "Articles mentioning two given entities": ("Central enterprises and state-owned enterprises help Tibet's high-quality development",),
    "Every mention of an entity, with its sentence": (
        "Central enterprises and state-owned enterprises help Tibet's high-quality development", ANY, "Hao Peng", "body"),
    "Entities known under several names": ("person", "Gonggar Laisong", ["Gongga Laisong", "Gonggar Laisong"], 1),
    "Reporters and photographers": ("reporter", "Ran Wenjuan", 1),
    "Feeds ranked by rejects": ("sample-rss", 1, ["not found (404)"]),
    "Rejects by stage and reason, with the total": ("fetch", "not found (404)", 1),
    "Articles per feed per day": ("sample-rss", dt.date(2021, 9, 20), 1),
    "Articles by dateline place and agency": ("Lhasa", "China News Service", 1, dt.date(2021, 9, 20)),
    "Full-text search from SQL, with the agreements each hit reports": (
        "Central enterprises and state-owned enterprises help Tibet's high-quality development",),
    "Search: every word must match (the default)": ("Central enterprises and state-owned enterprises help Tibet's high-quality development",),
    "Search: an exact phrase, with the stretch of text it stands in": ("Hubei, central enterprises ink strategic cooperation agreements",),
    "Search: either word": ("Venezuela and China sign oil deal",),
    "Search: one word without another": ("Coloroll agrees to buy U.S. wallcoverings company",),
    "Search: words that begin alike": ("China, Italy cities cooperate to protect World Heritage Sites",),
    "How search reads a text and a query": (
        ["双方", "方签", "签署", "署了", "了合", "合作", "作备", "备忘", "忘录", "people", "government", "signed", "mous"],
        [["joint", "venture"], ["merger"], ["oil"], ["cooperat"]]),
    "The raw page behind an article": ("Venezuela and China sign oil deal", "http://sample.newsflow.test/articles/venezuela-china-oil.html"),
}


def _starts(row: tuple, expected: tuple) -> bool:
    return len(row) >= len(expected) and all(e is ANY or r == e for r, e in zip(row, expected, strict=False))


def test_every_question_of_the_page_has_its_answer_here():
    assert [q for q, _ in cookbook()] == list(EXPECTED)


@pytest.mark.parametrize("question, sql", cookbook(), ids=[q for q, _ in cookbook()])
def test_cookbook_query_answers_its_question_on_the_demo(demo, question, sql):
    with connect(demo, read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert any(_starts(row, EXPECTED[question]) for row in rows), (question, rows[:5])


def test_the_demo_indexes_every_article_and_publishes_a_snapshot(demo):
    with connect(demo, read_only=True) as con:
        assert con.execute("select count(*) from articles except select count(*) from search_docs").fetchall() == []
        best = con.execute("select title from search_articles('memorandum Tibet') limit 1").fetchone()[0]
    assert "Tibet" in best
    with connect(snapshot_path(demo), read_only=True, wait=0) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 6

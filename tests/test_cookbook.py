"""Every cookbook query of docs/warehouse.md returns rows on the demo warehouse; the demo keeps search and the snapshot current.

The queries are read from the page itself, so the documentation and this test cannot drift.
"""

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


def test_the_cookbook_has_at_least_twelve_questions():
    assert len(cookbook()) >= 12


@pytest.mark.parametrize("question, sql", cookbook(), ids=[q for q, _ in cookbook()])
def test_cookbook_query_returns_rows_on_the_demo(demo, question, sql):
    with connect(demo, read_only=True) as con:
        assert con.execute(sql).fetchall(), question


def test_the_demo_indexes_every_article_and_publishes_a_snapshot(demo):
    with connect(demo, read_only=True) as con:
        assert con.execute("select count(*) from articles except select count(*) from search_docs").fetchall() == []
        best = con.execute("select title from search_articles('memorandum Tibet') limit 1").fetchone()[0]
    assert "Tibet" in best
    with connect(snapshot_path(demo), read_only=True, wait=0) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 6

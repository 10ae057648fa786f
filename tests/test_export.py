"""Exports: every table and view, in Parquet (articles by month), CSV and JSON lines, reading back the same counts."""

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from schemas import Agreement, Article, Entity, Evidence, Party, Span, StoredArticle
from warehouse import load, search
from warehouse.db import connect, transaction
from warehouse.export import objects
from warehouse.facts import save_facts

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
READERS = {"parquet": "read_parquet", "csv": "read_csv", "jsonl": "read_json"}


@pytest.fixture
def warehouse(db_path):
    """Three articles in two months and one undated, with an agreement between two organizations."""
    orgs = [Entity(kind="organization", name=n) for n in ("Coloroll", "Wallco Inc")]
    deal = Agreement(type="acquisition", status="agreed", parties=[Party(name="Coloroll"), Party(name="Wallco Inc")],
                     evidence=[Evidence(text="Coloroll agrees to buy Wallco.", span=Span(block="body", start=0, end=30))])
    items = [
        StoredArticle(url=f"http://a.test/{i}", raw_sha256="ab" * 32,
                      article=Article(title=f"T{i}", paragraphs=["Coloroll agrees to buy Wallco."], published_at=when),
                      entities=orgs, agreements=[deal])
        for i, when in enumerate([dt.datetime(2021, 9, 20, tzinfo=dt.UTC), dt.datetime(2021, 10, 1, tzinfo=dt.UTC), None])
    ]
    with connect(db_path) as con, transaction(con):
        load.save_articles(con, "r", "v", items, NOW)
        save_facts(con, "r", items, NOW)
        search.index(con, [s.url for s in items], NOW)
    return db_path


def _counts(db_path) -> dict[str, int]:
    with connect(db_path, read_only=True) as con:
        return {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in objects(con)}


def _read_back(out, fmt) -> dict[str, int]:
    con, counts = duckdb.connect(), {}
    for f in out.iterdir():
        source = f"read_parquet('{f}/**/*.parquet', hive_partitioning = true)" if f.is_dir() else f"{READERS[fmt]}('{f}')"
        counts[f.name.removesuffix(f".{fmt}")] = con.execute(f"select count(*) from {source}").fetchone()[0]
    return counts


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_every_table_and_view_round_trips(warehouse, tmp_path, fmt):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(out), "--format", fmt, "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    expected = _counts(warehouse)
    assert {"articles", "agreement_view", "article_view", "search_postings"} <= expected.keys()
    assert expected["articles"] == 3 and expected["agreement_view"] == 1
    written = {name: rows for name, rows in expected.items() if rows}  # an empty table writes no Parquet partition
    assert {k: v for k, v in _read_back(out, fmt).items() if v} == written


def test_parquet_articles_are_partitioned_by_publication_month(warehouse, tmp_path):
    CliRunner().invoke(main, ["export", str(tmp_path), "--db", str(warehouse)])
    months = sorted(p.name for p in (tmp_path / "articles").iterdir())
    assert months == ["published_month=2021-09", "published_month=2021-10", "published_month=unknown"]
    rows = duckdb.sql(f"select url, published_month from read_parquet('{tmp_path}/articles/**/*.parquet', hive_partitioning = true) "
                      "order by url").fetchall()
    assert rows == [("http://a.test/0", "2021-09"), ("http://a.test/1", "2021-10"), ("http://a.test/2", "unknown")]

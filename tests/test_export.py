"""Exports: every user-facing table and view, in Parquet (articles by month), CSV and JSON lines; never a user's file lost."""

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner

from extractors.records import article_facts, stored_article
from flows.cli import main
from schemas import Agreement, Article, ArticleText, Entity, Evidence, Party, Span
from warehouse import load, search
from warehouse.catalog import INTERNAL, objects
from warehouse.db import connect, transaction
from warehouse.export import MANIFEST
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
        stored_article(f"http://a.test/{i}", "ab" * 32, Article(title=f"T{i}", paragraphs=["Coloroll agrees to buy Wallco."], published_at=when))
        for i, when in enumerate([dt.datetime(2021, 9, 20, tzinfo=dt.UTC), dt.datetime(2021, 10, 1, tzinfo=dt.UTC), None])
    ]
    with connect(db_path) as con, transaction(con):
        load.save_articles(con, "r", "v", items, NOW)
        save_facts(con, "r", [article_facts(ArticleText(url=s.url, article=s.article), orgs, [deal], None, "v") for s in items], NOW)
        search.index(con, [s.url for s in items], NOW)
    return db_path


def _counts(db_path, internal=False) -> dict[str, int]:
    with connect(db_path, read_only=True) as con:
        return {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in objects(con, internal)}


def _read_back(out, fmt) -> dict[str, int]:
    con, counts = duckdb.connect(), {}
    for f in out.iterdir():
        if f.name == MANIFEST:
            continue
        source = f"read_parquet('{f}/**/*.parquet', hive_partitioning = true)" if f.is_dir() else f"{READERS[fmt]}('{f}')"
        counts[f.name.removesuffix(f".{fmt}")] = con.execute(f"select count(*) from {source}").fetchone()[0]
    return counts


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_every_table_and_view_round_trips(warehouse, tmp_path, fmt):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(out), "--format", fmt, "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    expected = _counts(warehouse)
    assert {"articles", "agreement_view", "article_view", "runs", "rejects"} <= expected.keys() and not INTERNAL & expected.keys()
    assert expected["articles"] == 3 and expected["agreement_view"] == 1
    written = {name: rows for name, rows in expected.items() if rows}  # an empty table writes no Parquet partition
    assert {k: v for k, v in _read_back(out, fmt).items() if v} == written


def test_parquet_articles_are_partitioned_by_publication_month(warehouse, tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["export", str(out), "--db", str(warehouse)]).exit_code == 0
    months = sorted(p.name for p in (out / "articles").iterdir())
    assert months == ["published_month=2021-09", "published_month=2021-10", "published_month=unknown"]
    rows = duckdb.sql(f"select url, published_month from read_parquet('{out}/articles/**/*.parquet', hive_partitioning = true) "
                      "order by url").fetchall()
    assert rows == [("http://a.test/0", "2021-09"), ("http://a.test/1", "2021-10"), ("http://a.test/2", "unknown")]


def test_internal_tables_only_on_request(warehouse, tmp_path):
    result = CliRunner().invoke(main, ["export", str(tmp_path / "all"), "--format", "csv", "--internal", "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    written = {f.name for f in (tmp_path / "all").iterdir()}
    assert {"search_postings.csv", "schema_migrations.csv", "articles.csv"} <= written


def test_a_folder_with_files_is_refused_and_force_never_touches_what_newsflow_did_not_write(warehouse, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    notes = out / "notes.txt"
    notes.write_text("mine")
    runner = CliRunner()
    refused = runner.invoke(main, ["export", str(out), "--db", str(warehouse)])
    assert refused.exit_code == 2 and "is not empty" in refused.output and "--force" in refused.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]

    first = runner.invoke(main, ["export", str(out), "--db", str(warehouse), "--force"])
    assert first.exit_code == 0, first.output
    stale = out / "articles" / "published_month=2021-09" / "user-file.parquet"
    stale.write_text("mine too")
    again = runner.invoke(main, ["export", str(out), "--db", str(warehouse), "--force"])
    assert again.exit_code == 2 and "user-file.parquet was not written by newsflow export" in again.output
    stale.unlink()

    with connect(warehouse) as con:
        con.execute("update articles set published_at = timestamptz '2022-01-05 00:00:00+00' where url = 'http://a.test/0'")
    again = runner.invoke(main, ["export", str(out), "--db", str(warehouse), "--force"])
    assert again.exit_code == 0, again.output
    months = sorted(p.name for p in (out / "articles").iterdir())
    assert months == ["published_month=2021-10", "published_month=2022-01", "published_month=unknown"]  # the old month is gone
    assert notes.read_text() == "mine"


def test_a_users_file_where_an_export_would_go_is_never_overwritten(warehouse, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "articles.csv").write_text("mine")
    result = CliRunner().invoke(main, ["export", str(out), "--format", "csv", "--force", "--db", str(warehouse)])
    assert result.exit_code == 2 and "articles.csv was not written by newsflow export" in result.output
    assert (out / "articles.csv").read_text() == "mine" and sorted(p.name for p in out.iterdir()) == ["articles.csv"]

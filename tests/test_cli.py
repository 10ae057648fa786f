"""The command line a user types: help on every command, `sql` output formats, `extract`."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from warehouse.db import connect

PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.mark.parametrize("command", [c for c in main.commands] + ["entities show", "entities merge", "entities split"])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.fixture
def small_db(db_path):
    with connect(db_path) as con:
        con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/x', 'not found (404)', NULL, NULL, 'r', now(), now(), 1)")
    return str(db_path)


def test_sql_prints_table_csv_and_json(small_db):
    runner = CliRunner()
    q = "select stage, reason from rejects"
    table = runner.invoke(main, ["sql", q, "--db", small_db])
    assert "not found (404)" in table.output and "(1 row)" in table.output
    csv = runner.invoke(main, ["sql", q, "--db", small_db, "--format", "csv"])
    assert csv.output.splitlines() == ["stage,reason", "fetch,not found (404)"]
    js = runner.invoke(main, ["sql", q, "--db", small_db, "--format", "json"])
    assert json.loads(js.output) == [{"stage": "fetch", "reason": "not found (404)"}]


def test_sql_errors_are_one_clear_line(small_db, tmp_path):
    bad = CliRunner().invoke(main, ["sql", "select nope from rejects", "--db", small_db])
    assert bad.exit_code == 1 and "nope" in bad.output and "Traceback" not in bad.output
    missing = CliRunner().invoke(main, ["sql", "select 1", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "newsflow demo" in missing.output


def test_extract_prints_the_contract_for_a_page(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(PAGES / "seed-figures.html"), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record) >= {"source", "article", "persons", "organizations", "places", "agreements"}
    a = record["article"]
    assert a["dateline"] == {"agency": "China News Service", "place": "Lhasa", "date": "2021-09-20"}
    assert len(a["captions"]) == 5 and a["body"] == "\n\n".join(a["paragraphs"])


def test_extract_reads_plain_text_and_reports_unusable_files(tmp_path):
    text = tmp_path / "wire.txt"
    text.write_text("BEIJING, Nov. 19 (Xinhua) -- China and Chile signed a trade agreement on Tuesday.\n")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["extract", str(text), str(empty), "--format", "jsonl"])
    first, second = map(json.loads, result.output.splitlines())
    assert first["article"]["dateline"]["agency"] == "Xinhua"
    assert first["article"]["body"].startswith("China and Chile signed")
    assert second["article"] is None and second["error"] == "empty body"

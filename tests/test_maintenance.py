"""Upkeep of the warehouse file: compaction gives back DuckDB's free blocks and never loses the warehouse,
and the upkeep after a run publishes the snapshot in a process of its own."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from warehouse import maintenance
from warehouse.compact import Space, compact, space
from warehouse.copies import private_copy
from warehouse.db import connect, snapshot_path

ROOT = Path(__file__).resolve().parents[1]


def runs(db: Path, n: int = 8, rows: int = 200) -> None:
    """Loads as flows make them: one transaction per batch, the file closed after each (a checkpoint)."""
    for _ in range(n):
        with connect(db) as con:
            con.execute("INSERT INTO raw_documents SELECT uuid()::VARCHAR, 'http://a.test/' || i, NULL, 200, 'text/html', '{}', now(), "
                        "10000, encode(repeat(md5(i::VARCHAR), 320)), 'zstd' FROM range(?) t(i)", [rows])
            con.execute("INSERT INTO entities (kind, name, first_seen_at) SELECT 'person', 'P' || i, now() FROM range(20) t(i)")
            con.execute("INSERT INTO rejects SELECT 'fetch', 'http://a.test/' || uuid(), 'x', NULL, NULL, 'r', now(), now(), 1 FROM range(50)")


def counts(db: Path) -> dict[str, int]:
    with connect(db, read_only=True, wait=5) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}


@pytest.fixture
def db(db_path):
    """Eight loads, then the raw pages of the first seven deleted: loads leave each load's rows in a row group of
    its own (`warehouse.db.LOADS`), so these deletes free blocks, as deleting the articles of whole loads would."""
    runs(db_path)
    with connect(db_path) as con:
        con.execute("DELETE FROM raw_documents WHERE fetched_at < (SELECT max(fetched_at) FROM raw_documents)")
    return db_path


def test_compaction_gives_back_the_free_blocks_and_keeps_every_row_sequence_view_and_format(db):
    before, rows = space(db), counts(db)
    assert before.free_share > 0.2, before
    with connect(db, read_only=True) as con:
        table_sql = con.execute("select sql from duckdb_tables() where table_name = 'raw_documents'").fetchone()[0]
        last_id = con.execute("select max(entity_id) from entities").fetchone()[0]
    done = compact(db)
    after = space(db)
    assert done.replaced and after.file_bytes == done.after < done.before == before.file_bytes
    assert after.free_share < 0.05 and counts(db) == rows
    with connect(db) as con:
        version = con.execute("select tags['storage_version'] from duckdb_databases() where database_name = current_database()").fetchone()[0]
        assert version == "v2.0.0+"
        assert con.execute("select sql from duckdb_tables() where table_name = 'raw_documents'").fetchone()[0] == table_sql  # still uncompressed
        new_id = con.execute("insert into entities (kind, name, first_seen_at) values ('person', 'New', now()) returning entity_id").fetchone()[0]
        assert new_id > last_id  # sequences go on where they were
        assert con.execute("select search_tokens('Companies of Lhasa')").fetchone()[0] == ["company", "lhasa"]
        assert con.execute("select count(*) from article_view").fetchone()[0] == 0
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_flow_that_writes_while_the_copy_is_compacted_keeps_its_writes(db):
    with private_copy(db) as source:
        with connect(db) as con:  # a batch commits after the copy was made
            con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/late', 'x', NULL, NULL, 'r', now(), now(), 1)")
        done = compact(db, source=source)
    assert not done.replaced
    with connect(db, read_only=True) as con:
        assert con.execute("select count(*) from rejects where url = 'http://a.test/late'").fetchone()[0] == 1


COMPACT = "import sys; from warehouse.compact import compact; compact(sys.argv[1])"


def test_a_compaction_killed_at_any_moment_leaves_a_whole_warehouse_and_its_files_go_with_the_next(db):
    rows = counts(db)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-c", COMPACT, str(db)], cwd=ROOT, check=True, timeout=120)
    whole, left = time.monotonic() - t0, set()
    for share in (0.4, 0.6, 0.75, 0.85, 0.95):  # python's start, the copy, the rewrite, the rename
        runs(db, n=1)  # new rows, so each compaction has work
        rows = counts(db)
        proc = subprocess.Popen([sys.executable, "-c", COMPACT, str(db)], cwd=ROOT)
        time.sleep(whole * share)
        proc.kill()
        proc.wait()
        left |= {p.name.rsplit(".", 1)[-1] for p in db.parent.iterdir() if p.name.startswith(".")}
        assert counts(db) == rows
    assert {"copy", "compact"} & left  # some kills landed mid-way
    assert compact(db).replaced and counts(db) == rows
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_the_upkeep_after_runs_catches_up_with_the_last_run_and_says_what_it_did(db):
    maintenance.after_run(db)
    with connect(db) as con:  # the next run ends while the first upkeep may still be at work
        con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/last', 'x', NULL, NULL, 'r', now(), now(), 1)")
    maintenance.after_run(db)
    maintenance.wait()
    with connect(snapshot_path(db), read_only=True, wait=0) as con:
        assert con.execute("select count(*) from rejects where url = 'http://a.test/last'").fetchone()[0] == 1
    lines = maintenance.log_path(db).read_text().splitlines()
    assert lines and all("snapshot published in" in line and "no compaction" in line for line in lines), lines
    assert "; storage v1.4.0; base made)" in lines[0] and all(" groups of rows changed)" in line for line in lines[1:]), lines
    base = f".{snapshot_path(db).name}.base"  # the snapshot in DuckDB 1.4's format, kept to bring up to date (warehouse.refresh)
    assert {p.name for p in db.parent.iterdir()} == {db.name, snapshot_path(db).name, maintenance.log_path(db).name, f".{db.name}.upkeep.lock",
                                                      base, base + ".catalog", f".{snapshot_path(db).name}.lock"}


def test_an_upkeep_pass_compacts_when_enough_of_the_file_is_free(db, monkeypatch):
    assert maintenance.due(Space(2**30, 2**18, 100, 60)) and not maintenance.due(Space(2**30, 2**18, 100, 50))
    assert not maintenance.due(Space(2**20, 2**18, 4, 3))  # a small file is left as it is
    monkeypatch.setattr(maintenance, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(maintenance, "COMPACT_FREE", 0.2)  # what this small warehouse has free
    line = maintenance.one_pass(db)
    assert "snapshot published" in line and "; compacted " in line, line
    assert space(db).free_share < 0.05


def test_compact_command_says_what_it_gave_back_and_leaves_a_tidy_file_alone(db):
    out = CliRunner().invoke(main, ["compact", "--db", str(db), "--if-free", "0.99"])
    assert out.exit_code == 0 and "free, under 99%: left as it is" in out.output, out.output
    out = CliRunner().invoke(main, ["compact", "--db", str(db)])
    assert out.exit_code == 0 and out.output.startswith(f"compacted {db}: ") and "readers and writers waited" in out.output, out.output

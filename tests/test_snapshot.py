"""The published snapshot: DuckDB 1.4's storage format, real errors in one line, no partial copy left behind."""

import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import warehouse.db
import warehouse.refresh
import warehouse.snapshot
from flows.cli import main
from schemas.errors import WarehouseError
from warehouse.copies import clean_stale, temp_path
from warehouse.db import connect, snapshot_path
from warehouse.snapshot import PARTIAL, STORAGE_VERSION, publish

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(db_path):
    with connect(db_path) as con:
        con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/x', 'not found (404)', NULL, NULL, 'r', now(), now(), 1)")
    return db_path


def storage(path) -> str:
    with connect(path, read_only=True, wait=0) as con:
        return con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal AND database_name <> 'temp'").fetchone()[0]


def test_the_snapshot_is_in_the_storage_format_of_duckdb_1_4_and_has_everything(db):
    path = publish(db)
    assert STORAGE_VERSION == "v1.4.0" and storage(path) == "v1.4.0+" and storage(db) == "v2.0.0+"
    with connect(path, read_only=True, wait=0) as con:
        assert con.execute("select count(*) from rejects").fetchone()[0] == 1
        assert con.execute("select count(*) from article_view").fetchone()[0] == 0  # views
        assert con.execute("select search_tokens('Companies of Lhasa')").fetchone()[0] == ["company", "lhasa"]  # macros
        assert con.execute("select count(*) from search_compat_map").fetchone()[0] > 3000  # the tables macros read


DIES_BEFORE_ITS_CHECKPOINT = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SET checkpoint_threshold = '1TB'")
con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/y', 'timed out', NULL, NULL, 'r', now(), now(), 1)")
os._exit(0)
"""


def test_in_the_warehouses_own_storage_version_the_snapshot_is_its_bytes_with_a_dead_writers_log_replayed(db, monkeypatch):
    subprocess.run([sys.executable, "-c", DIES_BEFORE_ITS_CHECKPOINT, str(db)], check=True, timeout=60)
    assert warehouse.db.wal(db).exists()
    monkeypatch.setattr(warehouse.refresh, "copy_database", lambda *a, **k: pytest.fail("rewritten, not copied"))
    path = publish(db, storage="v2.0.1")  # DuckDB 2.0.1 and later read the warehouse's v2.0.0 as it is
    assert storage(path) == "v2.0.0+"
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, warehouse.db.wal(db).name, path.name, f".{path.name}.lock"])  # no log
    with connect(path, read_only=True, wait=0) as con:
        assert con.execute("select count(*) from rejects").fetchone()[0] == 2
        assert con.execute("select search_tokens('Companies of Lhasa')").fetchone()[0] == ["company", "lhasa"]


def test_the_snapshot_storage_version_is_a_setting_the_upkeep_reads_and_a_bad_one_is_named_in_one_line(db, monkeypatch):
    from warehouse import maintenance

    monkeypatch.setenv("NEWSFLOW_SNAPSHOT_STORAGE", "v2.0.0")
    assert "(warehouse held " in (line := maintenance.one_pass(db)) and "; storage v2.0.0)" in line and storage(snapshot_path(db)) == "v2.0.0+"
    monkeypatch.delenv("NEWSFLOW_SNAPSHOT_STORAGE")
    for given in ("v9.0.0", "1.4"):
        said = f"--snapshot-storage must be a DuckDB storage version this DuckDB writes, such as v1.4.0 or v2.0.0 (got '{given}')"
        result = CliRunner().invoke(main, ["snapshot", "--db", str(db), "--snapshot-storage", given])
        assert result.exit_code == 2 and result.output.count("\n") == 1 and said in result.output, result.output
    monkeypatch.setenv("NEWSFLOW_SNAPSHOT_STORAGE", "v9.0.0")
    result = CliRunner().invoke(main, ["ingest", "--db", str(db), "--feeds", "nowhere.toml"])
    assert result.exit_code == 2 and "NEWSFLOW_SNAPSHOT_STORAGE must be a DuckDB storage version" in result.output  # before any run
    monkeypatch.delenv("NEWSFLOW_SNAPSHOT_STORAGE")
    assert storage(snapshot_path(db)) == "v2.0.0+"  # the snapshot before them stays


def contents(path) -> dict[str, list]:
    """Every row of every table, in order, and every sequence's last value."""
    with connect(path, read_only=True, wait=0) as con:
        names = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1").fetchall()]
        rows = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in names}
        rows["sequences"] = con.execute("SELECT sequence_name, last_value FROM duckdb_sequences() ORDER BY 1").fetchall()
    return rows


def test_an_older_storage_versions_snapshot_is_brought_up_to_date_by_the_rows_that_changed(demo_warehouse, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse, db)
    publish(db)
    with connect(db) as con:
        first, second, third = [u for (u,) in con.execute("SELECT url FROM articles ORDER BY url LIMIT 3").fetchall()]
        con.execute("UPDATE articles SET title = title || ' (corrected)' WHERE url = ?", [first])  # a row of a keyed table changes
        con.execute("DELETE FROM article_blocks WHERE url = ? AND kind = 'paragraph' AND seq = 0", [first])  # a table without a key
        con.execute("INSERT INTO article_blocks SELECT * FROM article_blocks WHERE url = ? ORDER BY ALL LIMIT 1", [second])  # a twin row
        con.execute("UPDATE articles SET warnings = CASE WHEN warnings IS NULL THEN [] END, "  # NULL and [] look alike to `hash`
                    "edits = CASE WHEN edits IS NULL THEN [] END WHERE url = ?", [third])
        con.execute("DELETE FROM entity_aliases WHERE entity_id = (SELECT min(entity_id) FROM entities)")
        con.execute("DELETE FROM entities WHERE entity_id = (SELECT min(entity_id) FROM entities)")  # a keyed row goes
        con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/new', 'timed out', NULL, NULL, 'r', now(), now(), 1)")
        con.execute("SELECT nextval('judgement_seq') FROM range(7)").fetchall()  # sequences move on
    monkeypatch.setattr(warehouse.refresh, "copy_database", lambda *a, **k: pytest.fail("rewritten, not brought up to date"))
    path = publish(db)
    assert storage(path) == "v1.4.0+"
    assert contents(path) == contents(db)
    with connect(path, read_only=True, wait=0) as con:
        assert con.execute("SELECT title FROM article_view WHERE url = ?", [first]).fetchone()[0].endswith(" (corrected)")  # views read it


def test_the_snapshots_base_is_made_again_when_the_warehouses_catalog_changed_or_it_does_not_open_or_update(db, monkeypatch):
    publish(db)
    made = []
    monkeypatch.setattr(warehouse.refresh, "copy_database", lambda *a, plain=warehouse.refresh.copy_database: made.append(1) or plain(*a))
    with connect(db) as con:
        con.execute("CREATE VIEW fetch_rejects AS SELECT url FROM rejects WHERE stage = 'fetch'")  # a migration, or a user's view
    with connect(publish(db), read_only=True, wait=0) as con:
        assert con.execute("SELECT count(*) FROM fetch_rejects").fetchone()[0] == 1 and made == [1]
    with connect(db) as con:
        con.execute("COMMENT ON TABLE rejects IS 'what could not be fetched, parsed or analysed'")
    with connect(publish(db), read_only=True, wait=0) as con:
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'rejects'").fetchone()[0].startswith("what") and len(made) == 2
    base = warehouse.refresh.base_path(snapshot_path(db))
    base.write_bytes(b"not a database" * 100)
    with connect(db) as con:
        con.execute("DELETE FROM rejects")
    with connect(publish(db), read_only=True, wait=0) as con:
        assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0 and len(made) == 3
    publish(db)
    assert len(made) == 3  # brought up to date, not made again

    def out_of_memory(*a):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    with connect(db) as con:
        con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/z', 'timed out', NULL, NULL, 'r', now(), now(), 1)")
    with monkeypatch.context() as m:
        m.setattr(warehouse.refresh, "_update_table", out_of_memory)
        assert contents(publish(db)) == contents(db) and len(made) == 4  # an update that fails is a rebuild

    def disk_full(source, target, storage):
        Path(target).write_bytes(b"half a database")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warehouse.refresh, "copy_database", disk_full)
    base.write_bytes(b"not a database")
    before = snapshot_path(db).read_bytes()
    with pytest.raises(WarehouseError, match=f"cannot publish the snapshot {snapshot_path(db)}: the disk is full"):
        publish(db)
    assert snapshot_path(db).read_bytes() == before and not base.exists() and not list(db.parent.glob(".*.catalog"))


HOLDS_THE_SNAPSHOT = """
import sys, time
from pathlib import Path
from warehouse.snapshot import publishing
with publishing(sys.argv[1], Path(sys.argv[2])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_publishers_of_a_snapshot_take_turns_and_one_that_waits_too_long_says_so(db, monkeypatch):
    from warehouse import maintenance

    holder = subprocess.Popen([sys.executable, "-c", HOLDS_THE_SNAPSHOT, str(db), str(snapshot_path(db))], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        t0 = time.monotonic()
        with pytest.raises(WarehouseError, match=f"cannot publish the snapshot {snapshot_path(db)}: another process is publishing it"):
            publish(db, wait=0.5)
        assert 0.5 <= time.monotonic() - t0 < 5 and not snapshot_path(db).exists()
        threading.Timer(2, holder.kill).start()  # the upkeep after a run waits its turn however long it takes
        monkeypatch.setenv("NEWSFLOW_LOCK_WAIT", "0.5")
        assert maintenance.one_pass(db).startswith("snapshot published in ") and time.monotonic() - t0 > 2
    finally:
        holder.kill()
        holder.wait()
    publish(db, wait=0.5)  # the lock goes with its process
    assert snapshot_path(db).exists()


def test_the_snapshots_base_is_written_anew_once_it_has_doubled(db):
    fill(db)
    publish(db)
    made = []
    with connect(db) as con:  # twice as many pages again
        for mark in ("+", "++"):
            con.execute(f"INSERT INTO raw_documents SELECT sha256 || '{mark}', url, final_url, status, content_type, headers, fetched_at, "
                        "size, body, codec FROM raw_documents WHERE sha256 NOT LIKE '%+'")
    publish(db)
    base = warehouse.refresh.base_path(snapshot_path(db))
    grown = base.stat().st_size
    with connect(db) as con:  # gone again, and one copy back: the base still holds what its updates deleted
        con.execute("DELETE FROM raw_documents WHERE sha256 LIKE '%+'")
        con.execute("INSERT INTO raw_documents SELECT sha256 || '-', url, final_url, status, content_type, headers, fetched_at, size, body, "
                    "codec FROM raw_documents")
    plain = warehouse.refresh.copy_database
    warehouse.refresh.copy_database = lambda *a: made.append(1) or plain(*a)
    try:
        publish(db)
    finally:
        warehouse.refresh.copy_database = plain
    assert made == [1] and base.stat().st_size < grown and contents(snapshot_path(db)) == contents(db)


def test_a_copy_that_runs_out_of_its_fixed_memory_is_made_again_within_the_files_size(db, monkeypatch):
    with connect(db) as con:  # an index (search_docs' key) that needs more than 2 MiB to build
        con.execute("INSERT INTO search_docs SELECT 'http://a.test/' || i, 10, now() FROM range(200000) t(i)")
    opened = []
    monkeypatch.setattr(warehouse.db, "COPY_MEMORY", 2 * 2**20)
    monkeypatch.setattr(warehouse.db, "memory", lambda plain=warehouse.db.memory: opened.append(1) or plain())
    with connect(publish(db), read_only=True, wait=0) as con:
        assert con.execute("select count(*) from search_docs").fetchone()[0] == 200000
    assert len(opened) == 3 and not list(db.parent.glob("*partial*"))  # the source's storage version read, then two attempts


def test_a_copy_spills_beside_the_file_it_writes_never_into_the_working_folder(db, tmp_path):
    target = tmp_path / "copy.duckdb"
    spills = warehouse.db.copy_database(db, target, then=lambda con: con.execute("select current_setting('temp_directory')").fetchone()[0])
    assert spills == str(warehouse.db.spill_folder(target)) == str(tmp_path / "copy.duckdb.tmp") and not Path(spills).exists()


def test_partial_copies_of_dead_publishers_are_removed_and_live_ones_kept(db):
    target = snapshot_path(db)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale, live = temp_path(target, PARTIAL, dead), temp_path(target, PARTIAL, os.getppid())
    for f in (stale, live):
        f.write_bytes(b"x" * 1000)
    publish(db)
    assert not stale.exists() and live.exists()
    assert clean_stale(target, PARTIAL) == []


def test_a_snapshot_that_cannot_be_written_says_why_in_one_line(db, tmp_path):
    publish(db)
    before = snapshot_path(db).read_bytes()
    result = CliRunner().invoke(main, ["snapshot", "--db", str(db), "--to", "/sys/newsflow.snapshot.duckdb"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and ".partial" not in result.output  # the path asked for, never the temporary file
    assert result.output.startswith("Error: cannot publish the snapshot /sys/newsflow.snapshot.duckdb: the folder /sys is read-only")
    with pytest.raises(WarehouseError, match="no warehouse"):
        publish(tmp_path / "typo.duckdb")
    assert snapshot_path(db).read_bytes() == before


def _small_files():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, like a full disk, instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def test_a_full_disk_leaves_the_old_snapshot_and_no_partial_copy(db):
    publish(db)
    before = sorted(p.name for p in db.parent.iterdir())
    run = subprocess.run([sys.executable, "-m", "flows.cli", "snapshot", "--db", str(db)], cwd=ROOT, capture_output=True, text=True,
                         preexec_fn=_small_files, timeout=60)
    assert run.returncode == 1, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"Error: cannot copy {db} within its folder")
    assert "File too large" in run.stderr and "is the disk full" in run.stderr and f"{db.name}." not in run.stderr, run.stderr  # no temporary file
    assert sorted(p.name for p in db.parent.iterdir()) == before


PUBLISH = "import sys; from warehouse.snapshot import publish; publish(sys.argv[1])"


def fill(db, rows: int = 3000) -> None:
    """Raw pages enough (about 30 MiB) that copying the warehouse takes a while."""
    with connect(db) as con:
        con.execute("INSERT INTO raw_documents SELECT 'sha' || i, 'http://a.test/' || i, NULL, 200, 'text/html', '{}', now(), 10000, "
                    "encode(repeat(md5(i::VARCHAR), 320)), 'zstd' FROM range(?) t(i)", [rows])


def test_a_publisher_killed_at_any_moment_leaves_a_whole_snapshot_and_its_files_go_with_the_next(db):
    fill(db)
    publish(db)
    with connect(db) as con:
        con.execute("DELETE FROM rejects")
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-c", PUBLISH, str(db)], cwd=ROOT, check=True, timeout=120)
    whole, left, states = time.monotonic() - t0, set(), [contents(db)["rejects"]]
    for i, share in enumerate((0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)):  # python's start, the copy, the update, the rename
        with connect(db) as con:  # each publisher has rows to bring into the snapshot's base
            con.execute(f"INSERT INTO rejects VALUES ('fetch', 'http://a.test/{i}', 'timed out', NULL, NULL, 'r', now(), now(), 1)")
        states.append(contents(db)["rejects"])
        proc = subprocess.Popen([sys.executable, "-c", PUBLISH, str(db)], cwd=ROOT)
        time.sleep(whole * share)
        proc.kill()
        proc.wait()
        left |= {p.name.rsplit('.', 1)[-1] for p in db.parent.iterdir() if p.name.startswith('.')}
        with connect(snapshot_path(db), read_only=True, wait=0) as con:
            assert con.execute("select count(*) from raw_documents").fetchone()[0] == 3000
        assert contents(snapshot_path(db))["rejects"] in states  # the warehouse as one of its commits left it
    assert "copy" in left  # some kills landed mid-way
    publish(db)
    base = warehouse.refresh.base_path(snapshot_path(db))
    assert sorted(p.name for p in db.parent.iterdir()) == sorted([db.name, snapshot_path(db).name, base.name, base.name + ".catalog",
                                                                 f".{snapshot_path(db).name}.lock"])
    assert contents(snapshot_path(db)) == contents(db)

"""The published snapshot: DuckDB 1.4's storage format, real errors in one line, no partial copy left behind."""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from schemas.errors import WarehouseError
from warehouse.db import connect, snapshot_path
from warehouse.snapshot import PARTIAL, STORAGE_VERSION, clean_stale, publish

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


def test_partial_copies_of_dead_publishers_are_removed_and_live_ones_kept(db):
    target = snapshot_path(db)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = target.with_name(PARTIAL.format(name=target.name, pid=dead))
    live = target.with_name(PARTIAL.format(name=target.name, pid=os.getppid()))
    for f in (stale, live):
        f.write_bytes(b"x" * 1000)
    publish(db)
    assert not stale.exists() and live.exists()
    assert clean_stale(target) == []


def test_a_snapshot_that_cannot_be_written_says_why_in_one_line(db, tmp_path):
    publish(db)
    before = snapshot_path(db).read_bytes()
    result = CliRunner().invoke(main, ["snapshot", "--db", str(db), "--to", "/sys/newsflow.snapshot.duckdb"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: cannot open /sys/.newsflow.snapshot.duckdb.") and "Permission denied" in result.output
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
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("Error: ") and "File too large" in run.stderr, run.stderr
    assert sorted(p.name for p in db.parent.iterdir()) == before

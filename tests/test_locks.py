"""Two real processes, one warehouse file: bounded waits, a clear refusal, and a snapshot that never waits."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from warehouse.db import WarehouseLocked, connect, snapshot_path
from warehouse.snapshot import publish

ROOT = Path(__file__).resolve().parents[1]
HOLD = """
import sys, time
from warehouse.db import connect
with connect(sys.argv[1]) as con:
    con.execute("INSERT OR IGNORE INTO rejects VALUES ('fetch', 'http://a.test/held', 'x', NULL, NULL, 'r', now(), now(), 1)")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


class Holder:
    """Another process that opens the warehouse for writing and keeps it for `seconds`."""

    def __init__(self, db: Path, seconds: float):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "held"
        self.since = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def db(db_path):
    with connect(db_path):
        pass
    return db_path


def test_a_reader_and_a_second_writer_wait_for_a_short_write(db):
    with Holder(db, 1.5) as holder:
        with connect(db, read_only=True, wait=20) as con:
            waited = time.monotonic() - holder.since
            assert con.execute("select count(*) from rejects").fetchone()[0] == 1  # saw the writer's commit
    assert 0.5 < waited < 10
    with Holder(db, 1.0) as holder, connect(db, wait=20):
        assert time.monotonic() - holder.since > 0.5


def test_a_long_write_is_refused_in_bounded_time_naming_the_holder(db):
    with Holder(db, 30) as holder:
        t0 = time.monotonic()
        with pytest.raises(WarehouseLocked) as refused:
            with connect(db, read_only=True, wait=1):
                pass
        assert time.monotonic() - t0 < 5
        message = str(refused.value)
        assert f"locked by process {holder.proc.pid}" in message and "newsflow sql --snapshot" in message
        assert str(snapshot_path(db)) in message and "NEWSFLOW_LOCK_WAIT" in message
        cli = CliRunner().invoke(main, ["sql", "select 1", "--db", str(db)], env={"NEWSFLOW_LOCK_WAIT": "0.5"})
        assert cli.exit_code == 1 and f"locked by process {holder.proc.pid}" in cli.output


def test_snapshot_readers_never_wait_and_keep_their_copy_until_they_reopen(db):
    publish(db)
    with connect(snapshot_path(db), read_only=True, wait=0) as old:
        with Holder(db, 30):
            t0 = time.monotonic()
            out = CliRunner().invoke(main, ["sql", "select count(*) as n from rejects", "--snapshot", "--db", str(db)],
                                     env={"NEWSFLOW_LOCK_WAIT": "0"})
            assert out.exit_code == 0 and "(1 row)" in out.output, out.output
            assert time.monotonic() - t0 < 2
        publish(db)  # the holder's committed row goes into a new copy, renamed over the one `old` has open
        assert old.execute("select count(*) from rejects").fetchone()[0] == 0
    with connect(snapshot_path(db), read_only=True, wait=0) as new:
        assert new.execute("select count(*) from rejects").fetchone()[0] == 1


def test_every_command_on_a_locked_warehouse_says_who_holds_it_in_one_line(db, tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "a"\nurl = "https://a.test/rss"\n')
    env = {"NEWSFLOW_LOCK_WAIT": "0.3"}
    with Holder(db, 30) as holder:
        for args in (["ingest", "--feeds", str(feeds)], ["entities", "show", "x"], ["entities", "merge", "1", "2", "--reason", "r"],
                     ["tables"], ["snapshot"], ["compact"], ["reprocess"]):
            result = CliRunner().invoke(main, [*args, "--db", str(db)], env=env)
            assert result.exit_code == 1 and "Traceback" not in result.output, (args, result.output)
            assert result.output.count("\n") == 1 and f"locked by process {holder.proc.pid}" in result.output, (args, result.output)


def at_a_terminal() -> None:
    """Ctrl-C as at a terminal: a shell starts background jobs (`make test &`) with SIGINT ignored, and Python then
    never raises KeyboardInterrupt; that made these tests fail whenever the suite ran in the background."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_while_waiting_for_the_warehouse_stops_in_one_line_by_the_signal(db):
    import os
    import signal

    with Holder(db, 60) as holder:
        waiting = subprocess.Popen([sys.executable, "-m", "flows.cli", "sql", "select 1", "--db", str(db)], cwd=ROOT, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NEWSFLOW_LOCK_WAIT": "60"},
                                   preexec_fn=at_a_terminal)
        time.sleep(4)  # started, and waiting for the holder's lock
        assert waiting.poll() is None
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=20)
    assert waiting.returncode == -signal.SIGINT, err  # it leaves by the signal: the shell says 130
    (line,) = err.splitlines()
    assert line.startswith(f"stopped while waiting for the warehouse {db}, which process {holder.proc.pid} (") and out == "", err


"""The upkeep after a run, in a process of its own: merge the small row groups at the end of the
warehouse's tables (`warehouse.repack`), publish the snapshot, compact the warehouse when due.

A run ends with `after_run(db)`, which starts `python -m warehouse.maintenance DB` and returns at
once, whatever the warehouse's size: the run never waits for the snapshot or the compaction,
whose time grows with the warehouse. The upkeep process merges the small row groups at the end of
the warehouse's tables, holding the warehouse as a load does (`warehouse.repack`; it waits at most
MERGE_WAIT seconds for a flow, then leaves them to the next pass rather than delay the snapshot),
makes a private copy of the warehouse (`warehouse.copies`; writers wait for that byte copy), and
publishes the snapshot from it (`warehouse.snapshot`: in its turn with `newsflow snapshot` by
hand, which it waits for), then compacts the warehouse (`warehouse.compact`, from a copy of its
own) when DuckDB's free blocks are at least `COMPACT_FREE` of a file of at least `COMPACT_MIN_BYTES`. Loads leave almost no
free blocks (they checkpoint without DuckDB's vacuum, `warehouse.db.LOADS`): what a compaction
gives back after runs is mostly their small row groups and deleted rows, which DuckDB does not
count as free. So the rule, kept for files with many free blocks (one an older newsflow wrote),
rarely fires now; users compact by hand (docs/operations.md, "Free blocks and compaction").

At most one upkeep process works on a warehouse at a time (an flock on
`.{name}.upkeep.lock`). Each run leaves a request (`.{name}.upkeep.wanted`) before it starts
one; a process that finds another at work leaves, and the one at work takes up every request
made before it lets go, so the snapshot always catches up with the last run. An upkeep killed
mid-way leaves the previous snapshot and a whole warehouse; its temporary files are removed by
the next pass, which the next run starts.

Each pass writes one line to `{stem}.maintenance.log` beside the warehouse: what it did and how
long the warehouse was held, or why it failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from schemas.errors import NewsflowError
from schemas.settings import Settings
from warehouse import repack
from warehouse.compact import Space, compact, space
from warehouse.db import connect, first_line, snapshot_path
from warehouse.snapshot import publish_from, publishing

COMPACT_FREE = 0.6  # free share of the file at which a pass compacts (loads leave 0-4 %: docs/operations.md)
COMPACT_MIN_BYTES = 64 * 2**20  # smaller files are not worth a rewrite
LOG_MAX_BYTES = 2**20  # the log is moved to *.1 beyond this
MERGE_WAIT = 1.0  # seconds the merge of small row groups waits for a flow holding the warehouse, then leaves them

_started: list[subprocess.Popen] = []  # upkeep processes this process started, for `wait`


def _side(db: Path, what: str) -> Path:
    return db.with_name(f".{db.name}.upkeep.{what}")


def log_path(db: str | Path) -> Path:
    """The upkeep's log beside the warehouse: `newsflow.duckdb` -> `newsflow.maintenance.log`."""
    return Path(db).with_suffix(".maintenance.log")


def after_run(db: str | Path) -> subprocess.Popen:
    """Ask for an upkeep pass of `db` and start a process for it; returns at once with that process."""
    db = Path(db).resolve()
    _side(db, "wanted").touch()
    for p in list(_started):  # reap those that ended
        if p.poll() is not None:
            _started.remove(p)
    proc = subprocess.Popen([sys.executable, "-m", "warehouse.maintenance", str(db)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _started.append(proc)
    return proc


def wait(timeout: float = 300) -> None:
    """Wait for the upkeep processes this process started (for commands that should end with a fresh snapshot, and tests)."""
    deadline = time.monotonic() + timeout
    while _started:
        _started.pop().wait(max(deadline - time.monotonic(), 0.01))


def due(use: Space) -> bool:
    """Whether a file with this use is worth compacting."""
    return use.file_bytes >= COMPACT_MIN_BYTES and use.free_share >= COMPACT_FREE


def upkeep(db: Path) -> None:
    """Serve every upkeep request of `db` unless another process is at it (the protocol in the module's docstring)."""
    wanted, lock = _side(db, "wanted"), _side(db, "lock")
    while wanted.exists():
        with open(lock, "a") as held:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # the process at work reads `wanted` again after it lets go
            while wanted.exists():
                wanted.unlink()
                _log(db, one_pass(db))


def one_pass(db: Path) -> str:
    """Merge the small tails of the warehouse's tables, publish the snapshot from a private copy and, when due, compact
    from another; returns the log line."""
    t0 = time.monotonic()
    try:
        storage = Settings.from_env().snapshot_storage
        merged = _merge_tails(db)
        merging, t0 = time.monotonic() - t0, time.monotonic()
        with publishing(db, snapshot_path(db), turn_wait=math.inf) as source:  # its turn comes after a publish by hand
            base = publish_from(source, snapshot_path(db), storage)
            how = "" if base is None else "; base made" if base.made else f"; {base.groups} groups of rows changed"
            line = (f"snapshot published in {time.monotonic() - t0:.2f} s "
                    f"(warehouse held {source.seconds_held:.2f} s; storage {storage}{how})")
            if isinstance(merged, str):
                line += f"; small row groups not merged: {merged}"
            elif merged:
                line += f"; small row groups merged in {merging:.2f} s: {', '.join(f'{t} ({n} rows)' for t, n in merged.items())}"
            use = space(source.path, wait=0)
        if due(use):  # from a private copy of its own, the snapshot's turn over
            done = compact(db)
            line += (f"; compacted {_mib(done.before)} -> {_mib(done.after)} MiB in {done.seconds:.2f} s "
                     f"(held {done.seconds_held:.2f} s)" if done.replaced
                     else "; compaction skipped: a flow wrote meanwhile, the next pass tries again")
        else:
            line += f"; {use.free_share:.0%} of {_mib(use.file_bytes)} MiB free, no compaction"
        return line
    except NewsflowError as e:
        return f"failed: {e}"
    except Exception as e:  # no one reads this process's stderr: the log is where any failure shows
        return f"failed: {type(e).__name__}: {e}"


def _merge_tails(db: Path) -> dict[str, int] | str:
    """Merge the small row groups at the end of the warehouse's tables (`warehouse.repack`), before the private copy so
    the snapshot's base gets them; {table: rows} or why not. Optional: a warehouse busy for MERGE_WAIT seconds, or a
    merge that fails, leaves them for the next pass and the snapshot is published all the same."""
    try:
        with connect(db, wait=MERGE_WAIT, create=False) as con:
            return repack.tails(con)
    except (NewsflowError, duckdb.Error) as e:
        return first_line(e)


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f}"


def _log(db: Path, line: str) -> None:
    path = log_path(db)
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size > LOG_MAX_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ} {db.name}: {line}\n")


if __name__ == "__main__":
    upkeep(Path(sys.argv[1]))

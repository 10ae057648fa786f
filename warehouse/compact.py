"""Compaction: rewrite the warehouse file with full row groups, without deleted rows or free blocks.

Loads checkpoint without DuckDB's vacuum (`warehouse.db.LOADS`): each load's rows stay in a row
group of their own, and deleted rows stay in the file, marked, unless they were all of their row
group's; a compaction gave back about 40 % of a file that repeated runs left (docs/operations.md,
"Free blocks and compaction"). DuckDB's CHECKPOINT gives back only free blocks at the very end of
the file, and VACUUM none; DuckDB's documented way is to copy the database into a fresh file
(`COPY FROM DATABASE`; duckdb.org, "Reclaiming space"). So:

1. a private copy of the warehouse (`warehouse.copies`): writers wait only for the byte copy;
2. `COPY FROM DATABASE` of that copy into `.{name}.{pid}.compact`, in the warehouse's own storage
   format, holding nothing; every table must come out with as many rows as it went in;
3. with the warehouse's write lock (and the new file's), if the warehouse is still the file that
   was copied (same inode, size and times, no write-ahead log), the new file is made durable and
   renamed over it. If a flow wrote in between, nothing is replaced (`Compaction.replaced` is
   False): the writes are never lost, and the next pass tries again.

A kill -9 at any moment leaves a whole warehouse: before the rename it is untouched, and the new
file is complete on disk before the rename. The `.compact` and `.copy` files of a dead process are
removed by the next compaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from schemas.errors import WarehouseError
from schemas.settings import Settings
from warehouse.copies import PrivateCopy, clean_stale, private_copy, remove, replace_durably, stamp, temp_path, wal
from warehouse.db import connect, copy_database, memory, sql_literal, storage_error, with_lock_wait

COMPACT = "compact"  # the kind of temporary file (`warehouse.copies`) of a compacted warehouse being written


@dataclass(frozen=True)
class Space:
    """How a database file's bytes are used, from DuckDB's `PRAGMA database_size`."""

    file_bytes: int
    block_size: int
    total_blocks: int
    free_blocks: int

    @property
    def free_share(self) -> float:
        """Share (0..1) of the file's blocks that hold nothing."""
        return self.free_blocks / self.total_blocks if self.total_blocks else 0.0


def space(path: str | Path, wait: float | None = None) -> Space:
    """The use of the database file at `path`, read on a read-only connection (waits for a writer like every open)."""
    path = Path(path)
    with connect(path, read_only=True, wait=wait) as con:
        block_size, total, free = con.execute(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size() WHERE database_name = current_database()"
        ).fetchone()
    return Space(path.stat().st_size, block_size, total, free)


@dataclass(frozen=True)
class Compaction:
    """What a compaction did: the file's size before and after (bytes), and whether it replaced the warehouse."""

    before: int
    after: int
    seconds: float
    replaced: bool
    seconds_held: float  # the time writers waited: the byte copy, and the rename


def compact(db: str | Path, wait: float | None = None, source: PrivateCopy | None = None) -> Compaction:
    """Rewrite the warehouse without its free blocks (steps in the module's docstring).

    `source`: a private copy already made (the upkeep pass shares the snapshot's); by default one is made.
    Waits for other processes like every open (`wait`, default `NEWSFLOW_LOCK_WAIT`), then `WarehouseLocked`;
    `WarehouseError` when the new file cannot be written (a full disk), the warehouse untouched.
    """
    wait = Settings.from_env().lock_wait if wait is None else wait
    t0 = time.monotonic()
    if source is None:
        with private_copy(db, wait) as copy:
            return _compact(Path(db), wait, copy, t0)
    return _compact(Path(db), wait, source, t0)


def _compact(db: Path, wait: float, source: PrivateCopy, t0: float) -> Compaction:
    fresh = temp_path(db, COMPACT)
    try:
        clean_stale(db, COMPACT)
        _rewrite(source.path, fresh)
        after = fresh.stat().st_size
        t1 = time.monotonic()
        replaced = _swap(db, fresh, source, wait)
        held = source.seconds_held + time.monotonic() - t1
    except OSError as e:
        raise WarehouseError(f"cannot compact {db}: {e.strerror or e}") from None
    finally:
        remove(fresh)
    return Compaction(source.stamp.size, after if replaced else source.stamp.size, time.monotonic() - t0, replaced, held)


def _rewrite(source: Path, fresh: Path) -> None:
    """`COPY FROM DATABASE` of `source` into the new file `fresh`, in the same storage format; the row counts checked."""

    def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'source' ORDER BY 1").fetchall()]
        return {db: [con.execute(f'SELECT count(*) FROM {db}."{t}"').fetchone()[0] for t in tables] for db in ("source", "target")}

    try:
        counts = copy_database(source, fresh, then=row_counts)
    except duckdb.Error as e:
        raise storage_error(fresh, e, opening=False) from None
    if not counts or counts["source"] != counts["target"]:
        raise WarehouseError(f"compaction of {source} lost rows ({counts}); the warehouse was left as it was")


def _swap(db: Path, fresh: Path, source: PrivateCopy, wait: float) -> bool:
    """Rename `fresh` over `db` if `db` is still the file that was copied; both files locked meanwhile, so no
    process opens either half-way. Returns whether it did."""
    con = memory()
    try:
        try:
            with_lock_wait(db, wait, lambda: con.execute(f"ATTACH {sql_literal(db)} AS warehouse"))
            if stamp(db) != source.stamp or wal(db).exists():
                return False  # a flow wrote since the copy
            con.execute(f"ATTACH {sql_literal(fresh)} AS fresh")
        except duckdb.Error as e:
            raise storage_error(db, e) from None
        replace_durably(fresh, db)
        return True
    finally:
        con.close()

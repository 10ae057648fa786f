"""A read-only copy of the warehouse that analysts open while flows write the original.

DuckDB lets a process writing a file lock out every other process, readers
included. The snapshot is a separate file, replaced by an atomic rename, never
opened by the publisher: readers of the snapshot never wait, and a reader that
has the old copy open keeps reading it until it reconnects.

The copy is written in the storage format of DuckDB 1.4 (`STORAGE_VERSION`), so the
DuckDB that analysts already have opens it: 1.4.x, 1.5.x and 2.x. The warehouse itself
is in DuckDB 2.0's format, which only DuckDB 2.0 and later read. Measured with the PyPI
packages: 1.5.6, 1.4.5, 1.4.3 and 1.4.2 run everything in the snapshot; 1.4.1 and 1.4.0
open it but fail on `search_articles` (a bug of theirs with table macros); 1.3.2 refuses
it (it reads storage versions 64-66; the snapshot is 67).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb

from schemas.errors import WarehouseError
from schemas.settings import Settings
from warehouse.db import connect, memory, require, snapshot_path, storage_error, with_lock_wait

STORAGE_VERSION = "v1.4.0"  # the oldest DuckDB storage format the snapshot is written in
PARTIAL = ".{name}.{pid}.partial"  # a copy being written; renamed over the snapshot once it opens


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove the partial copies of `target` left by publishers that died (kill -9, power loss); returns them."""
    removed = []
    for partial in target.parent.glob(PARTIAL.format(name=target.name, pid="*")):
        pid = partial.name.removesuffix(".partial").rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            for f in (partial, _wal(partial)):
                with contextlib.suppress(FileNotFoundError):
                    f.unlink()
            removed.append(partial)
    return removed


def publish(db: str | Path, target: str | Path | None = None, wait: float | None = None) -> Path:
    """Copy the warehouse, as of its last commit, to `target` (default: beside it as *.snapshot.duckdb).

    Raises `WarehouseError` (with the real cause: a full disk, a read-only folder) when
    the copy cannot be made; the previous snapshot then stays as it was.
    """
    db = require(db)
    target = Path(target) if target else snapshot_path(db)
    partial = target.with_name(PARTIAL.format(name=target.name, pid=os.getpid()))
    wait = Settings.from_env().lock_wait if wait is None else wait
    try:
        clean_stale(target)
        for f in (partial, _wal(partial)):  # our own, from a pid reused after a crash
            f.unlink(missing_ok=True)
        _copy(db, partial, wait)
        with connect(partial, read_only=True, wait=0) as con:  # a copy that does not open is never published
            con.execute("SELECT count(*) FROM schema_migrations").fetchone()
        os.replace(partial, target)
    except OSError as e:
        raise WarehouseError(f"cannot publish the snapshot {target}: {e.strerror or e}") from None
    finally:
        for f in (partial, _wal(partial)):
            with contextlib.suppress(OSError):  # the cause above is what the user needs, not a failed cleanup
                f.unlink(missing_ok=True)
    return target


def _copy(db: Path, partial: Path, wait: float) -> None:
    """Write the warehouse's tables, views, macros and sequences to `partial` in the STORAGE_VERSION format.

    The source is attached read-only: other readers keep reading, writers wait for the copy.
    """
    con = memory()
    try:
        try:
            con.execute(f"ATTACH {_literal(partial)} AS snapshot (STORAGE_VERSION '{STORAGE_VERSION}')")
        except duckdb.Error as e:
            raise storage_error(partial, e) from None
        try:
            with_lock_wait(db, wait, lambda: con.execute(f"ATTACH {_literal(db)} AS warehouse (READ_ONLY)"))
        except duckdb.Error as e:
            raise storage_error(db, e) from None
        try:
            con.execute("COPY FROM DATABASE warehouse TO snapshot")
            con.execute("DETACH snapshot")
        except duckdb.Error as e:
            raise storage_error(partial, e, opening=False) from None
    finally:
        con.close()

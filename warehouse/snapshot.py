"""A read-only copy of the warehouse that analysts open while flows write the original.

DuckDB lets a process writing a file lock out every other process, readers
included. The snapshot is a separate file, replaced by an atomic rename, never
opened by the publisher: readers of the snapshot never wait, and a reader that
has the old copy open keeps reading it until it reconnects.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warehouse.db import connect, snapshot_path


def publish(db: str | Path, target: str | Path | None = None) -> Path:
    """Copy the warehouse, as of its last commit, to `target` (default: beside it as *.snapshot.duckdb)."""
    db = Path(db)
    target = Path(target) if target else snapshot_path(db)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with connect(db) as con:  # the write lock keeps other writers out while the bytes are copied
            con.execute("CHECKPOINT")  # everything committed is in the main file, nothing left in the WAL
            shutil.copyfile(db, partial)
        with connect(partial, read_only=True, wait=0) as con:  # a copy that does not open is never published
            con.execute("SELECT count(*) FROM schema_migrations").fetchone()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target

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

Writing that format is a `COPY FROM DATABASE`, whose time grows with the warehouse (24.6 s at
50,400 articles, 1,738 MiB, in `bench/upkeep.py`), so it reads a private copy of the warehouse
(`warehouse.copies`): the warehouse is held only while its bytes are copied. Runs do not wait for
it at all: they leave the snapshot to the upkeep process (`warehouse.maintenance`). Where every
reader has DuckDB 2.0 or later, the snapshot can be in the warehouse's own format (the
`snapshot_storage` setting, `NEWSFLOW_SNAPSHOT_STORAGE=v2.0.0`): it is then a copy of the private
copy's bytes, made in the kernel (a reflink on XFS and Btrfs), with the warehouse's free blocks and
small row groups as they are: 1.8 s for the same warehouse, the private copy and the sync included.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from schemas.errors import WarehouseError
from schemas.settings import DEFAULTS
from warehouse.copies import PrivateCopy, clean_stale, copy_bytes, private_copy, remove, replace_durably, temp_path
from warehouse.db import DISK_TROUBLE, connect, copy_database, first_line, snapshot_path, storage_version

STORAGE_VERSION = DEFAULTS.snapshot_storage  # the DuckDB storage format the snapshot is written in unless the settings say otherwise
READ_ONLY = re.compile(r"Read-only file system|Permission denied|Operation not permitted", re.I)  # the OS's words for a folder we may not write
PARTIAL = "partial"  # the kind of temporary file (`warehouse.copies`) of a copy being written; renamed over the snapshot once it opens


def publish(db: str | Path, target: str | Path | None = None, wait: float | None = None, storage: str = STORAGE_VERSION) -> Path:
    """Copy the warehouse, as of its last commit, to `target` (default: beside it as *.snapshot.duckdb), in the DuckDB
    storage version `storage` (the `snapshot_storage` setting).

    Waits for a writer like every open (`wait`, default `NEWSFLOW_LOCK_WAIT`). Raises `WarehouseError`
    (with the real cause: a full disk, a read-only folder, a storage version this DuckDB cannot write) when
    the copy cannot be made; the previous snapshot then stays as it was.
    """
    with private_copy(db, wait) as source:
        return publish_from(source, Path(target) if target else snapshot_path(db), storage)


def publish_from(source: PrivateCopy, target: Path, storage: str = STORAGE_VERSION) -> Path:
    """Publish the snapshot at `target`, in storage version `storage`, from a private copy of the warehouse
    (`warehouse.copies.private_copy`)."""
    partial = temp_path(target, PARTIAL)
    try:
        clean_stale(target, PARTIAL)
        _copy(source.path, partial, storage)
        with connect(partial, read_only=True, wait=0) as con:  # a copy that does not open is never published
            con.execute("SELECT count(*) FROM schema_migrations").fetchone()
        replace_durably(partial, target)
    except (OSError, duckdb.Error, WarehouseError) as e:
        raise cannot_publish(target, partial, e) from None
    finally:
        try:
            remove(partial)
        except OSError:  # the cause above is what the user needs, not a failed cleanup
            pass
    return target


def cannot_publish(target: Path, partial: Path, error: Exception) -> WarehouseError:
    """The failure to write the snapshot `target` (its temporary copy `partial`, or the rename over it) as one line
    that names `target`, never the temporary file, and says why: a read-only folder, a full disk, or the system's words."""
    why = first_line(error) if isinstance(error, duckdb.Error) else (getattr(error, "strerror", None) or str(error))
    why = re.sub(rf'(?:Cannot open file |cannot open )?"?{re.escape(str(partial))}"?:?\s*', "", why, flags=re.I)
    if READ_ONLY.search(why):
        return WarehouseError(f"cannot publish the snapshot {target}: the folder {target.parent} is read-only for this user ({why}); "
                              "publish it to a folder you can write: newsflow snapshot --to PATH")
    if DISK_TROUBLE.search(why):
        return WarehouseError(f"cannot publish the snapshot {target}: the disk is full or the file too big for it ({why}); "
                              "the previous snapshot is kept")
    return WarehouseError(f"cannot publish the snapshot {target}: {why}")


def _copy(source: Path, partial: Path, storage: str) -> None:
    """Write the database at `source` (a private copy: no log beside it) to `partial` for readers of storage version
    `storage`: its bytes when its own version is no newer (DuckDB of that version and later read it), else its tables,
    views, macros and sequences (`COPY FROM DATABASE`).

    A failure to read `source` is a `WarehouseError` naming it; a failure to write `partial` is DuckDB's own error."""
    if _numbers(storage_version(source)) <= _numbers(storage):
        copy_bytes(source, partial)
    else:
        copy_database(source, partial, storage)


def _numbers(version: str) -> tuple[int, ...]:
    """"v1.4.0" -> (1, 4, 0)."""
    return tuple(int(n) for n in version.lstrip("v").split("."))

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

Writing that format from nothing is a `COPY FROM DATABASE`, whose time grows with the warehouse
(23-26 s at 50,400 articles, 1,732 MiB, in runs of `bench/upkeep.py`). So the first publish keeps what it
wrote as the snapshot's base (`warehouse.refresh`), and every publish after it brings the base up
to date with the rows that changed and copies its bytes. It reads a private copy of the warehouse
(`warehouse.copies`): the warehouse is held only while its bytes are copied. Runs do not wait for
it at all: they leave the snapshot to the upkeep process (`warehouse.maintenance`). Where every
reader has DuckDB 2.0 or later, the snapshot can be in the warehouse's own format (the
`snapshot_storage` setting, `NEWSFLOW_SNAPSHOT_STORAGE=v2.0.0`): it is then a copy of the private
copy's bytes, made in the kernel (a reflink on XFS and Btrfs), with the warehouse's free blocks and
small row groups as they are, and no base: 1.8 s for the same warehouse, the private copy and the
sync included.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from schemas.errors import WarehouseError
from schemas.settings import DEFAULTS, Settings
from warehouse import refresh
from warehouse.copies import PrivateCopy, clean_stale, copy_bytes, private_copy, remove, replace_durably, temp_path
from warehouse.db import DISK_TROUBLE, connect, first_line, require, snapshot_path, storage_version, waiting

STORAGE_VERSION = DEFAULTS.snapshot_storage  # the DuckDB storage format the snapshot is written in unless the settings say otherwise
READ_ONLY = re.compile(r"Read-only file system|Permission denied|Operation not permitted", re.I)  # the OS's words for a folder we may not write
PARTIAL = "partial"  # the kind of temporary file (`warehouse.copies`) of a copy being written; renamed over the snapshot once it opens


def publish(db: str | Path, target: str | Path | None = None, wait: float | None = None, storage: str = STORAGE_VERSION) -> Path:
    """Copy the warehouse, as of its last commit, to `target` (default: beside it as *.snapshot.duckdb), in the DuckDB
    storage version `storage` (the `snapshot_storage` setting).

    Waits for another publisher of `target`, then for a writer like every open (`wait` each, default
    `NEWSFLOW_LOCK_WAIT`: `publishing`). Raises `WarehouseError`
    (with the real cause: a full disk, a read-only folder, a storage version this DuckDB cannot write) when
    the copy cannot be made; the previous snapshot then stays as it was.
    """
    target = Path(target) if target else snapshot_path(db)
    with publishing(db, target, wait) as source:
        publish_from(source, target, storage)
    return target


@contextlib.contextmanager
def publishing(db: str | Path, target: Path, wait: float | None = None, turn_wait: float | None = None) -> Iterator[PrivateCopy]:
    """The private copy of the warehouse `db` to publish the snapshot `target` from, made once this process holds the
    snapshot (an flock on `.{name}.lock` beside it). The upkeep and `newsflow snapshot` by hand take turns, each from
    its copy to its rename, so the later copy is published later and one base is brought up to date at a time.

    Waits `turn_wait` seconds (default: `wait`) for another publisher of `target`, then `WarehouseError`; then `wait`
    seconds (default `NEWSFLOW_LOCK_WAIT`) for a writer of the warehouse, then `WarehouseLocked`. Ctrl-C while waiting
    for the turn is `StoppedWaiting`."""
    wait = Settings.from_env().lock_wait if wait is None else wait
    turn_wait = wait if turn_wait is None else turn_wait
    require(db)  # a mistyped --db leaves nothing behind, not even the lock
    lock = target.with_name(f".{target.name}.lock")
    try:
        held = open(lock, "a")
    except OSError as e:
        raise cannot_publish(target, e) from None
    with held:
        try:
            waiting(lambda: fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB), turn_wait, lambda e: isinstance(e, BlockingIOError),
                    timed_out=lambda e, waited: WarehouseError(f"cannot publish the snapshot {target}: another process is publishing it "
                                                               f"(waited {turn_wait:g} s); try again when it is done"),
                    stopped=lambda e: f"stopped while waiting for another process publishing the snapshot {target}; nothing was done")
        except OSError as e:  # a file system without locks
            raise cannot_publish(target, e) from None
        with private_copy(db, wait) as source:
            yield source


def publish_from(source: PrivateCopy, target: Path, storage: str = STORAGE_VERSION) -> refresh.Refresh | None:
    """Publish the snapshot at `target`, in storage version `storage`, from the private copy of the warehouse that
    `publishing(db, target)` gave; returns what was done to the snapshot's base, None for a byte copy of the warehouse."""
    partial = temp_path(target, PARTIAL)
    try:
        clean_stale(target, PARTIAL)
        done = _copy(source.path, partial, storage, target)
        with connect(partial, read_only=True, wait=0) as con:  # a copy that does not open is never published
            con.execute("SELECT count(*) FROM schema_migrations").fetchone()
        replace_durably(partial, target)
    except (OSError, duckdb.Error, WarehouseError) as e:
        raise cannot_publish(target, e) from None
    finally:
        try:
            remove(partial)
        except OSError:  # the cause above is what the user needs, not a failed cleanup
            pass
    return done


def cannot_publish(target: Path, error: Exception) -> WarehouseError:
    """The failure to write the snapshot `target` (its temporary copy, its base, or the rename over it) as one line
    that names `target`, never the files beside it, and says why: a read-only folder, a full disk, or the system's words."""
    why = first_line(error) if isinstance(error, duckdb.Error) else (getattr(error, "strerror", None) or str(error))
    beside = re.escape(str(target.with_name(f".{target.name}.")))
    why = re.sub(rf'(?:Cannot open file |cannot open )?"?{beside}[^"\s:]*"?:?\s*', "", why, flags=re.I)
    if READ_ONLY.search(why):
        return WarehouseError(f"cannot publish the snapshot {target}: the folder {target.parent} is read-only for this user ({why}); "
                              "publish it to a folder you can write: newsflow snapshot --to PATH")
    if DISK_TROUBLE.search(why):
        return WarehouseError(f"cannot publish the snapshot {target}: the disk is full or the file too big for it ({why}); "
                              "the previous snapshot is kept")
    return WarehouseError(f"cannot publish the snapshot {target}: {why}")


def _copy(source: Path, partial: Path, storage: str, target: Path) -> refresh.Refresh | None:
    """Write the database at `source` (a private copy: no log beside it) to `partial` for readers of storage version
    `storage`: its bytes when its own version is no newer (DuckDB of that version and later read it), else the bytes
    of the snapshot's base (`warehouse.refresh`), the warehouse in that version, brought up to date first.

    A failure to read `source` is a `WarehouseError` naming it; a failure to write `partial` is DuckDB's own error."""
    if _numbers(storage_version(source)) <= _numbers(storage):
        refresh.drop(target)
        copy_bytes(source, partial)
        return None
    done = refresh.refresh(source, target, storage)
    copy_bytes(refresh.base_path(target), partial)
    return done


def _numbers(version: str) -> tuple[int, ...]:
    """"v1.4.0" -> (1, 4, 0)."""
    return tuple(int(n) for n in version.lstrip("v").split("."))

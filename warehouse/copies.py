"""Copies of the warehouse file: the private copy upkeep works from, and the temporary files beside it.

DuckDB lets a writer lock out every other process, and a reader lock out writers. Work that
reads the whole warehouse (publishing the snapshot, compacting) would hold it for time that
grows with its size, so it reads a private copy instead: `private_copy` copies the file's bytes
while it holds a read-only connection (other readers go on; a writer waits for the copy, which
runs at the disk's speed), then lets go, and the slow work reads the copy, holding nothing.

Every temporary file is `.{name}.{pid}.{kind}` beside the file it is made for, so the files of a
process that died (kill -9, power loss) are known by their pid and removed by the next process
that makes one of the same kind (`clean_stale`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from schemas.errors import WarehouseError
from warehouse.db import CONFIG, COPY_MEMORY, LOADS, connect, remove, require, storage_error, wal


def temp_path(target: Path, kind: str, pid: int | str | None = None) -> Path:
    """The temporary file of `kind` that process `pid` (default: this one) writes for `target`."""
    return target.with_name(f".{target.name}.{os.getpid() if pid is None else pid}.{kind}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True


def clean_stale(target: Path, kind: str) -> list[Path]:
    """Remove the temporary files of `kind` for `target` whose process is gone; returns them."""
    removed = []
    for f in target.parent.glob(temp_path(target, kind, "*").name):
        pid = f.name.removesuffix("." + kind).rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            remove(f)
            removed.append(f)
    own = temp_path(target, kind)  # ours, from a pid reused after a crash
    if own.exists() or wal(own).exists():
        remove(own)
        removed.append(own)
    return removed


def sync(path: Path) -> None:
    """Put the bytes of the file `path` (or the entries of the folder `path`) on disk (`fsync`)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(source: Path, target: Path) -> None:
    """Rename `source` over `target` once its bytes are on disk, and make the rename itself durable,
    so a power loss leaves either file whole at `target`, never a mix."""
    sync(source)
    os.replace(source, target)
    sync(target.parent)


@dataclass(frozen=True)
class Stamp:
    """What tells one state of a database file from the next: any commit writes its log or, at a checkpoint, the file."""

    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    has_wal: bool


def stamp(path: Path) -> Stamp:
    s = path.stat()
    return Stamp(s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns, wal(path).exists())


@dataclass(frozen=True)
class PrivateCopy:
    """A copy of the warehouse (`path`, its log replayed into it if it had one) and the warehouse's `stamp` when it was copied."""

    path: Path
    stamp: Stamp
    seconds_held: float  # how long the warehouse was held (writers waited) for the copy


def copy_bytes(source: Path, target: Path) -> None:
    """Copy a file in the kernel (`copy_file_range`: a reflink where the file system has them, XFS and Btrfs),
    or with `shutil` where that call is missing or refused (macOS, some kernels and file systems)."""
    try:
        with open(source, "rb") as src, open(target, "wb") as dst:
            left = os.fstat(src.fileno()).st_size
            while left > 0 and (n := os.copy_file_range(src.fileno(), dst.fileno(), left)):
                left -= n
    except AttributeError:
        shutil.copyfile(source, target)
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise
        shutil.copyfile(source, target)


@contextlib.contextmanager
def private_copy(db: str | Path, wait: float | None = None) -> Iterator[PrivateCopy]:
    """Copy the warehouse beside itself as `.{name}.{pid}.copy`, holding it read-only only for the copy; removed at exit.

    Waits for a writer like every open (`wait`, default `NEWSFLOW_LOCK_WAIT`), then `WarehouseLocked`.
    A copy that cannot be made (a full disk) raises `WarehouseError` with the cause; nothing is left behind.
    """
    db = require(db)
    copy = temp_path(db, "copy")
    try:
        clean_stale(db, "copy")
        with connect(db, read_only=True, wait=wait):
            t0 = time.monotonic()
            state = stamp(db)
            copy_bytes(db, copy)
            if state.has_wal:  # a writer died before its checkpoint: the copy takes its log too
                copy_bytes(wal(db), wal(copy))
            held = time.monotonic() - t0
    except OSError as e:
        remove(copy)
        raise WarehouseError(f"cannot copy {db} within its folder {db.parent} (a private copy, removed after use): {e.strerror or e} "
                             "(is the disk full, or the folder read-only?)") from None
    try:
        if state.has_wal:
            _replay_log(db, copy)
        yield PrivateCopy(copy, state, held)
    finally:
        remove(copy)


def _replay_log(db: Path, copy: Path) -> None:
    """Replay the log beside `copy` into it (a checkpoint, within COPY_MEMORY), holding nothing: what reads the copy then
    finds a whole database file and no log. A failure is a `WarehouseError` naming the warehouse `db`."""
    con = None
    try:
        con = duckdb.connect(str(copy), config={**CONFIG, **LOADS, "threads": 1, "memory_limit": f"{COPY_MEMORY // 2**20}MiB"})
        con.execute("CHECKPOINT")
    except duckdb.Error as e:
        raise storage_error(db, e, opening=False) from None
    finally:
        if con is not None:
            con.close()

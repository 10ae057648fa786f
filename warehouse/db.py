"""The one door to DuckDB: open a warehouse file, migrate it, run queries.

A process holding the file for writing locks out every other process, readers
included, so writers open it for the shortest time that does the job: one
transaction per batch. Opening a locked file is retried for a bounded time
(`NEWSFLOW_LOCK_WAIT` seconds), then fails naming the process that holds it.

DuckDB's own errors stop here: what a user can cause (a missing, locked or foreign
file, a full or read-only disk, a bad query) leaves as a `schemas.errors.WarehouseError`
with one line that says what to do. Connections never install or load DuckDB
extensions on their own, so nothing here goes online.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb

from schemas.errors import ConfigError, QueryError, WarehouseError, WarehouseLocked
from schemas.settings import Settings

MIGRATIONS = "migrations"
# Every connection: no extension is fetched or loaded behind the user's back (a SQLite file
# given as --db would otherwise make DuckDB download its sqlite extension).
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# Opening and closing connections, one thread at a time: the connections of a process share one database
# instance, which closing the last of them tears down; a connection opened meanwhile in another thread can
# get an instance without its Python scans ("Table Function with name python_arrow_scan does not exist",
# DuckDB 2.0.1, seen in 4 of 600 opens from three threads). The flows load in one thread while they read in another.
_opening = threading.Lock()
# Every session: times in UTC, and no progress bar drawn into the output of a long query.
SESSION = "SET TimeZone = 'UTC'; SET enable_progress_bar = false"
# What DuckDB raises when the disk, the file system or the memory is the problem, not our SQL.
STORAGE_ERRORS = (duckdb.IOException, duckdb.FatalException, duckdb.OutOfMemoryException)

# Words of the OS and DuckDB for a disk that is full, read-only or not ours to write.
DISK_TROUBLE = re.compile(r"No space left|Read-only file system|Permission denied|File too large|Disk quota|Operation not permitted", re.I)

T = TypeVar("T")


def is_storage_trouble(error: BaseException) -> bool:
    """A DuckDB error caused by the disk, the file system or the memory: one of `STORAGE_ERRORS`, or any
    other DuckDB error (a transaction that cannot write its `.wal`, say) that names a `DISK_TROUBLE`."""
    return isinstance(error, STORAGE_ERRORS) or (isinstance(error, duckdb.Error) and bool(DISK_TROUBLE.search(str(error))))


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, oldest first."""
    found = []
    for f in resources.files("warehouse").joinpath(MIGRATIONS).iterdir():
        if f.name.endswith(".sql"):
            found.append((int(f.name.split("_", 1)[0]), f.name, f.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations this file has not seen, oldest first, each in its own transaction.

    A migration is skipped by its version being recorded, not by being older than the
    newest applied one, so a migration that lands after a later-numbered one still runs.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)"
    )
    applied = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    current = max(applied, default=0)
    for version, name, sql in migrations():
        if version in applied:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, dt.datetime.now(dt.UTC)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = max(current, version)
    return current


def snapshot_path(path: str | Path) -> Path:
    """Where the read-only copy of a warehouse is published (`warehouse.snapshot`)."""
    return Path(path).with_suffix(".snapshot.duckdb")


def _locked_message(path: Path, error: Exception, waited: float) -> str:
    found = re.search(r"held in (.*?) \(PID (\d+)\)", str(error))
    holder = f"process {found[2]} ({found[1]})" if found else "another process"
    return (
        f"{path} is locked by {holder}; waited {waited:.0f} s. "
        "A newsflow flow holds the file only while it loads a batch; a duckdb CLI, notebook or Python session "
        "holds it until it closes its connection. To read while a flow writes, use the published snapshot: "
        f"`newsflow sql --snapshot ...` or `duckdb -readonly {snapshot_path(path)}`. "
        "Otherwise close that session, or wait longer with NEWSFLOW_LOCK_WAIT=<seconds>."
    )


def first_line(error: BaseException) -> str:
    """DuckDB's message without its type prefix, hints and context (its root cause when it names one): the line a user needs."""
    text = str(error).strip()
    cause = re.search(r"Original error: (.+)", text)
    text = cause[1] if cause else (text.splitlines()[0] if text else type(error).__name__)
    return re.sub(r"^[A-Z][A-Za-z ]*? Error: ", "", text).strip()


def storage_error(path: Path, error: BaseException, opening: bool = True) -> WarehouseError:
    """A DuckDB or OS failure to open (or, `opening=False`, to use) `path`, as the one line a user can act on."""
    text = first_line(error) if isinstance(error, duckdb.Error) else f"{error.strerror or error}"
    if opening and isinstance(error, duckdb.Error) and ("not a valid DuckDB database" in text or "sqlite" in text.lower()):
        return WarehouseError(f"{path} is not a DuckDB warehouse file: give --db the warehouse newsflow made")
    if opening and "version number" in text:
        return WarehouseError(f"{path} was written by another DuckDB than this newsflow's ({duckdb.__version__}): {text}")
    if isinstance(error, duckdb.OutOfMemoryException):
        return WarehouseError(f"DuckDB ran out of memory working on {path}: {text}")
    if isinstance(error, duckdb.FatalException):
        return WarehouseError(f"{path}: DuckDB stopped on a fatal error ({text}); the file recovers from its log when next opened")
    where = f"cannot open {path}: " if opening else ""
    if DISK_TROUBLE.search(text):
        return WarehouseError(f"{where}{text} (is the disk full, or the folder read-only?)")
    return WarehouseError(f"{where}{text}" + ("; check --db (or NEWSFLOW_DB)" if opening else ""))


def with_lock_wait(path: Path, wait: float, attempt: Callable[[], T]) -> T:
    """Run `attempt` (an open or ATTACH of `path`), retrying with backoff while another process holds its lock."""
    start, pause = time.monotonic(), 0.02
    while True:
        try:
            return attempt()
        except duckdb.IOException as e:
            waited = time.monotonic() - start
            if "Could not set lock" not in str(e):
                raise
            if waited >= wait:
                raise WarehouseLocked(_locked_message(path, e, waited)) from None
            time.sleep(min(pause, wait - waited))
            pause = min(pause * 2, 0.5)


def require(path: str | Path) -> Path:
    """`path` if a warehouse file is there; else `WarehouseError` saying how to make one (commands that must not create it)."""
    path = _not_a_folder(Path(path))
    if not path.is_file():
        raise WarehouseError(f"no warehouse at {path}: check --db (or NEWSFLOW_DB), or make one with `newsflow ingest` or `newsflow demo`")
    return path


def _not_a_folder(path: Path) -> Path:
    """`path`, unless it names a folder: a bad setting (`ConfigError`, exit 2), found before anything is opened."""
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a warehouse file: give --db (or NEWSFLOW_DB) a file path such as {path / 'newsflow.duckdb'}")
    return path


@contextlib.contextmanager
def connect(
    path: str | Path, read_only: bool = False, wait: float | None = None, create: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a writable open brings the schema up to date first.

    A read-only open, or one with `create=False`, needs the file to exist. A file
    locked by another process is retried for `wait` seconds (default
    `NEWSFLOW_LOCK_WAIT`, 30), then `WarehouseLocked` says who holds it. A disk or
    file failure while the connection is open becomes a `WarehouseError`.
    """
    path = _not_a_folder(Path(path))
    if read_only or not create:
        require(path)
    wait = Settings.from_env().lock_wait if wait is None else wait
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = with_lock_wait(path, wait, lambda: _open(path, read_only))
    except (OSError, duckdb.Error) as e:  # no folder, no permission, a foreign file (SQLite), a full disk
        raise storage_error(path, e) from None
    try:
        con.execute(SESSION)
        if not read_only:
            migrate(con)
        yield con
    except duckdb.Error as e:
        if not is_storage_trouble(e):
            raise
        raise storage_error(path, e, opening=False) from e
    finally:
        with _opening:
            con.close()


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    with _opening:
        return duckdb.connect(str(path), read_only=read_only, config=CONFIG)


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the same safe settings, for work that attaches files itself."""
    return duckdb.connect(":memory:", config=CONFIG)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def statement(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> duckdb.DuckDBPyConnection:
    """Run one statement a user wrote; `QueryError` with DuckDB's first line when it fails."""
    if not sql.strip():
        raise QueryError("the query is empty: give a SQL statement, e.g. newsflow sql \"select count(*) from articles\"")
    try:
        return con.execute(sql, params or [])
    except duckdb.Error as e:
        if is_storage_trouble(e):
            raise
        raise QueryError(first_line(e)) from None


def query(path: str | Path, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one statement on a read-only connection: (column names, rows)."""
    with connect(path, read_only=True) as con:
        cur = statement(con, sql, params)
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()

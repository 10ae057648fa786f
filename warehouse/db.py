"""The one door to DuckDB: open a warehouse file, migrate it, run queries.

A process holding the file for writing locks out every other process, readers
included, so writers open it for the shortest time that does the job: one
transaction per batch. Opening a locked file is retried for a bounded time
(`NEWSFLOW_LOCK_WAIT` seconds), then fails naming the process that holds it.

DuckDB's own errors stop here: what a user can cause (a missing, locked or foreign
file, a full or read-only disk, a bad query) leaves as a `schemas.errors.WarehouseError`
with one line that says what to do. Nothing here goes online for DuckDB extensions:
connections never install or load one on their own, their extension repository is a local
folder that holds none, and a user's statement that would install one, load one that is not
on disk, or change those settings is refused (`offline_only`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
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
# Where DuckDB would install extensions from: a local folder that holds none, so that an INSTALL that
# gets past `offline_only` fails at once ("no access to the file") instead of reaching the network.
NO_EXTENSIONS = Path(__file__).resolve().parent / "no-extensions"
# Every connection: no extension is fetched or loaded behind the user's back (a SQLite file
# given as --db would otherwise make DuckDB download its sqlite extension).
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
          "custom_extension_repository": str(NO_EXTENSIONS)}
# Settings that decide where extensions come from: a user's statement may not change them.
EXTENSION_SETTINGS = re.compile(r"\b(?:\w*extension_repository|autoinstall_known_extensions|autoload_known_extensions|"
                                r"allow_community_extensions|allow_unsigned_extensions|extension_directory)\b", re.I)
# Every writable connection: a checkpoint writes what was loaded and never merges it into the row groups before it
# (DuckDB's `max_vacuum_tasks`, default 100). DuckDB's vacuum merged the small row group each load appends into the
# ones loaded before, until they held about 2,048 rows: each load's close rewrote up to ten loads' raw pages again,
# 4 -> 66 MiB and 0.04 -> 0.85 s in a saw-tooth over every ten 200-article loads, and left 36-43 % of the file as
# free blocks. Without it, each close writes what the load brought: 10-13 MiB, 0.1-0.2 s (a 6,000-article run of
# `bench/ingest.py`'s flow; `bench/checkpoint.py` shows both in one run). The row groups stay as loaded, a load's
# deleted rows stay marked until `newsflow compact` rewrites the file (docs/operations.md, "Free blocks and compaction").
LOADS = {"max_vacuum_tasks": 0}
# Opening and closing connections, one thread at a time: the connections of a process share one database
# instance, which closing the last of them tears down; a connection opened meanwhile in another thread can
# get an instance without its Python scans ("Table Function with name python_arrow_scan does not exist",
# DuckDB 2.0.1, seen in 4 of 600 opens from three threads). The flows load in one thread while they read in another.
_opening = threading.Lock()
# Every session: times in UTC, and no progress bar drawn into the output of a long query.
SESSION = "SET TimeZone = 'UTC'; SET enable_progress_bar = false"
# A whole-database copy (`COPY FROM DATABASE`: the snapshot, compaction) runs on one thread with a memory limit
# of COPY_MEMORY: DuckDB evicts the blocks it has read beyond that, but the indexes it builds must fit in memory.
# A copy that runs out tries once more with the source file's size plus COPY_WORKSPACE, the bound all copies had
# before. Peak RSS of the upkeep's snapshot copy of a 1,200 MiB warehouse (20,000 articles, 670,000 mentions;
# /work notes, `bench/memory.py`): 1,446 MiB in 9.4 s with the file-size bound, 358 MiB in 10.0 s with 256 MiB;
# 128 MiB ran out of memory. A fixed 64 MB ran out on a 206 MiB file with 600,000 mentions.
COPY_MEMORY = 256 * 2**20
COPY_WORKSPACE = 64 * 2**20
# DuckDB's words for a memory limit reached (an `OutOfMemoryException`, or a commit that could not pin a block).
OUT_OF_MEMORY = re.compile(r"out of memory|failed to pin block|could not allocate", re.I)
# What DuckDB raises when the disk or the file system is the problem, not our SQL (the memory: `ran_out_of_memory`).
STORAGE_ERRORS = (duckdb.IOException, duckdb.FatalException)

# Words of the OS and DuckDB for a disk that is full, read-only or not ours to write.
DISK_TROUBLE = re.compile(r"No space left|Read-only file system|Permission denied|File too large|Disk quota|Operation not permitted", re.I)

T = TypeVar("T")


def ran_out_of_memory(error: BaseException) -> bool:
    """A DuckDB error saying its memory limit was reached: an `OutOfMemoryException`, or another error in `OUT_OF_MEMORY`'s words."""
    return isinstance(error, duckdb.OutOfMemoryException) or (isinstance(error, duckdb.Error) and bool(OUT_OF_MEMORY.search(str(error))))


def is_storage_trouble(error: BaseException) -> bool:
    """A DuckDB error caused by the disk, the file system or the memory: one of `STORAGE_ERRORS`, one that `ran_out_of_memory`,
    or any other DuckDB error (a transaction that cannot write its `.wal`, say) that names a `DISK_TROUBLE`."""
    if isinstance(error, STORAGE_ERRORS) or ran_out_of_memory(error):
        return True
    return isinstance(error, duckdb.Error) and bool(DISK_TROUBLE.search(str(error)))


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
    return (
        f"{path} is locked by {_holder(error)}; waited {waited:.0f} s. "
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
    if ran_out_of_memory(error):
        return WarehouseError(f"DuckDB ran out of memory working on {path}: {text}")
    if isinstance(error, duckdb.FatalException):
        return WarehouseError(f"{path}: DuckDB stopped on a fatal error ({text}); the file recovers from its log when next opened")
    where = f"cannot open {path}: " if opening else ""
    if DISK_TROUBLE.search(text):
        return WarehouseError(f"{where}{text} (is the disk full, or the folder read-only?)")
    return WarehouseError(f"{where}{text}" + ("; check --db (or NEWSFLOW_DB)" if opening else ""))


class StoppedWaiting(KeyboardInterrupt):
    """Ctrl-C while waiting for another process's lock on the warehouse; `str()` is the one line to print."""


def _holder(error: Exception) -> str:
    found = re.search(r"held in (.*?) \(PID (\d+)\)", str(error))
    return f"process {found[2]} ({found[1]})" if found else "another process"


def with_lock_wait(path: Path, wait: float, attempt: Callable[[], T]) -> T:
    """Run `attempt` (an open or ATTACH of `path`), retrying with backoff while another process holds its lock.

    Raises `WarehouseLocked` after `wait` seconds, and `StoppedWaiting` on Ctrl-C (KeyboardInterrupt) while waiting.
    """
    return waiting(
        attempt, wait, held_by_another,
        timed_out=lambda e, waited: WarehouseLocked(_locked_message(path, e, waited)),
        stopped=lambda e: f"stopped while waiting for the warehouse {path}, which {_holder(e)} holds; nothing was done")


def held_by_another(error: BaseException) -> bool:
    """Whether DuckDB refused to open or attach a file because another process holds its lock."""
    return isinstance(error, duckdb.IOException) and "Could not set lock" in str(error)


def waiting(attempt: Callable[[], T], wait: float, busy: Callable[[Exception], bool],
            timed_out: Callable[[Exception, float], Exception], stopped: Callable[[Exception], str]) -> T:
    """Run `attempt`, again after a pause (20 ms, doubling up to 0.5 s) while it fails with an error that `busy` accepts
    (another process holds what it takes), for `wait` seconds (`math.inf`: for as long as it takes). Then raises
    `timed_out(error, seconds waited)`; Ctrl-C while waiting raises `StoppedWaiting(stopped(error))`. Any other error
    of `attempt` is raised as it is."""
    start, pause = time.monotonic(), 0.02
    while True:
        try:
            return attempt()
        except Exception as e:
            if not busy(e):
                raise
            waited = time.monotonic() - start
            if waited >= wait:
                raise timed_out(e, waited) from None
            try:
                time.sleep(min(pause, wait - waited))
            except KeyboardInterrupt:
                raise StoppedWaiting(stopped(e)) from None
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

    A writable connection works within `NEWSFLOW_MEMORY_LIMIT` from its open on, replaying a log included (DuckDB's
    `memory_limit`, for the process: its connections to one file share one database; default 512 MiB; DuckDB's own
    default, 80 % of RAM, let a flow's cache grow with the warehouse: 1,720 MiB in a 20,000-article run, `bench/ingest.py`).
    DuckDB evicts what it read and loads index nodes as it needs them: loads into a 60,000-article warehouse ran within
    128 MiB, and ran out at 64 (docs/operations.md, "Memory"). A read-only connection keeps DuckDB's default, for a user's queries.
    A writable connection's checkpoints do not vacuum (`LOADS`).
    A read-only open, or one with `create=False`, needs the file to exist. A file
    locked by another process is retried for `wait` seconds (default
    `NEWSFLOW_LOCK_WAIT`, 30), then `WarehouseLocked` says who holds it. A disk or
    file failure while the connection is open becomes a `WarehouseError`.
    """
    path = _not_a_folder(Path(path))
    if read_only or not create:
        require(path)
    settings = Settings.from_env()
    wait = settings.lock_wait if wait is None else wait
    config = CONFIG if read_only else {**CONFIG, **LOADS, "memory_limit": f"{settings.memory_limit_bytes // 2**20}MiB"}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = with_lock_wait(path, wait, lambda: _open(path, read_only, config))
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
        error = storage_error(path, e, opening=False)
        if ran_out_of_memory(e) and not read_only:
            error = WarehouseError(f"{error}; newsflow writes within NEWSFLOW_MEMORY_LIMIT={settings.memory_limit}: raise it")
        raise error from e
    finally:
        with _opening:
            con.close()


def _open(path: Path, read_only: bool, config: dict[str, object]) -> duckdb.DuckDBPyConnection:
    with _opening:
        return duckdb.connect(str(path), read_only=read_only, config=config)


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the same safe settings, for work that attaches files itself."""
    return duckdb.connect(":memory:", config=CONFIG)


def sql_literal(path: Path) -> str:
    """A file path as a SQL string literal, for ATTACH and COPY."""
    return "'" + str(path).replace("'", "''") + "'"


def attached_storage_version(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """The DuckDB storage version of the database attached as `name`, as ATTACH's STORAGE_VERSION takes it: "v2.0.0"."""
    return con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = ?", [name]).fetchone()[0].rstrip("+")


def storage_version(path: Path) -> str:
    """The DuckDB storage version of the database file `path` ("v2.0.0"); `WarehouseError` naming it if it cannot be read."""
    con = memory()
    try:
        try:
            con.execute(f"ATTACH {sql_literal(path)} AS source (READ_ONLY)")
        except duckdb.Error as e:
            raise storage_error(path, e) from None
        return attached_storage_version(con, "source")
    finally:
        con.close()


def copy_database(source: Path, target: Path, storage_version: str | None = None,
                  then: Callable[[duckdb.DuckDBPyConnection], T] | None = None) -> T | None:
    """Write the tables, views, macros and sequences of the database file `source` into the new file `target`, in
    `storage_version` (default: the source's own), on one thread within COPY_MEMORY (then, if DuckDB runs out, the
    source's size plus COPY_WORKSPACE), spilling into `spill_folder(target)`. `then(con)`, with both files attached
    as `source` and `target`, runs after the copy; its result is returned.

    A failure to read `source` is a `WarehouseError` naming it; anything else is DuckDB's own error."""
    bigger = source.stat().st_size + COPY_WORKSPACE
    limits = (COPY_MEMORY, bigger) if bigger > COPY_MEMORY else (COPY_MEMORY,)
    for attempt, limit in enumerate(limits):
        try:
            with copy_session(target, limit) as con:
                try:
                    con.execute(f"ATTACH {sql_literal(source)} AS source (READ_ONLY)")
                except duckdb.Error as e:
                    raise storage_error(source, e) from None
                version = storage_version or attached_storage_version(con, "source")
                con.execute(f"ATTACH {sql_literal(target)} AS target (STORAGE_VERSION '{version}')")
                con.execute("COPY FROM DATABASE source TO target")
                result = then(con) if then else None
                con.execute("DETACH target")
                return result
        except duckdb.Error as e:
            if attempt == len(limits) - 1 or not ran_out_of_memory(e):
                raise
        remove(target)  # a copy that ran out of memory starts again from nothing
    return None


@contextlib.contextmanager
def copy_session(target: Path, limit: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection for work that writes the database file `target` (whole or in part): on one thread, within
    `limit` bytes (default COPY_MEMORY), spilling into `spill_folder(target)`, which is removed with the connection."""
    con = memory()
    try:
        con.execute(f"SET threads = 1; SET memory_limit = '{(COPY_MEMORY if limit is None else limit) // 2**20}MiB'; "
                    f"SET temp_directory = {sql_literal(spill_folder(target))}")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill_folder(target), ignore_errors=True)


def wal(path: Path) -> Path:
    """DuckDB's write-ahead log of a database file."""
    return path.with_name(path.name + ".wal")


def spill_folder(path: Path) -> Path:
    """Where DuckDB spills what does not fit in memory while it writes the database file `path` (a whole-database copy):
    beside it, on the disk that holds it, never in the working folder."""
    return path.with_name(path.name + ".tmp")


def remove(path: Path) -> None:
    """Remove a database file, its write-ahead log and its spill folder, whichever exist."""
    for f in (path, wal(path)):
        with contextlib.suppress(FileNotFoundError):
            f.unlink()
    shutil.rmtree(spill_folder(path), ignore_errors=True)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def offline_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse (`ConfigError`, one line) the statements of `sql` that could take DuckDB online for an extension:
    INSTALL (in any form), LOAD of an extension not already on disk, and SET or RESET of the settings that
    say where extensions come from. SQL that DuckDB cannot split into statements is left to DuckDB's own error."""
    try:
        found = duckdb.extract_statements(sql)
    except duckdb.Error:
        return
    for s in found:
        text = s.query.strip().rstrip(";").strip()
        if s.type == duckdb.StatementType.LOAD:
            load = re.fullmatch(r"load\s+(['\"]?)(.+?)\1", text, re.I | re.S)
            if load is None:
                raise ConfigError(f"{text!r}: newsflow never installs DuckDB extensions (that would go online); "
                                  "install one with your own duckdb, then LOAD it here")
            if not _on_disk(con, load[2]):
                raise ConfigError(f"{text!r}: the DuckDB extension {load[2]} is not installed, and newsflow never installs "
                                  "extensions (that would go online); install it with your own duckdb, then LOAD it here")
        elif s.type in (duckdb.StatementType.SET, duckdb.StatementType.PRAGMA) and EXTENSION_SETTINGS.search(text):
            raise ConfigError(f"{text!r}: newsflow keeps DuckDB's extension settings so that nothing goes online; run it in your own duckdb")


def _on_disk(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when the extension `name` (or a path to its file) is built in, loaded, or installed on this machine."""
    if name.endswith(".duckdb_extension"):
        return Path(name).expanduser().is_file()
    return bool(con.execute("SELECT count(*) FROM duckdb_extensions() WHERE lower(extension_name) = lower(?) "
                            "AND (installed OR loaded)", [name]).fetchone()[0])


def statement(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> duckdb.DuckDBPyConnection:
    """Run one statement a user wrote; `QueryError` with DuckDB's first line when it fails, `ConfigError` when
    it would take DuckDB online for an extension (`offline_only`)."""
    if not sql.strip():
        raise QueryError("the query is empty: give a SQL statement, e.g. newsflow sql \"select count(*) from articles\"")
    offline_only(con, sql)
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

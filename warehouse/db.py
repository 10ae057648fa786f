"""The one door to DuckDB: open a warehouse file, migrate it, run queries.

A process holding the file for writing locks out every other process, readers
included, so writers open it for the shortest time that does the job: one
transaction per batch. Opening a locked file is retried for a bounded time
(`NEWSFLOW_LOCK_WAIT` seconds), then fails naming the process that holds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

MIGRATIONS = "migrations"
LOCK_WAIT_S = 30.0  # a flow holds the file for one batch load: seconds, not minutes


class WarehouseLocked(duckdb.IOException):
    """Another process held the warehouse file for longer than we were willing to wait."""


def lock_wait() -> float:
    return float(os.environ.get("NEWSFLOW_LOCK_WAIT", LOCK_WAIT_S))


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, oldest first."""
    found = []
    for f in resources.files("warehouse").joinpath(MIGRATIONS).iterdir():
        if f.name.endswith(".sql"):
            found.append((int(f.name.split("_", 1)[0]), f.name, f.read_text()))
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


def _locked_message(path: Path, error: duckdb.IOException, waited: float) -> str:
    found = re.search(r"held in (.*?) \(PID (\d+)\)", str(error))
    holder = f"process {found[2]} ({found[1]})" if found else "another process"
    return (
        f"{path} is locked by {holder}; waited {waited:.0f} s. "
        "A newsflow flow holds the file only while it loads a batch; a duckdb CLI, notebook or Python session "
        "holds it until it closes its connection. To read while a flow writes, use the published snapshot: "
        f"`newsflow sql --snapshot ...` or `duckdb -readonly {snapshot_path(path)}`. "
        "Otherwise close that session, or wait longer with NEWSFLOW_LOCK_WAIT=<seconds>."
    )


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying with backoff while another process holds its lock."""
    start, pause = time.monotonic(), 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            waited = time.monotonic() - start
            if "Could not set lock" not in str(e):
                raise
            if waited >= wait:
                raise WarehouseLocked(_locked_message(path, e, waited)) from None
            time.sleep(min(pause, wait - waited))
            pause = min(pause * 2, 0.5)


@contextlib.contextmanager
def connect(path: str | Path, read_only: bool = False, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a writable open brings the schema up to date first.

    A file locked by another process is retried for `wait` seconds (default
    `NEWSFLOW_LOCK_WAIT`, 30), then `WarehouseLocked` says who holds it.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `newsflow ingest` or `newsflow demo` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, lock_wait() if wait is None else wait)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def query(path: str | Path, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one statement on a read-only connection: (column names, rows)."""
    with connect(path, read_only=True) as con:
        cur = con.execute(sql, params or [])
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()

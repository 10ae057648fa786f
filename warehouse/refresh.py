"""The snapshot's base: a copy of the warehouse in the snapshot's storage version, kept beside the
snapshot and brought up to date by the rows that changed, so that publishing a snapshot in an older
storage version writes what changed since the last one, not the whole warehouse again.

Writing a database in another storage version (`COPY FROM DATABASE`) re-encodes and compresses
every row: 23-26 s at 50,400 articles (1,732 MiB, `bench/upkeep.py`), for runs that change a few
hundred articles. The base, `.{snapshot name}.base` beside the snapshot, is that copy, made once;
each publish then brings it up to date (`refresh`), and the snapshot is a byte copy of it. It
takes as much disk as the snapshot; removing it costs the next publish a whole rewrite, nothing else.

How a table is brought up to date: its rows are grouped by its PRIMARY KEY or, in a table without
one (migrations 017 and 018), by the first of GROUP_COLUMNS it has (a raw page's `sha256`, an
article's `url`), else its first column (`agreement_parties.agreement_id`). Each group's fingerprint
(`_FINGERPRINTS`) is read from both files, and every group whose fingerprint differs is deleted
from the base and copied again from the warehouse. That reads both files' tables whole (but for
the raw pages' bodies, `NAMED_BY_HASH`) and writes only what changed. Sequences are advanced to
the warehouse's values. It all happens in one transaction of the base: a process killed mid-way
leaves the base as it was.

The base is made again from nothing (`warehouse.db.copy_database`) when it is missing, does not
open, is in another storage version, has grown to REWRITE_GROWTH times the size it was written
at (what it holds grew, or the rows its updates deleted: DuckDB keeps them in place), cannot be
brought up to date (any DuckDB error: out of memory, a constraint), or was made from a warehouse whose catalog (its tables, views, macros,
indexes, types, comments, and sequences without their current values, as the warehouse's DuckDB
prints them) is not the warehouse's now: a migration, or a DuckDB that prints them otherwise. The
catalog it was made from is kept in `.{snapshot name}.base.catalog` (the SHA-256 of that text,
and the base's size then), written once the base is whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from schemas.errors import WarehouseError
from warehouse.copies import sync
from warehouse.db import attached_storage_version, copy_database, copy_session, first_line, held_by_another, memory, remove, sql_literal

# A group's fingerprint: its number of rows and the sum of its rows' 64-bit hashes (DuckDB's `hash` of the row's
# columns; a nested column as JSON, since `hash` gives a NULL list and an empty one the same value, and two adjacent
# lists the same value however their items are split between them). Two different groups share a fingerprint with
# odds of about 2**-64. An exact comparison (EXCEPT ALL) held whole tables in memory, raw pages included, and ran out
# of 256 MiB at 20,000 articles.
_FINGERPRINTS = "SELECT {keys}, count(*) AS n, sum(hash({row})) AS h FROM {table} GROUP BY ALL"
NESTED = ("[", "STRUCT(", "MAP(", "UNION(")  # the marks of a nested type in DuckDB's name of a column's type
# Columns a fingerprint leaves out: a raw page's body is named by its `sha256` (of the body as served, migration 001),
# which the fingerprint holds; hashing the bodies (29 KiB an article) was 44 % of the update at 20,000 articles.
NAMED_BY_HASH = {("raw_documents", "body")}
GROUP_COLUMNS = ("sha256", "url")  # what the rows of a table without a key belong to, the first of these it has
# The base is written anew, compactly, once it is this many times the size it was written at: the rows its updates
# delete stay in its file, and a rewrite at each doubling costs, over the base's life, about one more rewrite of it.
REWRITE_GROWTH = 2.0


@dataclass(frozen=True)
class Refresh:
    """What `refresh` did: `made` when the base was made again from nothing, else how many groups of rows it replaced."""

    made: bool
    groups: int


def base_path(snapshot: Path) -> Path:
    """The base kept for the snapshot at `snapshot`: `.{name}.base` beside it."""
    return snapshot.with_name(f".{snapshot.name}.base")


def _catalog_path(base: Path) -> Path:
    return base.with_name(base.name + ".catalog")


def drop(snapshot: Path) -> None:
    """Remove the base of `snapshot` and its catalog stamp, if any (a snapshot written another way needs none)."""
    base = base_path(snapshot)
    _catalog_path(base).unlink(missing_ok=True)
    remove(base)


def refresh(source: Path, snapshot: Path, storage: str) -> Refresh:
    """Bring the base of `snapshot` up to date with the database file `source` (a private copy of the warehouse, no log
    beside it), in storage version `storage` ("v1.4.0"); make it from nothing when it cannot be (module docstring).
    Returns what it did. A failure to read `source` is a `WarehouseError` naming it; a failure to make the base is
    DuckDB's own error or an `OSError`, and leaves no base."""
    base = base_path(snapshot)
    stamp = _catalog_path(base)
    catalog = _catalog(source)
    if _current(base, catalog):
        try:
            return Refresh(False, _update(source, base, storage))
        except (_Stale, duckdb.Error):
            pass
    drop(snapshot)
    try:
        copy_database(source, base, storage)
        sync(base)  # the stamp names a base on disk: after a power loss the next publish finds it whole, or makes it again
        stamp.write_text(f"{catalog} {base.stat().st_size}")
        sync(stamp)
        sync(base.parent)
    except BaseException:
        drop(snapshot)
        raise
    return Refresh(True, 0)


def _current(base: Path, catalog: str) -> bool:
    """Whether `base` can be brought up to date: its stamp (`{catalog} {bytes when written}`) names the warehouse's catalog,
    and it has not grown to REWRITE_GROWTH times its size when written."""
    try:
        made_from, size = _catalog_path(base).read_text().split()
        return made_from == catalog and base.stat().st_size < REWRITE_GROWTH * int(size)
    except (OSError, ValueError):  # no base, no stamp, or a stamp an older newsflow wrote
        return False


class _Stale(Exception):
    """The base cannot be brought up to date: it does not open, or is in another storage version."""


def _catalog(path: Path) -> str:
    """The SHA-256 of the catalog of the database file `path` (module docstring) as DuckDB prints it."""
    con = memory()
    try:
        con.execute(f"ATTACH {sql_literal(path)} AS source (READ_ONLY)")
        parts = con.execute(
            "SELECT 'table', schema_name, table_name, sql, comment FROM duckdb_tables() WHERE database_name = 'source' "
            "UNION ALL SELECT 'column', table_name, column_name, NULL, comment FROM duckdb_columns() WHERE database_name = 'source' "
            "UNION ALL SELECT 'view', schema_name, view_name, sql, comment FROM duckdb_views() WHERE database_name = 'source' AND NOT internal "
            "UNION ALL SELECT function_type, schema_name, function_name, macro_definition, comment FROM duckdb_functions() "
            "WHERE database_name = 'source' AND NOT internal "
            "UNION ALL SELECT 'index', schema_name, index_name, sql, comment FROM duckdb_indexes() WHERE database_name = 'source' "
            "UNION ALL SELECT 'type', schema_name, type_name, logical_type, comment FROM duckdb_types() "
            "WHERE database_name = 'source' AND NOT internal "
            "UNION ALL SELECT 'sequence', schema_name, sequence_name, concat_ws(' ', increment_by, min_value, max_value, cycle), comment "
            "FROM duckdb_sequences() WHERE database_name = 'source' "
            "ORDER BY ALL").fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _update(source: Path, base: Path, storage: str) -> int:
    """Replace, in one transaction of `base`, every group of rows that differs from `source`, and advance its sequences;
    returns the number of groups replaced. On one thread, within COPY_MEMORY, spilling beside the base."""
    with copy_session(base) as con:
        con.execute(f"ATTACH {sql_literal(source)} AS source (READ_ONLY)")
        try:
            con.execute(f"ATTACH {sql_literal(base)} AS base")
        except duckdb.Error as e:
            if held_by_another(e):  # not broken: open in a process that is not a publisher (`snapshot.publishing`)
                raise WarehouseError(f"the snapshot's base {base} is open in another process ({first_line(e)})") from None
            raise _Stale from None
        if attached_storage_version(con, "base") != storage:
            raise _Stale
        con.execute("BEGIN")
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'source' ORDER BY ALL").fetchall()
        groups = sum(_update_table(con, schema, table) for schema, table in tables)
        behind = con.execute(  # nextval calls that take the base's sequence to the warehouse's last value
            "SELECT s.schema_name, s.sequence_name, "
            "(s.last_value - coalesce(b.last_value + b.increment_by, b.start_value)) // s.increment_by + 1 "
            "FROM duckdb_sequences() s JOIN duckdb_sequences() b USING (schema_name, sequence_name) "
            "WHERE s.database_name = 'source' AND b.database_name = 'base' AND s.last_value IS NOT NULL").fetchall()
        for schema, name, calls in behind:
            if calls > 0:
                con.execute(f"SELECT max(nextval('base.{_ident(schema)}.{_ident(name)}')) FROM range({int(calls)})").fetchall()
        con.execute("COMMIT")
        return groups


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[list[str], list[str]]:
    """The columns whose values name a group of the table's rows (module docstring), and the terms its fingerprint hashes."""
    key = con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = 'source' "
                      "AND schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'", [schema, table]).fetchall()
    columns = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'source' "
                          "AND schema_name = ? AND table_name = ? ORDER BY column_index", [schema, table]).fetchall()
    names = [c for c, _ in columns]
    groups = list(key[0][0]) if key else next(([c] for c in GROUP_COLUMNS if c in names), names[:1])
    hashed = [f"to_json({_ident(c)})" if any(mark in kind for mark in NESTED) else _ident(c)
              for c, kind in columns if (table, c) not in NAMED_BY_HASH]
    return groups, hashed


def _update_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """Replace in the base the groups of rows of `schema.table` that differ from the warehouse's; returns how many."""
    groups, hashed = _columns(con, schema, table)
    keys, row = ", ".join(_ident(c) for c in groups), ", ".join(hashed)
    src, dst = f"source.{_ident(schema)}.{_ident(table)}", f"base.{_ident(schema)}.{_ident(table)}"
    same = " AND ".join(f"s.{_ident(c)} IS NOT DISTINCT FROM b.{_ident(c)}" for c in groups)
    changed = con.sql(
        f"SELECT {', '.join(f'coalesce(s.{_ident(c)}, b.{_ident(c)}) AS {_ident(c)}' for c in groups)} "
        f"FROM ({_FINGERPRINTS.format(keys=keys, row=row, table=src)}) s "
        f"FULL JOIN ({_FINGERPRINTS.format(keys=keys, row=row, table=dst)}) b ON {same} "
        "WHERE s.n IS DISTINCT FROM b.n OR s.h IS DISTINCT FROM b.h").to_arrow_table()
    if not changed.num_rows:
        return 0
    match = " AND ".join(f"t.{_ident(c)} IS NOT DISTINCT FROM changed.{_ident(c)}" for c in changed.column_names)
    con.execute(f"DELETE FROM {dst} t USING changed WHERE {match}")
    con.execute(f"INSERT INTO {dst} SELECT t.* FROM {src} t SEMI JOIN changed ON {match}")
    return changed.num_rows

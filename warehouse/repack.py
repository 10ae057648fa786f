"""Merging the small row groups that loads leave at the end of a table.

Loads checkpoint without DuckDB's vacuum (`warehouse.db.LOADS`), so each load that adds rows to
a table leaves them in a row group of their own. A table to which every batch adds a few rows
ends up with one tiny row group per batch: after a 10,000-article run of 50 batches, `entities`
held 1,677 rows in 50 row groups and `agreement_reports` 999 rows in 51. Every statement that
looks rows up pays for each row group it visits, so the loads that upsert and look up those rows
grew with the number of batches before them, not with their rows: an upsert of 1,000 of the 20,000
rows of `entities` took 9.1 ms in 1 row group, 14.7 ms in 50 and 56.5 ms in 200, and the close
after it 12.8, 11.6 and 29.2 ms; in one row group again, 7.4, 6.7 and 9.2 ms (`bench/row_groups.py`,
DuckDB 2.0.1, medians of 5).

So a table's tail, its last row groups of fewer than SMALL_ROWS rows each, is written again as one
row group once it holds TAIL_GROUPS of them: in one transaction, its live rows are read, deleted and
inserted again. Row groups whose rows are all deleted are dropped at the next checkpoint. A merged
tail is itself small until it holds SMALL_ROWS rows, so a row is written again at most about
SMALL_ROWS / (rows a batch adds) / TAIL_GROUPS times, and a merge writes at most about
SMALL_ROWS + TAIL_GROUPS x (rows a batch adds) rows. Tables whose rows are large are left as loaded
(`LEFT_AS_LOADED`): merging raw pages is the rewrite `LOADS` was made to avoid.

Who merges: the flows after every REPACK_EVERY loads in one process (`after_load`), a tail of at
most IN_RUN_MAX_ROWS rows; and the upkeep after every run (`warehouse.maintenance`), any tail, so
that runs of few batches are merged too, and so is the first tail of a warehouse an older newsflow
left (every small row group it has: 2.9 s for 10,000 articles loaded in 50 batches).
`newsflow compact` rewrites every table in full row groups.

Where the tail starts: a row's `rowid` stays what it was when the row was stored. Row groups whose
rows were all deleted are dropped at a checkpoint, and their row ids are not used again (a gap),
so a row group's first row id is not the sum of the rows before it. The tail is found from the
table's end instead: its row groups hold as many row ids as their rows, deleted ones included
(`pragma_storage_info`), and nothing comes after them, so it starts that many ids before the
table's last row id. When the table's last rows are deleted, that lands up to as many ids earlier,
and those rows of the row group before move with the tail; when a row group inside the tail was
dropped, it lands later, and the tail's first rows wait for the next merge. Either way every row
stays, once: the rows are chosen, deleted and inserted again by one condition, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse.db import transaction

SMALL_ROWS = 2048  # a row group of fewer rows than one DuckDB vector is small
TAIL_GROUPS = 16  # small row groups at a table's end that are merged into one
REPACK_EVERY = 16  # loads in one process between two merges (`after_load`)
IN_RUN_MAX_ROWS = SMALL_ROWS * (TAIL_GROUPS + 1)  # the most a tail holds that formed since the last merge
# Tables never merged: a raw page's body is 29 KiB (farm pages), so merging 16 loads' pages would write
# about 90 MiB at a load's close, the saw-tooth `warehouse.db.LOADS` removed.
LEFT_AS_LOADED = frozenset({"raw_documents"})

_loads: dict[Path, int] = {}  # loads since the last merge, per warehouse, in this process


def tails(con: duckdb.DuckDBPyConnection, max_rows: int | None = None, stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Merge the small tail of every table of the main schema that has TAIL_GROUPS small row groups at its end
    (module docstring) and at most `max_rows` rows, each table in a transaction of its own, until `stop()`;
    returns {table: rows written again}. DuckDB's errors are raised, the table being merged left as it was."""
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY table_name").fetchall() if t not in LEFT_AS_LOADED]
    merged = {}
    for table in tables:
        if stop():
            break
        with transaction(con):
            first = _tail_start(con, table, max_rows)
            if first is None:
                continue
            con.execute(f'CREATE TEMP TABLE temp.repack_tail AS SELECT * FROM "{table}" WHERE rowid >= {first}')
            (merged[table],) = con.execute(f'DELETE FROM "{table}" WHERE rowid >= {first}').fetchone()
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM temp.repack_tail')
            con.execute("DROP TABLE temp.repack_tail")
    return merged


def _tail_start(con: duckdb.DuckDBPyConnection, table: str, max_rows: int | None) -> int | None:
    """The first row id of the table's small tail (module docstring), or None while it has fewer than TAIL_GROUPS
    small row groups or more than `max_rows` rows."""
    counts = [n for (n,) in con.execute(
        "SELECT sum(count) FILTER (WHERE column_id = 0 AND column_path = '[0]') FROM pragma_storage_info(?) "
        "GROUP BY row_group_id ORDER BY row_group_id", [table]).fetchall()]
    small = 0
    while small < len(counts) and counts[len(counts) - 1 - small] < SMALL_ROWS:
        small += 1
    ids = sum(counts[len(counts) - small:])
    if small < TAIL_GROUPS or (max_rows is not None and ids > max_rows):
        return None
    (end,) = con.execute(f'SELECT max(rowid) + 1 FROM "{table}"').fetchone()
    return None if end is None else max(end - ids, 0)


def after_load(con: duckdb.DuckDBPyConnection, db: str | Path, stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Count a load of `db` that just committed on `con`; every REPACK_EVERY loads in this process, merge the small
    tails of at most IN_RUN_MAX_ROWS rows (`tails`) until `stop()`. Returns what was merged ({} when not due).
    A merge that fails is given up: the load it follows is stored, and the upkeep after the run merges again
    and logs why it could not."""
    key = Path(db).resolve()
    _loads[key] = _loads.get(key, 0) + 1
    if _loads[key] < REPACK_EVERY:
        return {}
    _loads[key] = 0
    try:
        return tails(con, IN_RUN_MAX_ROWS, stop)
    except duckdb.Error:
        return {}

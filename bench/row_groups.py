"""What small row groups cost a load, and what merging them (`warehouse.repack`) gives back.

Loads leave each load's rows in a row group of their own (`warehouse.db.LOADS`). This builds the
same `entities` table of 20,000 rows in a fresh warehouse by 1, 50 and 200 loads (each a
transaction and a close, as the flows load), then times what a batch's facts load does to it:
an upsert of 1,000 of its rows (`INSERT ... ON CONFLICT DO UPDATE`, as `warehouse.facts`) and a
lookup of 1,000 ids, and the close's checkpoint; 5 rounds each, median ms. Then it merges the
tables' small tails (`warehouse.repack.tails`), prints how long that took, and times the same again.

    .venv/bin/python bench/row_groups.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse import repack
from warehouse.db import connect

ROWS, TOUCHED, ROUNDS = 20_000, 1_000, 5


def build(db: Path, loads: int) -> None:
    per = ROWS // loads
    for n in range(loads):
        with connect(db) as con:
            con.execute("INSERT INTO entities (entity_id, kind, key, name, first_seen_at) "
                        "SELECT i, 'person', 'p' || i, 'P ' || i, now() FROM range(?, ?) t(i)", [n * per, (n + 1) * per])


def row_groups(db: Path) -> int:
    with connect(db) as con:
        return con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('entities')").fetchone()[0]


def timed(db: Path) -> tuple[float, float, float]:
    """Median ms of (upsert, lookup, close) over ROUNDS."""
    ids = list(range(0, ROWS, ROWS // TOUCHED))
    upserts, lookups, closes = [], [], []
    for r in range(ROUNDS):
        with connect(db) as con:
            t0 = time.perf_counter()
            con.execute("INSERT INTO entities (entity_id, kind, key, name, first_seen_at) "
                        "SELECT i, 'person', 'p' || i, 'P ' || i || repeat('x', ?), now() FROM (SELECT unnest(?) AS i) "
                        "ON CONFLICT (entity_id) DO UPDATE SET name = excluded.name", [r + 1, ids])
            t1 = time.perf_counter()
            con.execute("SELECT entity_id FROM entities WHERE entity_id IN (SELECT unnest(?))", [ids]).fetchall()
            t2 = time.perf_counter()
        t3 = time.perf_counter()
        upserts.append(t1 - t0)
        lookups.append(t2 - t1)
        closes.append(t3 - t2)
    return tuple(round(1000 * statistics.median(x), 1) for x in (upserts, lookups, closes))


def main() -> None:
    print(f"entities: {ROWS} rows; a batch upserts and looks up {TOUCHED} of them; median of {ROUNDS} rounds, ms")
    print(f"{'loads':>6} {'row groups':>11} {'upsert':>8} {'lookup':>8} {'close':>8}   after merging: {'row groups':>10} "
          f"{'upsert':>8} {'lookup':>8} {'close':>8}  merge s")
    for loads in (1, 50, 200):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "w.duckdb"
            build(db, loads)
            before, groups = timed(db), row_groups(db)
            t0 = time.perf_counter()
            with connect(db) as con:
                repack.tails(con)
            merge = time.perf_counter() - t0
            after, merged = timed(db), row_groups(db)
        print(f"{loads:>6} {groups:>11} {before[0]:>8} {before[1]:>8} {before[2]:>8}   {'':>14}{merged:>10} {after[0]:>8} "
              f"{after[1]:>8} {after[2]:>8}  {merge:.2f}")


if __name__ == "__main__":
    main()

"""What the checkpoint at the close of a load's connection writes, as the warehouse grows: with and without the
primary keys that migration 017 took off the tables of many rows per article.

Two warehouses: one at the current schema, one at schema version 16 (the same tables, with their PRIMARY KEYs).
Into each, `--loads` loads, each in its own connection as the flows load a batch: `--batch` articles with new,
random URLs (as a run's articles fall all over the key's order), 30 blocks and 35 mentions each, one transaction,
then the close, which checkpoints. For each fifth of the loads: the bytes the process wrote during the close
(`/proc/self/io`, so Linux only) and the close's wall time, in the same run.

    .venv/bin/python bench/checkpoint.py                 # 100 loads of 200 articles: 20,000 articles in the end
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BLOCKS, MENTIONS = 30, 35  # per article: about what the web farm's articles have (bench/upkeep.py at 20,000: 28 and 33)


def _written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise RuntimeError("no write_bytes in /proc/self/io")


def _warehouse(path: Path, before_17: bool) -> None:
    from warehouse.db import connect, migrations

    if not before_17:
        with connect(path):
            return
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
    for version, name, sql in migrations():
        if version < 17:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.close()


def _load(path: Path, batch: int) -> tuple[int, float]:
    """One load of `batch` new articles' blocks and mentions; (bytes written by the close, seconds the close took)."""
    con = duckdb.connect(str(path))  # not warehouse.db.connect: it would migrate the version-16 file
    con.execute("BEGIN")
    con.execute(f"CREATE TEMP TABLE new AS SELECT 'https://news.example.org/2026/11/' || md5(random()::VARCHAR) || '.html' AS url "
                f"FROM range({batch})")
    con.execute(f"INSERT INTO article_blocks SELECT url, 'paragraph', s, repeat('A sentence of a paragraph. ', 8) FROM new, range({BLOCKS}) r(s)")
    con.execute(f"INSERT INTO mentions SELECT url, s, 7, 'Acme', 'body', 0, 0, 4, NULL, 'actor', 'exact', 'run' FROM new, range({MENTIONS}) r(s)")
    con.execute("COMMIT")
    before, t0 = _written(), time.perf_counter()
    con.close()
    return _written() - before, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loads", type=int, default=100)
    ap.add_argument("--batch", type=int, default=200, help="articles per load")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as name:
        files = {"now (no keys)": Path(name) / "now.duckdb", "version 16 (keys)": Path(name) / "v16.duckdb"}
        for label, path in files.items():
            _warehouse(path, before_17=label.startswith("version 16"))
        seen: dict[str, list[tuple[int, float]]] = {label: [] for label in files}
        for _ in range(args.loads):
            for label, path in files.items():  # interleaved: both feel the same machine
                seen[label].append(_load(path, args.batch))
        k = 5
        size = max(1, args.loads // k)
        print(f"{args.loads} loads of {args.batch} new articles ({BLOCKS} blocks, {MENTIONS} mentions each); "
              f"mean of each fifth of the loads")
        print(f"{'':20}{'articles at the end of the fifth':>34}")
        print(f"{'':20}" + "".join(f"{(i + 1) * size * args.batch:>10}" for i in range(k)))
        for label, rows in seen.items():
            fifths = [rows[i * size:(i + 1) * size] for i in range(k)]
            print(f"{label + ': MiB':20}" + "".join(f"{sum(w for w, _ in f) / len(f) / 2**20:>10.2f}" for f in fifths))
            print(f"{'  close ms':20}" + "".join(f"{1000 * sum(s for _, s in f) / len(f):>10.1f}" for f in fifths))
            print(f"{'  file MiB at the end':20}{files[label].stat().st_size / 2**20:>10.1f}")


if __name__ == "__main__":
    main()

"""What the checkpoint at the close of a load's connection writes, as the warehouse grows: as newsflow loads now,
with DuckDB's vacuum on (its default; `warehouse.db.LOADS` turns it off), at schema version 16 (the PRIMARY
KEYs that migration 017 took off the tables of many rows per article, and the vacuum on, as loads ran before both),
and at schema version 17 (the PRIMARY KEY on `raw_documents.sha256`, a random key, that migration 018 took off).

Into each warehouse, `--loads` loads, each in its own connection as the flows load a batch: `--batch` articles with
new, random URLs (as a run's articles fall all over the key's order), each with a raw page of `--page-kib` random
bytes (a compressed page does not compress again), 30 blocks and 35 mentions, in one transaction, then the close,
which checkpoints. For each fifth of the loads: the bytes the process wrote during the close (`/proc/self/io`, so
Linux only) and the close's wall time, in the same run, the loads of the three interleaved.

    .venv/bin/python bench/checkpoint.py                 # 100 loads of 200 articles: 20,000 articles in the end
    .venv/bin/python bench/checkpoint.py --page-kib 0    # blocks and mentions only: the keys' share (migration 017)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_KIB = 25  # a page as newsflow stores it: the 120 pages of bench/extraction, compressed, 29.7 KiB mean, 21.4 median
BLOCKS, MENTIONS = 30, 35  # per article: about what the web farm's articles have (bench/upkeep.py at 20,000: 28 and 33)


def _written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise RuntimeError("no write_bytes in /proc/self/io")


def _warehouse(path: Path, before: int | None) -> None:
    """A warehouse at the current schema, or (`before`) with only the migrations older than that version."""
    from warehouse.db import connect, migrations

    if before is None:
        with connect(path):
            return
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
    for version, name, sql in migrations():
        if version < before:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.close()


def _load(path: Path, batch: int, page_bytes: int, vacuum: bool) -> tuple[int, float]:
    """One load of `batch` new articles' raw pages, blocks and mentions; (bytes written by the close, seconds the close took)."""
    from warehouse.db import CONFIG, LOADS
    from warehouse.rawbody import CODEC

    # not warehouse.db.connect: it would migrate the older files, and it always loads without the vacuum
    con = duckdb.connect(str(path), config=CONFIG if vacuum else {**CONFIG, **LOADS})
    con.execute("BEGIN")
    con.execute(f"CREATE TEMP TABLE new AS SELECT 'https://news.example.org/2026/11/' || md5(random()::VARCHAR) || '.html' AS url "
                f"FROM range({batch})")
    if page_bytes:
        pages = pa.table({"url": [u for (u,) in con.execute("SELECT url FROM new").fetchall()],  # noqa: F841 (read by DuckDB by name)
                          "body": [os.urandom(page_bytes) for _ in range(batch)]})
        con.execute("INSERT INTO raw_documents (sha256, url, fetched_at, size, body, codec) "
                    "SELECT sha256(body), url, now(), octet_length(body), body, ? FROM pages", [CODEC])
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
    ap.add_argument("--page-kib", type=int, default=PAGE_KIB, help="KiB of each article's raw page (0: none)")
    args = ap.parse_args()
    from warehouse.compact import space

    # (the migrations applied: those before this version, or all; vacuum)
    variants = {"now": (None, False), "vacuum on": (None, True), "version 16": (17, True), "version 17": (18, False)}
    with tempfile.TemporaryDirectory() as name:
        files = {label: Path(name) / f"{i}.duckdb" for i, label in enumerate(variants)}
        for label, path in files.items():
            _warehouse(path, before=variants[label][0])
        seen: dict[str, list[tuple[int, float]]] = {label: [] for label in files}
        for _ in range(args.loads):
            for label, path in files.items():  # interleaved: all feel the same machine
                seen[label].append(_load(path, args.batch, args.page_kib * 1024, vacuum=variants[label][1]))
        k = 5
        size = max(1, args.loads // k)
        print(f"{args.loads} loads of {args.batch} new articles ({args.page_kib} KiB raw page, {BLOCKS} blocks, {MENTIONS} mentions each); "
              f"mean of each fifth of the loads")
        print(f"{'':22}{'articles at the end of the fifth':>34}")
        print(f"{'':22}" + "".join(f"{(i + 1) * size * args.batch:>10}" for i in range(k)))
        for label, rows in seen.items():
            fifths = [rows[i * size:(i + 1) * size] for i in range(k)]
            print(f"{label + ': MiB':22}" + "".join(f"{sum(w for w, _ in f) / len(f) / 2**20:>10.2f}" for f in fifths))
            print(f"{'  close ms':22}" + "".join(f"{1000 * sum(s for _, s in f) / len(f):>10.1f}" for f in fifths))
            use = space(files[label])  # a read-only open: it does not migrate the older files
            print(f"{'  file MiB, free':22}{use.file_bytes / 2**20:>10.1f}{use.free_share:>10.0%}")


if __name__ == "__main__":
    main()

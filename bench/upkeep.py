"""What a run costs as the warehouse grows: the snapshot, the load of a batch, the free blocks and compaction.

Ingests `--seed` articles from the web farm with the real flow, then grows that warehouse in SQL to
each `--sizes` (every article-keyed row copied under new URLs and raw-page keys, in several
transactions, so the file has the free blocks repeated loads leave). At each size, on a copy:

- the file: size, DuckDB's free blocks (`PRAGMA database_size`);
- the snapshot as runs published it before (in the run, `COPY FROM DATABASE` from the warehouse held
  read-only throughout) against the upkeep's first publish (`warehouse.snapshot.publish_from`: a byte copy
  while held, then the conversion holding nothing, which makes the snapshot's base, `warehouse.refresh`),
  the same in the warehouse's own storage version (`NEWSFLOW_SNAPSHOT_STORAGE` = v2.0.0: a byte copy of the
  private copy), and what a run now pays for it (`maintenance.after_run`);
- a real run of the ingest flow fetching `--run` new farm articles: its wall time, the load of each
  batch (`flows.ingest.store_batch`), then what its upkeep process did (its log line): the snapshot
  published from the base brought up to date with the run's rows;
- `warehouse.compact.compact`: time, size before and after, time the warehouse was held.

    .venv/bin/python bench/upkeep.py --sizes 2000 50000
    .venv/bin/python bench/upkeep.py --repeated 5 --run 300     # free blocks over repeated runs, with and without compaction
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import start_farm  # noqa: E402  (bench/ingest.py: the same farm, started the same way)
from probes import record_calls  # noqa: E402  (bench/probes.py)

# Article-keyed tables and the columns that make a copied row a new one.
KEYS = ("url", "article_url", "canonical_url", "final_url", "sha256", "raw_sha256")
ARTICLE_TABLES = ("articles", "article_blocks", "raw_documents", "fetch_log", "frontier", "feed_entries", "rejects", "mentions", "roles",
                  "article_credits", "agreement_mentions", "agreement_reports", "search_docs", "search_postings")


def ingest_farm(db: Path, articles: int, tmp: Path) -> tuple[float, list[float], list[float]]:
    """One real ingest run of `articles` new farm articles; (flow seconds, seconds of each batch's load of articles,
    seconds of each batch's load of facts)."""
    import flows.analyze
    import flows.ingest

    loads: list[float] = []
    facts: list[float] = []
    folder = Path(tempfile.mkdtemp(dir=tmp))
    farm, port = start_farm(articles, folder)
    try:
        feeds = folder / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "farm"\nurl = "http://127.0.0.1:{port}/feeds.opml"\nmax_entries = {articles}\n')
        from flows.http import FetchPolicy

        policy = FetchPolicy(allow_loopback=True, concurrency=32, per_host=32, delay_s=0.0)
        with record_calls(flows.ingest, "store_batch", loads), record_calls(flows.analyze, "store_facts", facts):
            summary = asyncio.run(flows.ingest.ingest(db=str(db), feeds_file=str(feeds), policy=policy))
    finally:
        farm.terminate()
        farm.wait(10)
    return summary.seconds, loads, facts


def grow(db: Path, target: int, steps: int = 8) -> int:
    """Copy every article-keyed row until the warehouse holds about `target` articles; returns how many it holds."""
    from warehouse.db import connect

    with connect(db) as con:
        seed = con.execute("SELECT count(*) FROM articles WHERE url NOT LIKE '%#copy%'").fetchone()[0]
        have = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        columns = {t: [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                                                  [t]).fetchall()] for t in ARTICLE_TABLES}
    copies = list(range(have // seed, math.ceil(target / seed)))  # copy k of every row, for those not made yet
    size = max(1, math.ceil(len(copies) / steps))
    for chunk in [copies[i : i + size] for i in range(0, len(copies), size)]:
        with connect(db) as con:  # one transaction and checkpoint per chunk, as loads make them
            for table, cols in columns.items():
                keep = [c for c in cols if not (table == "fetch_log" and c == "id")]
                select = ", ".join(f"CASE WHEN {c} IS NULL THEN NULL ELSE {c} || '#copy' || k END" if c in KEYS else c for c in keep)
                where = "url NOT LIKE '%#copy%'" if "url" in cols else "sha256 NOT LIKE '%#copy%'"
                con.execute(f"INSERT INTO {table} ({', '.join(keep)}) SELECT {select} FROM {table}, "
                            f"range({chunk[0]}, {chunk[-1] + 1}) r(k) WHERE {where}")
    with connect(db, read_only=True) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def publish_as_before(db: Path, target: Path) -> float:
    """The snapshot as runs published it before: `COPY FROM DATABASE` with the warehouse attached read-only throughout."""
    from warehouse.db import memory
    from warehouse.snapshot import STORAGE_VERSION

    t0 = time.perf_counter()
    con = memory()
    con.execute(f"ATTACH '{target}' AS snapshot (STORAGE_VERSION '{STORAGE_VERSION}')")
    con.execute(f"ATTACH '{db}' AS warehouse (READ_ONLY)")
    con.execute("COPY FROM DATABASE warehouse TO snapshot")
    con.close()
    target.unlink()
    return time.perf_counter() - t0


def measure(db: Path, tmp: Path, run_articles: int) -> dict:
    from warehouse import maintenance
    from warehouse.compact import compact, space
    from warehouse.db import query, snapshot_path, storage_version
    from warehouse.snapshot import publish_from, publishing

    out: dict = {"articles": query(db, "SELECT count(*) FROM articles")[1][0][0]}
    use = space(db)
    out |= {"file_MiB": round(use.file_bytes / 2**20, 1), "free_share": round(use.free_share, 3)}
    out["snapshot_before_s (run waited, warehouse held)"] = round(publish_as_before(db, tmp / "old.snapshot.duckdb"), 2)
    t0 = time.perf_counter()
    with publishing(db, snapshot_path(db)) as source:
        publish_from(source, snapshot_path(db))
    out["snapshot_now_s (upkeep)"] = round(time.perf_counter() - t0, 2)
    out["snapshot_now_held_s"] = round(source.seconds_held, 3)
    own = storage_version(db)
    t0 = time.perf_counter()
    with publishing(db, tmp / "own.snapshot.duckdb") as source:
        publish_from(source, tmp / "own.snapshot.duckdb", own)
    out["own_storage_version"] = own
    out["snapshot_own_storage_s (upkeep)"] = round(time.perf_counter() - t0, 2)
    (tmp / "own.snapshot.duckdb").unlink()
    t0 = time.perf_counter()
    maintenance.after_run(db)
    out["run_pays_now_ms"] = round(1000 * (time.perf_counter() - t0), 1)
    maintenance.wait()
    flow_s, loads, facts = ingest_farm(db, run_articles, tmp)
    t0 = time.perf_counter()
    maintenance.wait()
    out |= {"run_flow_s": round(flow_s, 1), "run_batches": len(loads), "batch_load_s": [round(x, 2) for x in loads],
            "facts_load_s": [round(x, 2) for x in facts],
            "upkeep_after_run_ended_s": round(time.perf_counter() - t0, 1),
            "upkeep_log": maintenance.log_path(db).read_text().splitlines()[-1].split(": ", 1)[1]}
    published = re.search(r"snapshot published in ([\d.]+) s", out["upkeep_log"])
    out["snapshot_after_the_run_s (upkeep, base brought up to date)"] = float(published[1]) if published else None
    done = compact(db)
    out |= {"compact_s": round(done.seconds, 1), "compact_held_s": round(done.seconds_held, 2),
            "compact_MiB": f"{done.before / 2**20:.1f} -> {done.after / 2**20:.1f}"}
    return out


def repeated(runs: int, articles: int, tmp: Path) -> None:
    """The same `runs` real ingest runs of `articles` new farm articles each into two fresh warehouses, one left as
    its runs and their upkeep leave it, the other compacted after each run: the file and its free blocks after
    each run, so what a compaction gives back, and for how long, shows."""
    from warehouse import maintenance
    from warehouse.compact import compact, space
    from warehouse.db import query

    left, compacted = tmp / "left.duckdb", tmp / "compacted.duckdb"
    print(f"\n{runs} runs of {articles} new farm articles into two warehouses: one as the runs leave it, one compacted after each run")
    print(f"{'run':>4}{'articles':>10}{'left: MiB':>11}{'free':>6}{'compacted: MiB after the run':>30}{'free':>6}{'after compaction':>18}")
    for k in range(1, runs + 1):
        row = []
        for db in (left, compacted):
            ingest_farm(db, articles, tmp)
            maintenance.wait()
            use = space(db)
            row.append(use)
        done = compact(compacted)
        n = query(left, "SELECT count(*) FROM articles")[1][0][0]
        print(f"{k:>4}{n:>10}{row[0].file_bytes / 2**20:>11.1f}{row[0].free_share:>6.0%}{row[1].file_bytes / 2**20:>30.1f}"
              f"{row[1].free_share:>6.0%}{done.after / 2**20:>18.1f}", flush=True)
    print("the upkeep's own log of the first:", *maintenance.log_path(left).read_text().splitlines(), sep="\n  ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=600, help="articles ingested from the farm by the real flow")
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 50000])
    ap.add_argument("--run", type=int, default=200, help="new farm articles the measured run ingests")
    ap.add_argument("--keep", type=Path, default=None, help="keep the grown warehouses in this folder")
    ap.add_argument("--repeated", type=int, default=0, metavar="K",
                    help="instead: K runs of --run new farm articles into two warehouses, one compacted after each run")
    args = ap.parse_args()
    from flows.config import quiet_prefect

    quiet_prefect()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.repeated:
            repeated(args.repeated, args.run, tmp)
            return
        base = tmp / "base.duckdb"
        t0 = time.perf_counter()
        ingest_farm(base, args.seed, tmp)
        print(f"seed: {args.seed} farm articles ingested in {time.perf_counter() - t0:.0f} s", flush=True)
        rows = []
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            got = grow(base, size)
            print(f"grown to {got} articles in {time.perf_counter() - t0:.0f} s", flush=True)
            work = tmp / f"w{size}.duckdb"
            shutil.copyfile(base, work)
            rows.append(measure(work, tmp, args.run))
            print(json.dumps(rows[-1]), flush=True)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work, args.keep / work.name)
            for f in tmp.glob(f"w{size}*"):
                f.unlink()
    print(f"\n{'articles':>9}{'file MiB':>10}{'free':>6}{'snapshot in the run, before (s)':>33}{'now: run pays (ms)':>20}"
          f"{'upkeep: first snapshot (s)':>28}{'after the run (s)':>19}{'in own storage (s)':>20}{'upkeep holds (s)':>18}{'batch load (s)':>16}"
          f"{'facts load (s)':>16}{'run (s)':>9}{'compact (s)':>12}{'held (s)':>10}")
    for r in rows:
        print(f"{r['articles']:>9}{r['file_MiB']:>10}{r['free_share']:>6.0%}{r['snapshot_before_s (run waited, warehouse held)']:>33}"
              f"{r['run_pays_now_ms']:>20}{r['snapshot_now_s (upkeep)']:>28}{r['snapshot_after_the_run_s (upkeep, base brought up to date)']!s:>19}"
              f"{r['snapshot_own_storage_s (upkeep)']:>20}{r['snapshot_now_held_s']:>18}"
              f"{max(r['batch_load_s'], default=0):>16}"
              f"{max(r['facts_load_s'], default=0):>16}{r['run_flow_s']:>9}"
              f"{r['compact_s']:>12}{r['compact_held_s']:>10}")


if __name__ == "__main__":
    main()

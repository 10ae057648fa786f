"""Search and `newsflow sql` figures: the search of migration 007 against the first one (004) on the same data, in one run.

The demo warehouse (`newsflow demo`) is replicated in SQL to --articles articles under new
URLs, indexed by `warehouse.search.index`, then:
- indexing: a batch of 200 in Python (what ingest does) and the whole corpus in SQL (what
  migration 007 does once when it upgrades a warehouse);
- queries: median of 5 of `search_articles` for each query form, and, as the baseline, the
  migration-004 macro (OR of words, stop words counted) on the same postings;
- `newsflow sql` printing --rows rows in each format: peak RSS of the process, against a
  baseline that fetches every row first (what the command did before it streamed).

    python bench/search.py [--articles 10000] [--rows 111000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warehouse import search  # noqa: E402
from warehouse.db import connect, migrations, transaction  # noqa: E402

QUERIES = ["tibet", "memorandum of cooperation", "central enterprises Tibet", '"strategic cooperation"', "memorandum OR oil",
           "agreement -oil", "cooperat*"]
BATCH = 200
# Peak RSS of printing a query (VmHWM: ru_maxrss would count the forking parent's pages): streamed as the
# command does now, and the baseline that fetches all rows first.
PRINT = """
import json, sys
from flows import output
from warehouse.db import connect, statement
db, sql, fmt, mode = sys.argv[1:]
with connect(db, read_only=True) as con, open("/dev/null", "w") as out:
    cur = statement(con, sql)
    if mode == "stream":
        output.write(cur, fmt, None, out)
    else:
        cols = [d[0] for d in cur.description]
        out.write(json.dumps([dict(zip(cols, r)) for r in cur.fetchall()], default=str, indent=2))
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) // 1024)
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median(times)


def build(work: Path, articles: int) -> Path:
    db = work / "bench.duckdb"
    run = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    with connect(db) as con:
        n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        copies = max(1, articles // n)
        con.execute("INSERT INTO articles BY NAME SELECT a.* REPLACE (a.url || '#' || r.i AS url) "
                    "FROM articles a, (SELECT range AS i FROM range(1, ?)) r", [copies])
    return db


def bench_index(db: Path) -> None:
    with connect(db) as con:
        urls = [u for (u,) in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]
        chars = con.execute("SELECT sum(length(concat_ws(' ', title, clean_body))) FROM articles").fetchone()[0]
        t0 = time.perf_counter()
        with transaction(con):
            search.index(con, urls, dt.datetime.now(dt.UTC))
        whole = time.perf_counter() - t0
        batch = timed(lambda: search.index(con, urls[:BATCH], dt.datetime.now(dt.UTC)), repeat=3)
        postings = con.execute("SELECT count(*) FROM search_postings").fetchone()[0]
        t0 = time.perf_counter()
        con.execute("SELECT sum(len(search_tokens(concat_ws(' ', title, clean_body)))) FROM articles").fetchone()
        in_sql = time.perf_counter() - t0
    print(f"{len(urls):,} articles, {chars / 1e6:.1f} M characters, {postings:,} postings")
    print(f"  index in Python: all {whole:.1f} s, a batch of {BATCH} {ms(batch)} (median of 3)")
    print(f"  words of every article in SQL (migration 007's one-time re-index): {in_sql:.1f} s")


def bench_queries(db: Path) -> None:
    v1 = next(sql for _, name, sql in migrations() if name.endswith("_search.sql"))  # the first search
    v1 = v1[: v1.index("CREATE TABLE")] + v1[v1.index("CREATE MACRO search_articles"): v1.index("-- The stretch of text")]
    v1 = v1.replace("search_tokens", "search_tokens_v1").replace("search_articles", "search_articles_v1").replace("CREATE MACRO", "CREATE TEMP MACRO")
    with connect(db, read_only=True) as con:
        con.execute(v1)
        print(f"\nqueries, median of 5: {'query':32} {'007':>8} {'hits':>6}   {'004 (OR)':>8} {'hits':>6}")
        for q in QUERIES:
            new = timed(lambda q=q: con.execute("SELECT count(*) FROM search_articles(?)", [q]).fetchone())
            hits = con.execute("SELECT count(*) FROM search_articles(?)", [q]).fetchone()[0]
            old = timed(lambda q=q: con.execute("SELECT count(*) FROM search_articles_v1(?)", [q]).fetchone())
            old_hits = con.execute("SELECT count(*) FROM search_articles_v1(?)", [q]).fetchone()[0]
            print(f"  {q:52} {ms(new):>8} {hits:>6,}   {ms(old):>8} {old_hits:>6,}")
        cli = timed(lambda: search.search(con, "memorandum of cooperation", 10))
        print(f"  newsflow search (ten hits with their snippets): {ms(cli)}")


def bench_print(db: Path, rows: int) -> None:
    with connect(db, read_only=True) as con:
        copies = rows // con.execute("SELECT count(*) FROM articles").fetchone()[0] + 1
    sql = f"SELECT a.url || r.range AS url, a.title, a.clean_body FROM articles a, range({copies}) r LIMIT {rows}"
    print(f"\nnewsflow sql printing {rows:,} rows (url, title, clean body): peak RSS")
    for fmt in ("table", "csv", "json", "jsonl"):
        print(f"  --format {fmt:6} {_peak(db, sql, fmt, 'stream'):>6} MiB")
    print(f"  baseline: every row fetched, then printed as JSON: {_peak(db, sql, 'json', 'all')} MiB")


def _peak(db: Path, sql: str, fmt: str, mode: str) -> int:
    run = subprocess.run([sys.executable, "-c", PRINT, str(db), sql, fmt, mode], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    return int(run.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--rows", type=int, default=111_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-search-"))
    try:
        db = build(work, args.articles)
        bench_index(db)
        bench_queries(db)
        bench_print(db, args.rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

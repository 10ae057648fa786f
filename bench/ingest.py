"""End-to-end ingest throughput against the web farm, beside the farm's calibration baseline.

Starts `shared/webfarm/farm.py` with N articles on 20 sites, ingests `/feeds.opml` with
the real `ingest` flow (robots.txt honoured, full parsing, entities and agreements) into
a fresh DuckDB file, then runs `shared/webfarm/baseline.py` (feedparser + httpx +
trafilatura + DuckDB) on a fresh farm of the same size, and prints both with the ratio.

With `--analysis later` the ingest stores the articles' text only (stage 1), its ratio to
the baseline is the text-only ratio, and the `analyze` flow then analyses them (stage 2),
timed on its own.

    .venv/bin/python bench/ingest.py --articles 2000
    .venv/bin/python bench/ingest.py --articles 2000 --analysis later
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))


def start_farm(articles: int, tmp: Path) -> tuple[subprocess.Popen, int]:
    ready = tmp / "ready.json"
    proc = subprocess.Popen(
        [sys.executable, str(SHARED / "webfarm" / "farm.py"), "--port", "0", "--articles", str(articles), "--sites", "20",
         "--ready-file", str(ready)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    while not ready.exists():
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())["port"]


def cpu_seconds(proc: psutil.Process) -> float:
    """CPU of a process and all its descendants (the parse workers are grandchildren)."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


class TreeRss(threading.Thread):
    """Peak RSS of this process and all its descendants (the farm excluded), sampled every 50 ms.

    Also keeps, at the peak, the RSS of each process by its role (main, Prefect server,
    forkserver, parse workers), so the figure says where the memory went.
    """

    def __init__(self, exclude: set[int]):
        super().__init__(daemon=True)
        self.exclude, self.peak, self.parts, self._halt = exclude, 0, {}, threading.Event()
        self.me = psutil.Process()

    def run(self) -> None:
        while not self._halt.wait(0.05):
            parts: dict[str, int] = {}
            for p in [self.me, *self.me.children(recursive=True)]:
                if p.pid in self.exclude:
                    continue
                try:
                    rss, role = p.memory_info().rss, _role(p, self.me)
                except psutil.Error:
                    continue
                parts[role] = parts.get(role, 0) + rss
            total = sum(parts.values())
            if total > self.peak:
                self.peak, self.parts = total, parts

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _role(p: psutil.Process, me: psutil.Process) -> str:
    """main, prefect server, forkserver, workers (the forkserver's children) or other."""
    if p.pid == me.pid:
        return "main"
    cmd = " ".join(p.cmdline())
    if "forkserver" in cmd:
        return "forkserver" if p.ppid() == me.pid else "workers"
    if "prefect" in cmd or "uvicorn" in cmd:
        return "prefect server"
    return "other"


def run_newsflow(articles: int, tmp: Path, analysis: str = "now") -> dict:
    from flows.config import quiet_prefect

    quiet_prefect()
    from flows.analyze import analyze
    from flows.http import FetchPolicy
    from flows.ingest import ingest
    from warehouse import maintenance
    from warehouse.db import query

    farm, port = start_farm(articles, tmp)
    try:
        feeds = tmp / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "farm"\nurl = "http://127.0.0.1:{port}/feeds.opml"\nmax_entries = {articles}\n')
        db = tmp / "newsflow.duckdb"
        policy = FetchPolicy(allow_loopback=True, concurrency=32, per_host=32, delay_s=0.0)
        me = psutil.Process()
        rss = TreeRss(exclude={farm.pid})
        rss.start()
        c0, t0 = cpu_seconds(me), time.perf_counter()
        summary = asyncio.run(ingest(db=str(db), feeds_file=str(feeds), policy=policy, analysis=analysis))
        wall, cpu = time.perf_counter() - t0, cpu_seconds(me) - c0
        if analysis == "now":
            rss.stop()
        maintenance.wait()  # the run's upkeep (snapshot, compaction) is not the run's: it ends before what follows starts
        rows = query(db, "select count(*), count(*) filter (where length(body) = 0) from articles")[1][0]
        later = {}
        if analysis == "later":
            c1, t1 = cpu_seconds(me), time.perf_counter()
            analysed = asyncio.run(analyze(db=str(db)))
            later = {"analysed": analysed.analysed, "analysis_wall_s": round(time.perf_counter() - t1, 2),
                     "analysis_flow_s": round(analysed.seconds, 2), "analysed_per_s": round(analysed.analysed / analysed.seconds, 1),
                     "analysis_cpu_ms_per_article": round(1000 * (cpu_seconds(me) - c1) / max(analysed.analysed, 1), 1)}
            rss.stop()
            maintenance.wait()
        facts = query(db, "select (select count(*) from mentions), (select count(*) from agreements)")[1][0]
    finally:
        farm.terminate()
        farm.wait(10)
    return {
        "pipeline": "newsflow", "analysis": analysis, "articles": rows[0], "empty_bodies": rows[1], "rejected": summary.rejected,
        "mentions": facts[0], "agreements": facts[1], "wall_s": round(wall, 2), "flow_s": round(summary.seconds, 2),
        "articles_per_s": round(rows[0] / summary.seconds, 1), "cpu_ms_per_article": round(1000 * cpu / max(rows[0], 1), 1),
        **later,
        "peak_tree_rss_MiB": round(rss.peak / 2**20), "peak_rss_by_role_MiB": {k: round(v / 2**20) for k, v in sorted(rss.parts.items())},
    }


def run_baseline(articles: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(SHARED / "webfarm" / "baseline.py"), "--articles", str(articles), "--mode", "pipeline"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--analysis", choices=["now", "later"], default="now",
                    help="later: ingest the text only, then time `analyze` on its own (default: now, as `newsflow ingest`)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_newsflow(args.articles, Path(tmp), args.analysis)
    print(json.dumps(ours))
    if args.no_baseline:
        return
    base = run_baseline(args.articles)
    print(json.dumps({k: v for k, v in base.items() if k != "farm_stats"}))
    name = "newsflow" if args.analysis == "now" else "text-only"
    print(f"\n{'':12}{'articles':>9}{'articles/s':>12}{'CPU ms/article':>16}")
    print(f"{name:12}{ours['articles']:>9}{ours['articles_per_s']:>12}{ours['cpu_ms_per_article']:>16}")
    if args.analysis == "later":
        print(f"{'analyze':12}{ours['analysed']:>9}{ours['analysed_per_s']:>12}{ours['analysis_cpu_ms_per_article']:>16}")
    print(f"{'baseline':12}{base['articles_loaded']:>9}{base['articles_per_s']:>12}{base['cpu_ms_per_article']:>16}")
    print(f"ratio {name} / baseline articles/s: {ours['articles_per_s'] / base['articles_per_s']:.2f}")
    base_rss = base["peak_rss_MiB"]["main_plus_workers"]
    print(f"peak tree RSS: {ours['peak_tree_rss_MiB']} MiB ({ours['peak_rss_by_role_MiB']}); baseline {base_rss} MiB; "
          f"ratio {ours['peak_tree_rss_MiB'] / base_rss:.2f}")


if __name__ == "__main__":
    main()

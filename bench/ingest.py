"""End-to-end ingest throughput against the web farm, beside the farm's calibration baseline.

Starts `shared/webfarm/farm.py` with N articles on 20 sites, ingests `/feeds.opml` with
the real `ingest` flow (robots.txt honoured, full parsing, entities and agreements) into
a fresh DuckDB file, in this process, then runs `shared/webfarm/baseline.py` (feedparser +
httpx + trafilatura + DuckDB) on a fresh farm of the same size, and prints both: the `uptime`
load first, a JSON line of each, a table, then the lines issue 12 reads, in its wording.

By default the measured run is `newsflow ingest` as a user runs it (each batch analysed once
it is loaded), and a second, text-only ingest (`--analysis later`, stage 1 alone) runs on a
fresh farm of the same size for the text-only ratio. With `--analysis later` the measured run is
the text-only ingest followed by the `analyze` flow (stage 2), timed on its own. "The run" below
is the ingest (and the analyze) and the upkeep each started (`warehouse.maintenance`, waited for;
its CPU is the run's, its time is not).

- `ratio text-only / baseline articles/s`: articles stored / the text-only ingest's seconds
  (`RunSummary.seconds`), over the baseline's articles/s (its whole run's). Beside it, the same
  by the command's wall time: the Prefect server's start and stop included, a fixed cost of
  about 4 s here that weighs on a small run.
- `ratio full pipeline / baseline articles/s`: articles / the run's seconds (with `later`, the
  ingest's and the analyze's seconds added).
- `full pipeline CPU ms/article: A; NER-only floor on the same pages: B`: A is the CPU of the
  bench's process tree over the run (the flow's process, its parse workers and fork server, the
  Prefect server, the upkeep; not the farm, not the bench's samplers), per article stored
  (`bench/cpu_share.py` `TreeSampler`). B is `bench/analysis_cost.py`'s floor (spaCy's
  `en_core_web_sm` with only its `ner` pipe) on the texts the pipeline tags (title, body,
  captions) of every stored article, read back from the run's warehouse after the run, in
  this process, one pass; CPU ms per article.
- `Prefect share of CPU`: Prefect's CPU over A's total. Prefect's CPU = the Prefect server's
  process + the flow process's threads that are Prefect's + the CPU other threads (the main
  thread first) spent in Prefect's code, by sampling their stacks every 10 ms
  (`bench/cpu_share.py` `ThreadSampler` says how). The server is the one `newsflow ingest` and
  `newsflow analyze` start for their run when PREFECT_API_URL names none (`flows.cli.prefect_api`:
  `flows.prefect_server.local_server`), one per flow as one per command; its start is inside the
  run, and shown apart.
- `idle parse workers: W % of wall`: the mean share of the pool's workers with no work
  submitted, sampled every 10 ms between the first and the last sample with work of the run
  (with `later`, of each flow: stage 1 parse, stage 2 analysis, both flows' samples together
  for W). A worker starved of CPU is busy: W is waiting on the network, on DuckDB or on the
  flow's process.
- `peak tree RSS`: the peak of the sum of the tree's RSS, sampled every 50 ms, with each
  role's part at the peak (the upkeep is one), and the peak without the upkeep.
- `batch load s`: the wall time of each batch's load (`flows.ingest.store_batch`, stage 1;
  `flows.analyze.store_facts`, stage 2): the mean of the first 5 batches against the last 5
  (fewer for a run of fewer than 10 batches), so a large run shows whether a load grows with the
  warehouse. Every batch's time is in the JSON line.
- `snapshot s`: each upkeep pass of the run, from its log beside the warehouse, with the
  warehouse's and the snapshot's size; the first pass writes the snapshot's base
  (`warehouse.refresh`). Then one more publish with nothing new (`warehouse.snapshot.publish`):
  the base brought up to date, the cost every later run's snapshot starts from.

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
import time
from contextlib import ExitStack
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


def cpu_seconds(proc: psutil.Process, exclude: set[int]) -> float:
    """CPU of a process and all its live descendants but `exclude` (the farm); the parse workers are grandchildren."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        if p.pid in exclude:
            continue
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def upkeep_passes(db: Path) -> list[str]:
    """What each upkeep pass of the run did, from its log beside the warehouse (`warehouse.maintenance`)."""
    from warehouse import maintenance

    path = maintenance.log_path(db)
    return [line.split(": ", 1)[1] for line in path.read_text().splitlines()] if path.exists() else []


def ner_floor_ms(db: Path) -> tuple[float, int]:
    """CPU ms per article of spaCy's NER alone (`bench/analysis_cost.py` `ner_floor`) on the texts the pipeline tags
    (title, body and captions: `article_units`) of every article of the warehouse, read back after the run."""
    from analysis_cost import ner_floor  # bench/analysis_cost.py, beside this file; it loads the extractors

    from extractors.entities.units import article_units
    from warehouse import read
    from warehouse.db import connect

    with connect(db, read_only=True) as con:
        urls = [u for (u,) in con.execute("SELECT url FROM articles").fetchall()]
        texts = [[u.clean for u in article_units(t.article)] for t in read.article_texts(con, urls)]
    if not texts:
        return 0.0, 0
    ner_floor(texts[:1])  # loads the model
    return 1000 * ner_floor(texts) / len(texts), len(texts)


def _first_last(seconds: list[float], k: int = 5) -> dict:
    n = min(k, max(1, len(seconds) // 2))
    first, last = sum(seconds[:n]) / n, sum(seconds[-n:]) / n
    return {"batches": len(seconds), "k": n, "first_mean_s": round(first, 3), "last_mean_s": round(last, 3),
            "ratio": round(last / first, 2) if first else None}


def run_newsflow(articles: int, tmp: Path, analysis: str = "now", then_analyze: bool = True) -> dict:
    """One measured run (the module docstring says what is measured, and how); with `analysis` "later" and not
    `then_analyze`, the text-only ingest alone."""
    from flows.config import quiet_prefect

    quiet_prefect()
    from cpu_share import ThreadSampler, TreeSampler
    from probes import on_start, record_calls

    import flows.analyze
    import flows.ingest
    from flows.analyze import analyze
    from flows.cli import prefect_api
    from flows.http import FetchPolicy
    from flows.ingest import ingest
    from schemas.settings import Settings
    from warehouse import maintenance
    from warehouse.db import query, snapshot_path
    from warehouse.snapshot import publish

    farm, port = start_farm(articles, tmp)
    try:
        feeds = tmp / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "farm"\nurl = "http://127.0.0.1:{port}/feeds.opml"\nmax_entries = {articles}\nmax_pages = 1000\n')
        db = tmp / "newsflow.duckdb"
        policy = FetchPolicy(allow_loopback=True, concurrency=32, per_host=32, delay_s=0.0)
        me = psutil.Process()
        loads: dict[str, list[float]] = {"parse": [], "analysis": []}
        marks: dict[str, float] = {}
        tree, threads = TreeSampler(exclude={farm.pid}), ThreadSampler()

        def flow_starts() -> None:  # each flow (ingest; analyze with `later`) has a server of its own, started just before it
            marks.setdefault("flow", time.monotonic())
            marks["server cpu before the run"] = marks.get("server cpu before the run", 0.0) + tree.cpu_now("prefect server")

        def stage_2_starts() -> None:
            threads.stage = "analysis"

        with ExitStack() as probes:
            probes.enter_context(record_calls(flows.ingest, "store_batch", loads["parse"]))
            probes.enter_context(record_calls(flows.analyze, "store_facts", loads["analysis"]))
            probes.enter_context(on_start([(flows.ingest, "recorded_run"), (flows.analyze, "recorded_run")], flow_starts))
            probes.enter_context(on_start([(flows.ingest, "analyze_stale"), (flows.analyze, "analyze_stale")], stage_2_starts))
            tree.start()
            threads.start()
            c0, t0 = cpu_seconds(me, {farm.pid}), time.perf_counter()
            with tree.reaping("prefect server"), prefect_api():
                summary = asyncio.run(ingest(db=str(db), feeds_file=str(feeds), policy=policy, analysis=analysis))
            wall, cpu = time.perf_counter() - t0, cpu_seconds(me, {farm.pid}) - c0 + tree.reaped["prefect server"]
            maintenance.wait()  # the run's upkeep (snapshot, compaction): its CPU is the run's, its time is not
            rows = query(db, "select count(*), count(*) filter (where length(body) = 0) from articles")[1][0]
            later = {}
            if analysis == "later" and then_analyze:
                c1, t1, s1 = cpu_seconds(me, {farm.pid}), time.perf_counter(), tree.reaped["prefect server"]
                with tree.reaping("prefect server"), prefect_api():
                    analysed = asyncio.run(analyze(db=str(db)))
                c1 -= tree.reaped["prefect server"] - s1  # the analyze command's server, stopped and reaped with it
                later = {"analysed": analysed.analysed, "analysis_wall_s": round(time.perf_counter() - t1, 2),
                         "analysis_flow_s": round(analysed.seconds, 2), "analysed_per_s": round(analysed.analysed / analysed.seconds, 1),
                         "analysis_cpu_ms_per_article": round(1000 * (cpu_seconds(me, {farm.pid}) - c1) / max(analysed.analysed, 1), 1)}
                maintenance.wait()
            threads.stop()
            tree.stop()
        facts = query(db, "select (select count(*) from mentions), (select count(*) from agreements)")[1][0]
        floor, floor_articles = ner_floor_ms(db) if analysis == "now" or then_analyze else (None, 0)  # a text-only run has no A - B
        warehouse_mib = {"warehouse": round(db.stat().st_size / 2**20, 1),
                         "snapshot": round(snapshot_path(db).stat().st_size / 2**20, 1) if snapshot_path(db).exists() else None}
        passes = upkeep_passes(db)
        t_again = time.perf_counter()
        publish(db, storage=Settings.from_env().snapshot_storage)
        again_s = round(time.perf_counter() - t_again, 2)
    finally:
        farm.terminate()
        farm.wait(10)
    by_role = tree.cpu_by_role()
    by_role["main"] -= threads.own_cpu
    total = sum(by_role.values())
    server_start = marks.get("server cpu before the run", 0.0)
    prefect = {"server": by_role.get("prefect server", 0.0), "threads": threads.spent["prefect threads"],
               "main thread": threads.spent["main prefect"], "other threads": threads.spent["threads prefect"]}
    n = max(rows[0], 1)
    full_s = summary.seconds + later.get("analysis_flow_s", 0.0)
    idle = {stage: threads.idle_share(stage) for stage in ("parse", "analysis", None)}
    return {
        "pipeline": "newsflow", "analysis": analysis, "articles": rows[0], "empty_bodies": rows[1], "rejected": summary.rejected,
        "mentions": facts[0], "agreements": facts[1], "wall_s": round(wall, 2), "flow_s": round(summary.seconds, 2),
        "articles_per_s": round(rows[0] / summary.seconds, 1), "cpu_ms_per_article": round(1000 * cpu / n, 1),
        **later,
        "peak_tree_rss_MiB": round(tree.peak / 2**20), "peak_rss_by_role_MiB": {k: round(v / 2**20) for k, v in sorted(tree.parts.items())},
        "full_per_s": round(rows[0] / full_s, 1),
        "tree_cpu_s": round(total, 2), "tree_cpu_by_role_s": {k: round(v, 2) for k, v in sorted(by_role.items())},
        "main_python_threads_cpu_s": {k: round(v, 2) for k, v in sorted(threads.spent.items())},
        "full_cpu_ms_per_article": round(1000 * total / n, 1), "ner_floor_articles": floor_articles,
        "ner_floor_ms_per_article": None if floor is None else round(floor, 1),
        "prefect_cpu_s": {k: round(v, 2) for k, v in prefect.items()}, "prefect_server_cpu_before_the_run_s": round(server_start, 2),
        "bench_samplers_cpu_s": round(tree.own_cpu + threads.own_cpu, 2),
        "peak_tree_rss_without_upkeep_MiB": round(tree.peak_without_upkeep / 2**20),
        "prefect_share": round(sum(prefect.values()) / total, 4) if total else None,
        "idle_workers_share": {stage or "overall": None if v is None else round(v, 4) for stage, v in idle.items()},
        "pool_samples": {stage: len(s) for stage, s in threads.pool.items()},
        "batch_load_s": {stage: [round(x, 3) for x in s] for stage, s in loads.items()},
        "batch_load_growth": {stage: _first_last(s) for stage, s in loads.items() if s},
        "upkeep_passes": passes, "file_MiB": warehouse_mib, "snapshot_again_s (nothing new: the base brought up to date)": again_s,
    }


def run_baseline(articles: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(SHARED / "webfarm" / "baseline.py"), "--articles", str(articles), "--mode", "pipeline"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}"


def report(ours: dict, text_only: dict, base: dict | None, analysis: str) -> None:
    """The table, then the lines issue 12 reads, in its wording (without a baseline, those that need none)."""
    print(f"\n{'':12}{'articles':>9}{'articles/s':>12}{'CPU ms/article':>16}")
    if analysis == "now":
        print(f"{'newsflow':12}{ours['articles']:>9}{ours['articles_per_s']:>12}{ours['cpu_ms_per_article']:>16}")
    if text_only["analysis"] == "later":
        print(f"{'text-only':12}{text_only['articles']:>9}{text_only['articles_per_s']:>12}{text_only['cpu_ms_per_article']:>16}")
    if analysis == "later":
        print(f"{'analyze':12}{ours['analysed']:>9}{ours['analysed_per_s']:>12}{ours['analysis_cpu_ms_per_article']:>16}")
    if base:
        print(f"{'baseline':12}{base['articles_loaded']:>9}{base['articles_per_s']:>12}{base['cpu_ms_per_article']:>16}")
    if base and text_only["analysis"] == "later":
        how = "a text-only ingest on a fresh farm" if analysis == "now" else "the ingest of this run"
        by_wall = text_only["articles"] / text_only["wall_s"] / base["articles_per_s"]
        print(f"ratio text-only / baseline articles/s: {text_only['articles_per_s'] / base['articles_per_s']:.2f} (ingest --analysis later: {how}; "
              f"by the command's wall time, the Prefect server's start and stop included: {by_wall:.2f})")
    how = "one run" if analysis == "now" else "ingest, then analyze, the two flows' seconds added"
    if base:
        print(f"ratio full pipeline / baseline articles/s: {ours['full_per_s'] / base['articles_per_s']:.2f} ({how})")
    a, b = ours["full_cpu_ms_per_article"], ours["ner_floor_ms_per_article"]
    print(f"full pipeline CPU ms/article: {a}; NER-only floor on the same pages: {b} (A - B: {a - b:.1f}; "
          f"tree CPU by role, s: {ours['tree_cpu_by_role_s']})")
    parts = ", ".join(f"{k} {v} s" for k, v in ours["prefect_cpu_s"].items())
    print(f"Prefect share of CPU: {_pct(ours['prefect_share'])} % ({parts}, of {ours['tree_cpu_s']} s; the server's "
          f"{ours['prefect_server_cpu_before_the_run_s']} s before its flow's run began are its start)")
    idle = ours["idle_workers_share"]
    stages = "" if analysis == "now" else f" (stage 1 parse {_pct(idle['parse'])} %, stage 2 analysis {_pct(idle['analysis'])} %)"
    alone = f"; text-only ingest: {_pct(text_only['idle_workers_share']['overall'])} %" if text_only is not ours else ""
    print(f"idle parse workers: {_pct(idle['overall'])} % of wall{stages}{alone}")
    base_rss = base["peak_rss_MiB"]["main_plus_workers"] if base else None
    against = f"; baseline {base_rss} MiB; ratio {ours['peak_tree_rss_MiB'] / base_rss:.2f}" if base_rss else ""
    print(f"peak tree RSS: {ours['peak_tree_rss_MiB']} MiB ({ours['peak_rss_by_role_MiB']}; without the upkeep, "
          f"{ours['peak_tree_rss_without_upkeep_MiB']} MiB){against}")
    for stage, label in (("parse", "stage 1 articles"), ("analysis", "stage 2 facts")):
        g = ours["batch_load_growth"].get(stage)
        if g:
            print(f"batch load s ({label}, {g['batches']} batches): first {g['k']} mean {g['first_mean_s']}, "
                  f"last {g['k']} mean {g['last_mean_s']} (ratio {g['ratio']})")
    sizes = ours["file_MiB"]
    for line in ours["upkeep_passes"]:
        print(f"snapshot s: {line} [after the run: warehouse {sizes['warehouse']} MiB, snapshot {sizes['snapshot']} MiB]")
    print(f"snapshot s, published again with nothing new (the base brought up to date): "
          f"{ours['snapshot_again_s (nothing new: the base brought up to date)']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-text-only", action="store_true", help="skip the text-only ingest of the default mode (and its ratio)")
    ap.add_argument("--analysis", choices=["now", "later"], default="now",
                    help="later: ingest the text only, then time `analyze` on its own (default: now, as `newsflow ingest`)")
    args = ap.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_newsflow(args.articles, Path(tmp), args.analysis)
    print(json.dumps(ours), flush=True)
    text_only = ours
    if args.analysis == "now" and not args.no_text_only:
        with tempfile.TemporaryDirectory() as tmp:
            text_only = run_newsflow(args.articles, Path(tmp), "later", then_analyze=False)
        print(json.dumps(text_only), flush=True)
    base = None if args.no_baseline else run_baseline(args.articles)
    if base:
        print(json.dumps({k: v for k, v in base.items() if k != "farm_stats"}))
    report(ours, text_only, base, args.analysis)


if __name__ == "__main__":
    main()

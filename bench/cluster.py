"""Ingest throughput on a Dask cluster against a local run, and what the coordinator spends per article.

Starts `shared/webfarm/farm.py` with N articles on 20 sites and one Prefect server, then ingests
the farm's `/feeds.opml` into a fresh warehouse three times with the real `ingest` flow: locally
(the baseline: the flow's own parse pool), with `--cluster local:1` and with `--cluster local:2`
(a `distributed.LocalCluster` started for the run, as the command line does), and with `tcp:2`: a
`dask scheduler` and two `dask worker` processes this script starts, as on a real cluster, where the
scheduler is not in the coordinator's process (a LocalCluster's is). It prints, for each:
articles/s over the whole run (the cluster's start and the workers' model loading included) and
over the batch phases of a cluster run (parse batches, then analysis batches: workers up to last
batch loaded); the coordinator's CPU per article (this process: fetching, staging, loading,
Prefect's and Dask's threads, and a local cluster's scheduler), the parts its main thread spends
per article in both stages (fetch + staging + load, and the load's wall time: how long the one
writer held the warehouse) and the rest, its other threads (Prefect's, Dask's, DuckDB's; ms of
CPU per second of the batch phases); the CPU of the processes
doing the parsing and analysis (the parse pool, or the Dask workers and their nannies) per
article, and how many cores they kept busy (on a shared machine: what they got); and the
warehouse's counts, which must be equal in every run.

    .venv/bin/python bench/cluster.py --articles 600
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))
from ingest import start_farm  # noqa: E402  (bench/ingest.py: the same farm, started the same way)

MODES = ("local", "local:1", "local:2", "tcp:2")


def cpu_seconds(exclude: set[int]) -> tuple[float, float]:
    """CPU of this process, and of its descendants but `exclude` (living ones, and the ended ones they waited for)."""
    me = psutil.Process()
    t = me.cpu_times()
    own, others = t.user + t.system, t.children_user + t.children_system
    for p in me.children(recursive=True):
        if p.pid in exclude:
            continue
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        others += t.user + t.system + t.children_user + t.children_system
    return own, others


@contextlib.contextmanager
def dask_processes(workers: int, tmp: Path) -> Iterator[tuple[str, set[int]]]:
    """A `dask scheduler` and `workers` single-threaded `dask worker` processes on 127.0.0.1, started as docs/operations.md
    says (with `flows.cluster.WORKER_CONFIG` in their environment): the address and the scheduler's PIDs."""
    from flows.cluster import WORKER_CONFIG

    dask = Path(sys.executable).with_name("dask")
    file, log = tmp / "scheduler.json", (tmp / "dask.log").open("ab")
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0",
                               "--scheduler-file", str(file)], stdout=log, stderr=log)]
    try:
        while not file.exists():
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        env = {**os.environ, **{"DASK_" + k.upper().replace(".", "__").replace("-", "_"): str(v) for k, v in WORKER_CONFIG.items()}}
        procs += [subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                   stdout=log, stderr=log, env=env) for _ in range(workers)]
        yield address, {procs[0].pid}
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(30)
        file.unlink(missing_ok=True)
        log.close()


def run(mode: str, feeds: Path, tmp: Path, exclude: set[int]) -> dict:
    from flows.cluster import run_flow
    from flows.http import FetchPolicy
    from flows.ingest import ingest
    from warehouse.db import query

    db = tmp / f"{mode.replace(':', '-')}.duckdb"
    policy = FetchPolicy(allow_loopback=True, concurrency=32, per_host=32, delay_s=0.0)
    parameters = {"db": str(db), "feeds_file": str(feeds), "policy": policy, "staging": str(tmp / "staging")}
    with contextlib.ExitStack() as stack:
        spec = mode
        if re.fullmatch(r"tcp:\d+", mode):
            spec, scheduler = stack.enter_context(dask_processes(int(mode.removeprefix("tcp:")), tmp))
            exclude = exclude | scheduler
        own0, others0 = cpu_seconds(exclude)
        summary = asyncio.run(ingest(**parameters)) if mode == "local" else run_flow(ingest, spec, **parameters)
        own1, others1 = cpu_seconds(exclude)
    counts = query(db, "select (select count(*) from articles), (select count(*) from entities), (select count(*) from mentions), "
                       "(select count(*) from agreements), (select md5(string_agg(body_sha256, ',' order by url)) from articles)")[1][0]
    n = max(counts[0], 1)
    cluster = both_stages(summary)
    return {
        "mode": mode, "articles": counts[0], "entities": counts[1], "mentions": counts[2], "agreements": counts[3], "bodies_md5": counts[4],
        "flow_s": round(summary.seconds, 1), "articles_per_s": round(counts[0] / summary.seconds, 2),
        "batch_phase_s": cluster.get("seconds"), "batch_phase_articles_per_s": round(counts[0] / cluster["seconds"], 2) if cluster else None,
        "batches": cluster.get("batches"),
        "coordinator_cpu_ms_per_article": round(1000 * (own1 - own0) / n, 1),
        "coordinator_parts_ms_per_article": {k: cluster[k] for k in PARTS} if cluster else None,
        "coordinator_other_threads_ms_per_s": cluster.get("other_threads_ms_per_s"),
        "parse_processes_cpu_ms_per_article": round(1000 * (others1 - others0) / n, 1),
        # cores the parsing processes kept busy: on a shared machine, what they got
        "parse_cores_busy": round((others1 - others0) / (cluster["seconds"] if cluster else summary.seconds), 2),
        "stages": {"parse": summary.cluster, "analysis": summary.cluster_analysis} if cluster else None,
    }


PARTS = ("fetch_ms", "stage_ms", "load_ms", "load_wall_ms", "cpu_ms")


def both_stages(summary) -> dict:
    """The coordinator's figures of a cluster run, its two stages together ({} for a local run): seconds and batches
    summed, ms per page (stage 1) plus ms per article (stage 2, analysis), and its other threads' CPU per second
    (Prefect's, Dask's, DuckDB's: the rest of its CPU in the batch phases)."""
    stages = [c for c in (summary.cluster, summary.cluster_analysis) if c]
    if not stages:
        return {}
    seconds = sum(c["seconds"] for c in stages)
    other = sum((c["cpu_ms"] - c["fetch_ms"] - c["stage_ms"] - c["load_ms"]) * c["pages"] for c in stages)
    return {"seconds": round(seconds, 2), "batches": sum(c["batches"] for c in stages),
            **{k: round(sum(c[k] for c in stages), 2) for k in PARTS}, "other_threads_ms_per_s": round(other / seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--modes", nargs="+", default=list(MODES),
                    help="local, local:N, tcp:N (a scheduler and N workers started here) or tcp://HOST:PORT (a running cluster)")
    args = ap.parse_args()
    from flows.config import quiet_prefect

    quiet_prefect()
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.prefect_server import local_server

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        farm, port = start_farm(args.articles, tmp)
        feeds = tmp / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "farm"\nurl = "http://127.0.0.1:{port}/feeds.opml"\nmax_entries = {args.articles}\n')
        try:
            with local_server() as api_url, temporary_settings({PREFECT_API_URL: api_url}):
                server = {p.pid for p in psutil.Process().children() if p.pid != farm.pid}  # the Prefect server (and its children)
                exclude = {farm.pid} | server | {c.pid for s in server for c in psutil.Process(s).children(recursive=True)}
                rows = []
                for mode in args.modes:
                    rows.append(run(mode, feeds, tmp, exclude))
                    print(json.dumps(rows[-1]), flush=True)
        finally:
            farm.terminate()
            farm.wait(10)
    base = rows[0]
    print(f"\n{'':9}{'articles':>9}{'flow s':>8}{'art/s':>7}{'vs ' + base['mode']:>10}{'batches art/s':>14}{'coord ms/art':>13}"
          f"{'fetch+stage+load':>18}{'load wall':>10}{'others ms/s':>12}{'parse ms/art':>13}{'parse cores':>12}")
    for r in rows:
        parts = r["coordinator_parts_ms_per_article"]
        split = f"{parts['fetch_ms']}+{parts['stage_ms']}+{parts['load_ms']}" if parts else ""
        load_wall = parts["load_wall_ms"] if parts else ""
        print(f"{r['mode']:9}{r['articles']:>9}{r['flow_s']:>8}{r['articles_per_s']:>7}{r['articles_per_s'] / base['articles_per_s']:>10.2f}"
              f"{r['batch_phase_articles_per_s'] or '':>14}{r['coordinator_cpu_ms_per_article']:>13}{split:>18}{load_wall:>10}"
              f"{r['coordinator_other_threads_ms_per_s'] or '':>12}{r['parse_processes_cpu_ms_per_article']:>13}{r['parse_cores_busy']:>12}")
    same = {(r["articles"], r["entities"], r["mentions"], r["agreements"], r["bodies_md5"]) for r in rows}
    print(f"warehouses alike (articles, entities, mentions, agreements, body hashes): {'yes' if len(same) == 1 else 'NO: ' + str(same)}")


if __name__ == "__main__":
    main()

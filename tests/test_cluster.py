"""Prefect flows and newsflow's commands on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes on 127.0.0.1, stopped by PID at the end of the module.

The generic flows and tasks are in tests/cluster_tasks.py. A test that kills a worker leaves the
cluster one short; the next test's `cluster` starts a new one.
"""

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from cluster_tasks import one_batch, set_environment, settings_on_a_worker, two_places
from distributed import Client
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

from extractors import EXTRACTOR_VERSION
from flows.batch_tables import parsed_tables
from flows.cli import main
from flows.cluster import WORKER_CONFIG, WorkerSetup, parse_cluster, task_runner
from flows.cluster_batches import load_leftovers, parts
from flows.config import ConfigError
from flows.pipeline import ParsedBatch
from flows.summary import RunSummary
from schemas import FetchResult, Reject
from warehouse.db import connect, query
from warehouse.frontier import Backoff

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def module_cluster(prefect_api, dask_cluster):
    """The Prefect server starts before the cluster and stops after it."""
    return dask_cluster


@pytest.fixture
def cluster(module_cluster):
    """The module's cluster with its two workers: one a test killed is replaced."""
    module_cluster.revive()
    return module_cluster


def test_tasks_run_on_both_workers_each_prepared_once(cluster):
    runner = task_runner(parse_cluster(cluster.address), warm=["cluster_tasks.warm_up"])
    results = two_places.with_options(task_runner=runner)()
    assert {r["pid"] for r in results} == cluster.worker_pids  # one task on each worker
    for r in results:
        assert r["warmed"] == [r["pid"]]  # the warm-up ran once in that worker process
        assert r["do_not_track"] == "1"  # quiet Prefect defaults, though the worker was started without them


def test_a_local_cluster_runs_its_workers_with_little_dask_overhead(prefect_api):
    runner = task_runner(parse_cluster("local:1"))
    assert settings_on_a_worker.with_options(task_runner=runner)(list(WORKER_CONFIG)) == WORKER_CONFIG


def test_a_worker_that_cannot_be_prepared_stops_the_run_in_one_line(cluster):
    runner = task_runner(parse_cluster(cluster.address), warm=["cluster_tasks.no_such_function"])
    with pytest.raises(ConfigError, match="a Dask worker could not be prepared: AttributeError: .*no_such_function") as e:
        two_places.with_options(task_runner=runner)()
    assert "\n" not in str(e.value)
    with Client(cluster.address) as client:
        with pytest.raises(ConnectionError, match="cannot reach the Prefect API at http://127.0.0.1:9/api"):
            client.register_plugin(WorkerSetup("http://127.0.0.1:9/api"))
        with pytest.raises(RuntimeError, match=r"extractors.EXTRACTOR_VERSION is \S+ on this worker but 0ld on the coordinator; install the same"):
            client.register_plugin(WorkerSetup(None, expect={"extractors.EXTRACTOR_VERSION": "0ld"}))


def test_a_batch_whose_worker_dies_is_run_again_on_the_other_worker_and_delivered_once(cluster, tmp_path):
    marker = tmp_path / "attempts.txt"
    killed = []

    def kill_the_worker_running_it():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = marker.read_text() if marker.exists() else ""  # the file exists a moment before its line
            if line.endswith("\n"):
                pid = int(line.split()[1])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_worker_running_it, daemon=True)
    killer.start()
    runner = task_runner(parse_cluster(cluster.address))
    results, flow_run_id = one_batch.with_options(task_runner=runner)(str(marker), 3.0)
    killer.join(5)
    (dead,) = killed
    (survivor,) = cluster.worker_pids - {dead}
    assert results == [survivor]
    assert marker.read_text().split("\n") == [f"start {dead}", f"start {survivor}", f"end {survivor}", ""]
    # One task run, completed once: Dask re-ran the same run. Workers report states as events,
    # which the server records a moment later; the dead attempt's own may be missing (a killed
    # worker cannot send its last ones).
    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + 30
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            states = [s.type.value for run in runs for s in client.read_task_run_states(run.id)]
            if states[-1:] == ["COMPLETED"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert len(runs) == 1 and runs[0].state.is_completed()
    assert states[-1] == "COMPLETED" and states.count("COMPLETED") == 1, states


# --- newsflow's commands on the cluster, against the web farm --------------------------------------

FARM_ENTRIES = 20  # per site feed: about 40 articles from the farm's two sites, two batches for two workers
POLITE = ("--allow-local", "--delay", "0", "--per-host", "8")
FACTS = {  # what a run leaves, without the columns that say when, or in which run, a row was written
    "articles": "select url, body_sha256, title, published_at, dateline_place from articles",
    "article_blocks": "select url, kind, seq, text from article_blocks",
    "raw_documents": "select sha256, url from raw_documents",
    "page_fetches": "select url, status, error from fetch_log where kind = 'page'",  # feeds are polled again by a second run
    "rejects": "select stage, url, reason from rejects",
    "entities": "select entity_id, kind, key, name, merged_into from entities",
    "mentions": "select url, seq, entity_id, surface, start_char from mentions",
    "roles": "select url, person_id, title from roles",
    "agreements": "select agreement_id, type, signed_on, dedup_key from agreements",
    "agreement_mentions": "select agreement_id, url, seq from agreement_mentions",
    "frontier": "select url, state, article_url from frontier",
}


def facts(db: Path) -> dict:
    return {name: query(db, f"{sql} order by all")[1] for name, sql in FACTS.items()}


def newsflow(*args) -> str:
    """Run a newsflow command in this process; its output, after checking it succeeded."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def staged(location: Path) -> dict[str, list[str]]:
    """Every batch in a staging location, ready or not, by part."""
    pages, parsed = parts(str(location))
    return {"pages": pages.batches(), "parsed": parsed.batches()}


@pytest.fixture(scope="module")
def farm_feeds(farm, tmp_path_factory) -> Path:
    feeds = tmp_path_factory.mktemp("feeds") / "farm.toml"
    feeds.write_text(f'[[feeds]]\nname = "farm"\nurl = "{farm.url("/feeds.opml")}"\nmax_entries = {FARM_ENTRIES}\n')
    return feeds


@pytest.fixture(scope="module")
def local_run(prefect_api, farm_feeds, tmp_path_factory) -> Path:
    """The warehouse a local run makes of the farm: the reference for cluster runs."""
    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    newsflow("ingest", "--feeds", farm_feeds, "--db", db, *POLITE)
    assert query(db, "select count(*) from articles")[1][0][0] >= 30
    return db


def test_ingest_on_the_cluster_makes_the_warehouse_a_local_run_makes_though_a_worker_dies_in_a_batch(cluster, local_run, farm_feeds, tmp_path):
    paused, killed = tmp_path / "paused", []
    with Client(cluster.address) as client:
        victim_address, victim = next((a, pid) for a, pid in client.run(os.getpid).items() if pid in cluster.worker_pids)
        # This worker freezes while staging its first parsed batch, some of its files written (flows.faults).
        client.run(set_environment, {"NEWSFLOW_PAUSE_AT": "stage", "NEWSFLOW_PAUSED_FILE": str(paused)}, workers=[victim_address])

        def kill_it_when_frozen():
            deadline = time.monotonic() + 180
            while not paused.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if paused.exists():
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        killer = threading.Thread(target=kill_it_when_frozen, daemon=True)
        killer.start()
        try:
            out = newsflow("ingest", "--feeds", farm_feeds, "--db", tmp_path / "cluster.duckdb", *POLITE,
                           "--cluster", cluster.address, "--staging", tmp_path / "staging")
        finally:
            killer.join(1)
            if not killed:
                client.run(set_environment, {"NEWSFLOW_PAUSE_AT": None}, workers=[victim_address])
    assert killed == [victim], "the worker never started a batch"
    (cluster_line,) = [line for line in out.splitlines() if line.startswith("cluster:")]
    assert cluster_line.startswith("cluster:  2 batches on 2 workers; coordinator CPU"), out  # none failed
    (analysis_line,) = [line for line in out.splitlines() if line.startswith("analysis on the cluster:")]  # stage 2 there too
    assert analysis_line.startswith("analysis on the cluster: 2 batches on ") and "failed" not in analysis_line, out  # 1 or 2 workers
    assert facts(tmp_path / "cluster.duckdb") == facts(local_run)  # nothing lost, nothing doubled
    assert staged(tmp_path / "staging") == {"pages": [], "parsed": []}  # the dead attempt's files went with its batch


def test_analyze_on_the_cluster_gives_the_facts_of_a_local_run(cluster, local_run, farm_feeds, tmp_path):
    db = tmp_path / "later.duckdb"
    newsflow("ingest", "--feeds", farm_feeds, "--db", db, *POLITE, "--analysis", "later")  # stage 1 only, locally
    assert query(db, "select count(*) from mentions")[1] == [(0,)]
    out = newsflow("analyze", "--db", db, "--cluster", cluster.address, "--staging", tmp_path / "staging")
    assert "analysis on the cluster: 2 batches on 2 workers;" in out, out
    assert facts(db) == facts(local_run)


def test_reprocess_on_the_cluster_gives_the_facts_reprocess_gives(cluster, local_run, tmp_path):
    for name in ("here", "there"):  # two copies of one warehouse, damaged alike
        shutil.copy(local_run, tmp_path / f"{name}.duckdb")
        with connect(tmp_path / f"{name}.duckdb") as con:
            con.execute("UPDATE articles SET body = 'damaged', text_hash = md5('damaged') WHERE url = (SELECT min(url) FROM articles)")
            con.execute("DELETE FROM agreement_mentions")
    here = newsflow("reprocess", "--db", tmp_path / "here.duckdb")
    there = newsflow("reprocess", "--db", tmp_path / "there.duckdb", "--cluster", cluster.address, "--staging", tmp_path / "staging")
    articles_line = next(line for line in here.splitlines() if line.startswith("articles:"))
    assert articles_line.startswith("articles: 0 new, 1 updated,") and articles_line in there.splitlines()
    assert "cluster:  2 batches on 2 workers;" in there and "analysis on the cluster: 2 batches on 2 workers;" in there
    assert facts(tmp_path / "there.duckdb") == facts(tmp_path / "here.duckdb") == facts(local_run)


def test_batches_staged_by_a_run_killed_while_loading_are_loaded_by_the_next_run(cluster, local_run, farm_feeds, farm, tmp_path):
    db, staging, paused = tmp_path / "w.duckdb", tmp_path / "staging", tmp_path / "paused"
    env = {**os.environ, "NEWSFLOW_PAUSE_AT": "load", "NEWSFLOW_PAUSED_FILE": str(paused), "PREFECT_API_URL": PREFECT_API_URL.value()}
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(farm_feeds), "--db", str(db), *POLITE,
         "--cluster", cluster.address, "--staging", str(staging)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not paused.exists():  # frozen inside its first load transaction
            assert coordinator.poll() is None and time.monotonic() < deadline, coordinator.stderr.read().decode()[-3000:]
            time.sleep(0.05)
    finally:
        os.killpg(coordinator.pid, signal.SIGKILL)
        coordinator.wait(10)
        coordinator.stderr.close()
    pages, parsed = parts(str(staging))
    deadline = time.monotonic() + 120
    while not pages.list_ready() or parsed.list_ready() != pages.list_ready():  # the workers finish what they were given
        assert time.monotonic() < deadline, staged(staging)
        time.sleep(0.1)
    left = parsed.list_ready()
    articles_left = sum(len(parsed.read(b)["articles"]) for b in left)

    farm.reset()
    out = newsflow("ingest", "--feeds", farm_feeds, "--db", db, *POLITE, "--staging", staging)  # a plain local run
    assert f"staged:   {len(left)} batch{'es' if len(left) > 1 else ''} an earlier run left" in out, out
    local_articles = query(local_run, "select count(*) from articles")[1][0][0]
    assert farm.stats()["by_kind"].get("article", 0) == local_articles - articles_left  # the staged pages are not fetched again
    assert facts(db) == facts(local_run)
    assert staged(staging) == {"pages": [], "parsed": []}


def test_ctrl_c_stops_a_cluster_run_at_once_keeping_what_it_loaded(cluster, farm_feeds, tmp_path):
    staging = tmp_path / "staging"
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(farm_feeds), "--db", str(tmp_path / "w.duckdb"), *POLITE,
         "--cluster", cluster.address, "--staging", str(staging)],
        cwd=ROOT, env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not staged(staging)["pages"]:  # a batch is on the cluster
            assert coordinator.poll() is None and time.monotonic() < deadline, coordinator.stdout.read()[-3000:]
            time.sleep(0.05)
        coordinator.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, _ = coordinator.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if coordinator.poll() is None:
            os.killpg(coordinator.pid, signal.SIGKILL)
            coordinator.wait(10)
    assert coordinator.returncode == -signal.SIGINT and took < 15, (took, out[-3000:])  # it leaves by the signal: the shell says 130
    assert "interrupted: 0 articles loaded," in out and "pages left for the next run" in out, out[-3000:]


@flow
def load_what_is_staged(db: str, location: str) -> RunSummary:
    summary = RunSummary(run_id="r1", flow="ingest")
    load_leftovers(db, summary, location, Backoff())
    return summary


def test_a_staged_batch_of_another_extractor_version_is_not_loaded(prefect_api, tmp_path):
    db, staging = tmp_path / "w.duckdb", tmp_path / "staging"
    _, parsed = parts(str(staging))
    for version, url in (("0ld", "http://a.test/old"), (EXTRACTOR_VERSION, "http://a.test/new")):
        fetch = FetchResult(url=url, status=200, headers={"content-type": "text/html"}, body=b"<html></html>", fetched_at=dt.datetime.now(dt.UTC))
        batch = ParsedBatch(rejects=[Reject(stage="parse", reason="not an article", url=url, raw_sha256=fetch.sha256)])
        parsed.write(f"b-{url[-3:]}", parsed_tables(batch, [fetch]), {"kind": "ingest", "extractor_version": version})
    with connect(db):
        pass
    summary = load_what_is_staged(str(db), str(staging))
    assert summary.staged_loaded == 1 and query(db, "select url from rejects")[1] == [("http://a.test/new",)]
    assert staged(staging) == {"pages": [], "parsed": []}

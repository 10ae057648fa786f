"""`newsflow serve`: one Prefect deployment per schedule, one run at a time; Prefect's home and artifact keys."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.config import SAMPLE_DIR, FeedConfig, quiet_prefect
from flows.http import FetchPolicy
from flows.scheduler import deployments
from flows.summary import artifact_key
from schemas.settings import DEFAULTS, Settings


def test_feeds_are_grouped_by_schedule_and_unscheduled_ones_run_hourly(tmp_path):
    feeds = [
        FeedConfig("bbc", "https://a.test/rss", schedule="*/15 * * * *"),
        FeedConfig("guardian", "https://b.test/rss", schedule="*/15 * * * *"),
        FeedConfig("cns", "https://c.test/rss"),
    ]
    deps = deployments(str(tmp_path / "w.duckdb"), str(tmp_path / "feeds.toml"), feeds, FetchPolicy(delay_s=2.0))
    by_feeds = {tuple(d.parameters["only"]): d for d in deps}
    assert set(by_feeds) == {("bbc", "guardian"), ("cns",)}
    crons = {names: d.schedules[0].schedule.cron for names, d in by_feeds.items()}
    assert crons == {("bbc", "guardian"): "*/15 * * * *", ("cns",): DEFAULTS.schedule} and DEFAULTS.schedule == "0 * * * *"
    params = by_feeds[("cns",)].parameters
    assert params["db"] == str(tmp_path / "w.duckdb") and params["policy"]["delay_s"] == 2.0


def test_a_due_run_never_starts_over_a_running_one(tmp_path):
    (dep,) = deployments(str(tmp_path / "w.duckdb"), str(tmp_path / "f.toml"), [FeedConfig("a", "https://a.test/rss")], FetchPolicy())
    assert dep.concurrency_limit == 1
    assert dep.concurrency_options.collision_strategy.value == "CANCEL_NEW"  # not queued behind it either


def test_artifact_keys_name_the_warehouse():
    one, other = artifact_key("ingest", "/data/a/newsflow.duckdb"), artifact_key("ingest", "/data/b/newsflow.duckdb")
    assert one.startswith("newsflow-ingest-newsflow-") and other.startswith("newsflow-ingest-newsflow-") and one != other
    assert artifact_key("ingest", "/data/a/newsflow.duckdb") == one  # the same warehouse keeps its timeline
    assert artifact_key("reprocess", "/x/My Warehouse.duckdb").startswith("newsflow-reprocess-my-warehouse-")
    assert all(c.islower() or c.isdigit() or c == "-" for c in one + other)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in [k for k in os.environ if k.startswith("PREFECT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_prefect_gets_a_home_of_its_own_unless_the_user_configured_one(clean_env, monkeypatch):
    home = clean_env / "state" / "prefect"
    quiet_prefect(Settings(prefect_home=str(home)))
    assert os.environ["PREFECT_HOME"] == str(home) and home.is_dir()
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false" and os.environ["DO_NOT_TRACK"] == "1"

    monkeypatch.setenv("PREFECT_HOME", "/theirs")
    quiet_prefect(Settings(prefect_home=str(home)))
    assert os.environ["PREFECT_HOME"] == "/theirs"

    monkeypatch.delenv("PREFECT_HOME")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    quiet_prefect(Settings(prefect_home=str(clean_env / "unused")))
    assert "PREFECT_HOME" not in os.environ and not (clean_env / "unused").exists()


def test_a_prefect_profile_counts_as_configured(clean_env):
    profiles = Path(os.environ["HOME"]) / ".prefect" / "profiles.toml"
    profiles.parent.mkdir(parents=True)
    profiles.write_text('active = "team"\n')
    quiet_prefect(Settings(prefect_home=str(clean_env / "unused")))
    assert "PREFECT_HOME" not in os.environ


SCHEDULED_RUN = """
import sys
from prefect.flows import load_flow_from_entrypoint
load_flow_from_entrypoint(sys.argv[1])  # what Prefect's runner does before a scheduled run
from flows.parallel import parse_one, parse_pool
page = open(sys.argv[2], "rb").read()
pool = parse_pool(10_000)
print(pool.submit(parse_one, page, "text/html", "http://127.0.0.1/a.html", None).result().title)
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parse pool needs two cores")
def test_a_scheduled_run_parses_in_the_pool_like_a_run_by_hand(tmp_path):
    """The runner loads the flow from the deployment's entrypoint; from a file path it would put the
    `flows` folder on sys.path, where flows/http.py hides the standard library's http in the workers."""
    (dep,) = deployments(str(tmp_path / "w.duckdb"), str(tmp_path / "f.toml"), [FeedConfig("a", "https://a.test/rss")], FetchPolicy())
    page = SAMPLE_DIR / "site" / "articles" / "venezuela-china-oil.html"
    run = subprocess.run([sys.executable, "-c", SCHEDULED_RUN, dep.entrypoint, str(page)], capture_output=True, text=True, timeout=300,
                         cwd=os.getcwd())  # where the deployment was made, as `serve` runs it
    assert run.returncode == 0, run.stderr[-1500:]
    assert run.stdout.strip() == "Venezuela and China sign oil deal"


SCHEDULED_INGEST = """
import asyncio, inspect, sys
from prefect.flows import load_flow_from_entrypoint
from flows.http import FetchPolicy
flow = load_flow_from_entrypoint(sys.argv[1])  # as Prefect's runner starts a scheduled run, in a process of its own
ran = flow(db=sys.argv[2], feeds_file=sys.argv[3], policy=FetchPolicy(allow_loopback=True, delay_s=0))
if inspect.iscoroutine(ran):  # an async flow, run in this main thread as Prefect's engine runs it
    asyncio.run(ran)
"""


def test_a_scheduled_run_cancelled_by_the_runner_stops_quietly_and_records_it(tmp_path):
    """`serve` stopped with Ctrl-C cancels the runs in progress: Prefect's runner sends each SIGTERM. The run stops
    at its next safe point as `newsflow ingest` does, and records it; no crash, no traceback, no ERROR line."""
    import signal
    import socket
    import time

    from prefect.testing.utilities import prefect_test_harness

    from warehouse.db import query

    hang = socket.create_server(("127.0.0.1", 0))  # a feed that accepts and never answers
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feeds]]\nname = "slow"\nurl = "http://127.0.0.1:{hang.getsockname()[1]}/rss.xml"\nrespect_robots = false\n')
    db = tmp_path / "w.duckdb"
    (dep,) = deployments(str(db), str(feeds), [FeedConfig("slow", "http://127.0.0.1/rss.xml")], FetchPolicy())
    with hang, prefect_test_harness(server_startup_timeout=120):
        from prefect.settings import PREFECT_API_URL

        env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "NEWSFLOW_PROGRESS_EVERY": "0.5"}
        run = subprocess.Popen([sys.executable, "-c", SCHEDULED_INGEST, dep.entrypoint, str(db), str(feeds)], cwd=os.getcwd(), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = ""
        deadline = time.monotonic() + 120
        while "reading the feeds" not in seen and time.monotonic() < deadline and run.poll() is None:
            seen += run.stdout.readline()
        run.send_signal(signal.SIGTERM)
        out, _ = run.communicate(timeout=60)
    said = seen + out
    assert "reading the feeds" in seen, said[-3000:]
    assert "ERROR" not in said and "Traceback" not in said and "Crash" not in said, said[-3000:]
    _, rows = query(db, "select summary->>'interrupted' from runs")
    assert rows == [("true",)], (rows, said[-3000:])

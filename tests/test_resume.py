"""Nothing lost, nothing doubled: ingest runs that fail, are killed, or meet one page twice.

Real parts: a fixture server on 127.0.0.1, the web farm, real Prefect flow runs (one throwaway
server for the module, shared with the killed subprocesses), real DuckDB files, and `kill -9`.
"""

import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

from flows.config import SAMPLE_DIR
from flows.http import FetchPolicy
from flows.ingest import ingest, reprocess
from schemas import FetchResult, Reject
from warehouse import load
from warehouse.db import connect, query, transaction
from warehouse.frontier import Backoff

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = SAMPLE_DIR / "site" / "articles"
POLICY = FetchPolicy(allow_loopback=True, delay_s=0.0, retries=0, backoff_s=0.05)


@pytest.fixture(scope="module", autouse=True)
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


class Site:
    """A fixture news site on 127.0.0.1: `routes[path]` is a list of (status, headers, body) answers,
    given in turn, the last one for ever after."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, dict, bytes]]] = {}
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                site.hits[path] = site.hits.get(path, 0) + 1
                answers = site.routes.get(path) or [(404, {}, b"not here")]
                status, headers, body = answers[min(site.hits[path], len(answers)) - 1]
                self.send_response(status)
                for k, v in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path: str, sample: str, *answers: int, canonical: str | None = None) -> None:
        body = (ARTICLES / sample).read_text()
        if canonical:
            body = body.replace(f"http://sample.newsflow.test/articles/{sample}", canonical)
        html = (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        self.routes[path] = [(s, {}, b"busy") if s != 200 else html for s in answers or (200,)]

    def feed(self, tmp_path: Path, *paths: str) -> str:
        items = "".join(f"<item><title>{p}</title><link>{self.base}{p}</link></item>" for p in paths)
        rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        self.routes["/rss.xml"] = [(200, {"Content-Type": "application/rss+xml"}, rss.encode())]
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "site"\nurl = "{self.base}/rss.xml"\nrespect_robots = false\n')
        return str(feeds)


@pytest.fixture
def site():
    s = Site()
    yield s
    s.server.shutdown()


def _ingest(db, feeds, **kw):
    return asyncio.run(ingest(db=str(db), feeds_file=feeds, policy=POLICY, **kw))


def test_a_page_that_answers_503_through_a_run_is_loaded_by_the_next_plain_run(site, tmp_path, db_path):
    site.page("/busy.html", "coloroll-wallco.html", 503, 200)
    site.page("/gone.html", "rcep-signed.html", 404, 200)
    feeds = site.feed(tmp_path, "/busy.html", "/gone.html")
    first = _ingest(db_path, feeds, backoff=Backoff(first_s=0))
    assert (first.new, first.rejected, first.to_retry) == (0, 2, 1)
    assert query(db_path, "select url, state, tries from frontier order by url")[1] == [
        (site.base + "/busy.html", "retry", 1), (site.base + "/gone.html", "failed", 0)]
    second = _ingest(db_path, feeds, backoff=Backoff(first_s=0))
    assert (second.feeds_not_modified + second.feeds_read, second.new, second.rejected) == (1, 1, 0)
    assert query(db_path, "select url from articles")[1] == [(site.base + "/busy.html",)]
    assert query(db_path, "select stage, url from rejects")[1] == [("fetch", site.base + "/gone.html")]  # a 404 stays a reject
    assert site.hits["/gone.html"] == 1


def test_a_failure_is_not_retried_before_its_time(site, tmp_path, db_path):
    site.page("/busy.html", "coloroll-wallco.html", 503, 200)
    feeds = site.feed(tmp_path, "/busy.html")
    _ingest(db_path, feeds)
    again = _ingest(db_path, feeds)
    assert (again.new, site.hits["/busy.html"]) == (0, 1)
    assert query(db_path, "select state from frontier")[1] == [("retry",)]


def test_an_entry_that_is_another_entrys_page_is_one_article(site, tmp_path, db_path):
    site.page("/story.html", "coloroll-wallco.html")
    site.routes["/old-link.html"] = [(301, {"Location": "/story.html"}, b"")]
    shared = "http://elsewhere.test/the-story"  # two addresses of one page that declares one canonical link
    site.page("/print/1.html", "rcep-signed.html", canonical=shared)
    site.page("/amp/1.html", "rcep-signed.html", canonical=shared)
    home = "http://elsewhere.test/"  # a site that gives every page its home page as canonical link
    site.page("/a.html", "venezuela-china-oil.html", canonical=home)
    site.page("/b.html", "hubei-central-enterprises.html", canonical=home)
    feeds = site.feed(tmp_path, "/old-link.html", "/story.html", "/print/1.html", "/amp/1.html", "/a.html", "/b.html")
    summary = _ingest(db_path, feeds)
    b = site.base
    assert query(db_path, "select url from articles order by url")[1] == [(b + p,) for p in ("/a.html", "/amp/1.html", "/b.html", "/story.html")]
    assert (summary.new, summary.same_page) == (4, 2)
    assert query(db_path, "select url, article_url from frontier where url <> article_url order by url")[1] == [
        (b + "/old-link.html", b + "/story.html"), (b + "/print/1.html", b + "/amp/1.html")]
    # the mentions of the page count once
    assert query(db_path, "select count(distinct url) from mention_view where name = 'Coloroll Group Plc'")[1] == [(1,)]


def test_a_stored_article_that_turns_out_to_be_another_entrys_page_gives_way(site, tmp_path, db_path):
    """The article of a page does not depend on which entry came first: the entry at the page's own URL wins."""
    site.routes["/old-link.html"] = [(301, {"Location": "/story.html"}, b"")]
    site.page("/story.html", "coloroll-wallco.html")
    _ingest(db_path, site.feed(tmp_path, "/old-link.html"))
    assert query(db_path, "select url from articles")[1] == [(site.base + "/old-link.html",)]
    _ingest(db_path, site.feed(tmp_path, "/old-link.html", "/story.html"))
    assert query(db_path, "select url from articles")[1] == [(site.base + "/story.html",)]
    assert query(db_path, "select count(distinct url) from mentions")[1] == [(1,)]
    assert query(db_path, "select article_url from frontier order by url")[1] == [(site.base + "/story.html",)] * 2


def test_reprocess_makes_articles_of_parse_rejects_whose_bytes_are_stored(db_path):
    """As if an older extractor had rejected a good page: the raw bytes are kept, so a fixed one recovers it."""
    url = "http://sample.newsflow.test/articles/coloroll-wallco.html"
    page = FetchResult(url=url, final_url=url, status=200, headers={"content-type": "text/html"},
                       body=(ARTICLES / "coloroll-wallco.html").read_bytes(), fetched_at=dt_now())
    with connect(db_path) as con, transaction(con):
        load.store_raw(con, [page])
        load.save_rejects(con, "old", [Reject(stage="parse", reason="parser error: ValueError: a bug", url=url, raw_sha256=page.sha256)], dt_now())
    summary = asyncio.run(reprocess(db=str(db_path)))
    assert (summary.new, summary.rejected) == (1, 0)
    assert query(db_path, "select url, left(body, 15) from articles")[1] == [(url, "LONDON, March 2")]
    assert query(db_path, "select count(*) from rejects")[1] == [(0,)]
    assert query(db_path, "select count(*) from agreements")[1] == [(1,)]


def dt_now():
    return dt.datetime.now(dt.UTC)


FACTS = {  # what a run leaves, without the columns that say when or in which run a row was written
    "articles": "url, body_sha256, title, published_at",
    "entities": "entity_id, kind, key, name, merged_into",
    "mentions": "url, seq, entity_id, surface, start_char",
    "roles": "url, person_id, title",
    "agreements": "agreement_id, type, signed_on, dedup_key",
    "agreement_mentions": "agreement_id, url, seq",
    "frontier": "url, state, article_url",
}


def _facts(db) -> dict:
    return {t: query(db, f"select {cols} from {t} order by all")[1] for t, cols in FACTS.items()}


def test_ingest_then_reprocess_leaves_the_same_facts(tmp_path, db_path):
    from flows.static_server import StaticServer

    with StaticServer(SAMPLE_DIR / "site") as server:
        policy = FetchPolicy(allow_loopback=True, hosts={"sample.newsflow.test": server.address}, delay_s=0.0)
        asyncio.run(ingest(db=str(db_path), feeds_file=str(SAMPLE_DIR / "feeds.toml"), policy=policy))
    before = _facts(db_path)
    again = asyncio.run(reprocess(db=str(db_path), batch_size=4))  # other batches than ingest's
    assert (again.updated, again.facts_changed, again.unchanged) == (0, 0, 6)
    assert _facts(db_path) == before


# --- kill -9 at three moments, then a plain rerun ------------------------------------------------

RUNNER = """
import asyncio, sys
from flows.config import quiet_prefect
quiet_prefect()
from flows.http import FetchPolicy
from flows.ingest import ingest
asyncio.run(ingest(db=sys.argv[1], feeds_file=sys.argv[2], policy=FetchPolicy(allow_loopback=True, delay_s=0.0), batch_size=3))
"""
ENTRIES = 8  # 3 batches of at most 3 (one entry is the farm's robots.txt trap)


def _farm_feeds(farm, tmp_path: Path) -> str:
    feeds = tmp_path / "farm.toml"
    feeds.write_text(f'[[feeds]]\nname = "farm"\nurl = "{farm.url("/site1/rss.xml")}"\nmax_entries = {ENTRIES}\n')
    return str(feeds)


def _kill_at(points: dict[str, Path], feeds: str, tmp_path: Path) -> None:
    """Run ingest into each db in a subprocess (all at once, to save time), freeze each at its point
    (flows.faults), and kill -9 it there."""
    procs = {}
    for point, db in points.items():
        paused = tmp_path / f"paused-{point.replace(':', '-')}"
        env = {**os.environ, "NEWSFLOW_PAUSE_AT": point, "NEWSFLOW_PAUSED_FILE": str(paused), "PREFECT_API_URL": PREFECT_API_URL.value()}
        procs[point] = paused, subprocess.Popen([sys.executable, "-c", RUNNER, str(db), feeds], cwd=ROOT, env=env,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        for point, (paused, proc) in procs.items():
            while not paused.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the run never reached {point}: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.05)
    finally:
        for _, proc in procs.values():
            _kill_9_leaves_no_process(proc)
            proc.stderr.close()


def _kill_9_leaves_no_process(proc: subprocess.Popen) -> None:
    """kill -9 `proc` alone, as an operator or the OOM killer would, and assert that every process
    it started ends too (within 10 s). Its session is killed afterwards, so a failure leaves none."""
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    try:
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, f"left behind by kill -9: {[' '.join(p.cmdline()[:3]) for p in alive]}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


POOL_RUNNER = """
import sys
from flows.parallel import parse_pool, parse_one
pool = parse_pool(10_000)
pool.submit(parse_one, b"<html><body><p>warm</p></body></html>", "text/html", "http://127.0.0.1/", None).result()
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parse pool needs two cores")
def test_kill_9_of_the_flows_process_ends_its_parse_workers():
    proc = subprocess.Popen([sys.executable, "-c", POOL_RUNNER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        assert len(psutil.Process(proc.pid).children(recursive=True)) >= 2  # the fork server and its workers
    finally:
        _kill_9_leaves_no_process(proc)
        proc.stdin.close()
        proc.stdout.close()


def test_kill_9_at_any_moment_then_a_plain_rerun_gives_what_an_uninterrupted_run_gives(farm, tmp_path):
    feeds = _farm_feeds(farm, tmp_path)
    policy = FetchPolicy(allow_loopback=True, delay_s=0.0)
    whole = tmp_path / "whole.duckdb"
    asyncio.run(ingest(db=str(whole), feeds_file=feeds, policy=policy))
    expected = _facts(whole)
    assert len(expected["articles"]) == ENTRIES - 1 and expected["mentions"], "the reference run loaded too little to compare"
    # after polling, inside batch 2's fetch, inside the second load, inside the first analysis: the URLs of the batches
    # not loaded are left pending, at least so many (batches overlap: batch 1 may have loaded or not when batch 2 is
    # fetched, and a small batch parsed in the flow's process may load before the one before it)
    moments = {"polled": 8, "fetch:5": 5, "load:2": 2, "analysis": 0}
    dbs = {point: tmp_path / f"killed-{point.replace(':', '-')}.duckdb" for point in moments}
    _kill_at(dbs, feeds, tmp_path)
    for point, pending in moments.items():
        db = dbs[point]
        assert pending <= query(db, "select count(*) from frontier where state = 'pending'")[1][0][0] <= 8, point
        stored, unanalysed = query(db, "select count(*), count(*) filter (where analysis_version is null) from articles")[1][0]
        rerun = asyncio.run(ingest(db=str(db), feeds_file=feeds, policy=policy, batch_size=4))
        assert rerun.feeds_not_modified == 1, point  # the feed answers 304: the work comes from the frontier
        assert rerun.analysed == ENTRIES - 1 - stored + unanalysed, point  # what the killed run stored without analysing, and the rest
        assert _facts(db) == expected, point

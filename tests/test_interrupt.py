"""Ctrl-C and SIGTERM stop a real `newsflow ingest` cleanly, within seconds; what it loaded is kept and the rest is
left for the next run; nothing it started outlives it. Progress shows while it runs, and the summary once at the end.

Real parts: the command in a session of its own, a news site on 127.0.0.1 whose later pages hang (so a run is
still fetching when the signal comes), the temporary Prefect server newsflow starts, its parse workers, DuckDB.
"""

from __future__ import annotations

import asyncio
import contextlib
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

from flows.summary import artifact_key
from warehouse.db import query

ROOT = Path(__file__).resolve().parents[1]
PAGE = """<html><head><title>Story {i}</title><link rel="canonical" href="{base}/a/{i}.html"></head><body><article>
<h1>Story {i}</h1><p>BEIJING, Nov. 7 (Xinhua) -- Harbor Works Co and Delta Freight Ltd signed a cooperation agreement
on Tuesday to run port number {i}.</p><p>The agreement covers five years of joint operations, the companies said.</p>
</article></body></html>"""


class Site:
    """An RSS feed of `pages` short articles on 127.0.0.1. Page requests after the first `serve_first` hang until
    `release` is set (at most a minute), as a slow site's would."""

    def __init__(self, pages: int, serve_first: int):
        self.pages, self.serve_first, self.served = pages, serve_first, 0
        self.release = threading.Event()
        site, lock = self, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/rss.xml":
                    items = "".join(f"<item><title>Story {i}</title><link>{site.base}/a/{i}.html</link></item>" for i in range(site.pages))
                    self._send("application/rss+xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>')
                    return
                with lock:
                    site.served += 1
                    hang = site.served > site.serve_first
                if hang and not site.release.wait(60):
                    return
                self._send("text/html; charset=utf-8", PAGE.format(i=self.path.split("/")[-1].split(".")[0], base=site.base))

            def _send(self, content_type: str, text: str) -> None:
                body = text.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # a client that gave up
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def urls(self) -> set[str]:
        return {f"{self.base}/a/{i}.html" for i in range(self.pages)}

    def feeds(self, tmp_path: Path) -> str:
        path = tmp_path / "feeds.toml"
        path.write_text(f'[[feeds]]\nname = "slow"\nurl = "{self.base}/rss.xml"\nrespect_robots = false\n')
        return str(path)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def make_site():
    sites = []

    def make(pages: int, serve_first: int) -> Site:
        sites.append(Site(pages, serve_first))
        return sites[-1]

    yield make
    for s in sites:
        s.close()


@pytest.fixture(scope="module")
def prefect_api() -> str:
    """A Prefect server of the test's own, for runs whose artifacts the test reads afterwards."""
    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


class Ingest:
    """`newsflow ingest` in a session of its own, its output read as it comes; the processes it starts are noted."""

    def __init__(self, tmp_path: Path, feeds: str, db: Path, api_url: str | None = None, **env: str):
        environ = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"NEWSFLOW_PROGRESS_EVERY": "0.5", **env}
        if api_url:
            environ["PREFECT_API_URL"] = api_url
        args = ["ingest", "--allow-local", "--delay", "0", "--feeds", feeds, "--db", str(db)]
        self.proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=environ, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.out: list[str] = []
        self.err: list[str] = []
        self.seen: dict[int, psutil.Process] = {}
        self._readers = [threading.Thread(target=self._read, args=(s, lines), daemon=True)
                         for s, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self._readers:
            t.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def _note_family(self) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):
            for p in psutil.Process(self.proc.pid).children(recursive=True):
                self.seen.setdefault(p.pid, p)

    def wait_for(self, text: str, timeout_s: float = 240) -> None:
        """Wait until a line of its stderr holds `text`, noting the processes it started meanwhile."""
        deadline = time.monotonic() + timeout_s
        while not any(text in line for line in self.err):
            self._note_family()
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} on stderr; it said:\n" + "\n".join(self.err[-30:]))
            time.sleep(0.1)
        self._note_family()

    def signal(self, signum: int, timeout_s: float = 60) -> float:
        """Send `signum` to the command alone; the seconds it took to exit."""
        t0 = time.monotonic()
        self.proc.send_signal(signum)
        self.proc.wait(timeout_s)
        took = time.monotonic() - t0
        for t in self._readers:
            t.join(10)
        return took

    def assert_nothing_left(self) -> None:
        """No process it started, nor any of its session, is still running (a grace of 10 s for them to go)."""
        session = [p for p in psutil.process_iter() if _sid(p) == self.proc.pid]
        family = list(self.seen.values()) + session
        try:
            _, alive = psutil.wait_procs(family, timeout=10)
            assert not alive, f"left behind: {[' '.join(p.cmdline()[:4]) for p in alive]}"
        finally:
            for p in family:
                with contextlib.suppress(psutil.Error):
                    p.kill()

    @property
    def stdout(self) -> str:
        return "\n".join(self.out)

    @property
    def stderr(self) -> str:
        return "\n".join(self.err)


def _sid(p: psutil.Process) -> int | None:
    try:
        return os.getsid(p.pid)
    except OSError:
        return None


def test_ctrl_c_keeps_the_loaded_batch_stops_everything_and_a_plain_rerun_loads_the_rest(make_site, tmp_path, prefect_api):
    site = make_site(pages=220, serve_first=200)  # one batch of 200 loads (parse workers); the next hangs on the site
    feeds, db = site.feeds(tmp_path), tmp_path / "w.duckdb"
    run = Ingest(tmp_path, feeds, db)  # with the temporary Prefect server newsflow starts, and its parse workers
    run.wait_for("200 loaded")
    assert any("flows.prefect_server" in " ".join(p.cmdline()) for p in run.seen.values()), "no Prefect server was started"
    took = run.signal(signal.SIGINT)
    assert run.proc.returncode == -signal.SIGINT, run.stderr[-3000:]  # it leaves by the signal: the shell says 130
    assert took < 15, f"{took:.1f} s from Ctrl-C to exit"
    assert run.out[-1] == "interrupted: 200 articles loaded, 20 pages left for the next run", run.stdout
    assert "Traceback" not in run.stderr and "Error" not in run.stderr, run.stderr[-3000:]
    run.assert_nothing_left()
    assert query(db, "select state, count(*) from frontier group by all order by 1")[1] == [("done", 200), ("pending", 20)]

    site.release.set()
    again = Ingest(tmp_path, feeds, db, api_url=prefect_api)
    assert again.proc.wait(240) == 0, again.stderr[-3000:]
    for t in again._readers:
        t.join(10)
    assert {u for (u,) in query(db, "select url from articles")[1]} == site.urls()  # what one uninterrupted run loads
    assert query(db, "select count(*) from frontier where state <> 'done'")[1] == [(0,)]

    # progress while it ran, on stderr; the summary once, on stdout
    assert any(line[9:].startswith("ingest: 1 feed read · 20 pages:") for line in again.err), again.stderr
    assert [line for line in again.out if line.startswith("ingest run ")] == [again.out[0]] and "articles: 20 new" in again.stdout
    assert not any("ingest run" in line or "articles:" in line for line in again.err), again.stderr
    artifact = asyncio.run(_latest_artifact(artifact_key("ingest-progress", db)))
    assert artifact.type == "progress" and artifact.data == 100.0 and "20 loaded" in artifact.description


async def _latest_artifact(key: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

    async with get_client() as client:
        (latest,) = await client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key])))
    return latest


def test_sigterm_while_pages_are_fetched_abandons_the_batch_and_leaves_it_pending(make_site, tmp_path, prefect_api):
    site = make_site(pages=30, serve_first=0)
    db = tmp_path / "w.duckdb"
    run = Ingest(tmp_path, site.feeds(tmp_path), db, api_url=prefect_api)
    run.wait_for("30 pages:")
    took = run.signal(signal.SIGTERM)
    assert run.proc.returncode == -signal.SIGTERM and took < 15, (run.proc.returncode, took, run.stderr[-3000:])
    assert run.out[-1] == "interrupted: 0 articles loaded, 30 pages left for the next run"
    assert "Traceback" not in run.stderr
    run.assert_nothing_left()
    assert query(db, "select state, count(*) from frontier group by all")[1] == [("pending", 30)]


def test_a_second_ctrl_c_leaves_at_once_and_takes_everything_with_it(make_site, tmp_path):
    site = make_site(pages=30, serve_first=30)
    db = tmp_path / "w.duckdb"
    paused = tmp_path / "paused"
    # frozen where no stop is looked for (flows.faults), as a run waiting on a lock would be
    run = Ingest(tmp_path, site.feeds(tmp_path), db, NEWSFLOW_PAUSE_AT="polled", NEWSFLOW_PAUSED_FILE=str(paused))
    deadline = time.monotonic() + 240
    while not paused.exists():
        run._note_family()
        assert run.proc.poll() is None and time.monotonic() < deadline, run.stderr[-3000:]
        time.sleep(0.1)
    run._note_family()
    run.proc.send_signal(signal.SIGINT)
    time.sleep(1.5)
    assert run.proc.poll() is None  # the first asks the run to stop, and it cannot yet
    took = run.signal(signal.SIGINT)
    assert run.proc.returncode == -signal.SIGINT and took < 3, (run.proc.returncode, took)
    assert run.err[-1] == "interrupted again: stopped at once; the batch in progress is left for the next run"
    assert "Traceback" not in run.stderr
    run.assert_nothing_left()  # the Prefect server follows newsflow out (flows.lifeline)
    assert query(db, "select state, count(*) from frontier group by all")[1] == [("pending", 30)]

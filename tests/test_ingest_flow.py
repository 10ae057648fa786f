"""End to end: real HTTP on 127.0.0.1, real Prefect flow runs, a real DuckDB file.

Each flow run costs seconds, so these few tests each check a whole story.
"""

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.config import SAMPLE_DIR
from flows.http import FetchPolicy
from flows.ingest import ingest, reprocess
from flows.static_server import StaticServer
from warehouse import repack
from warehouse.db import connect, query

ROOT = Path(__file__).resolve().parents[1]
SEED_TITLE = "Central enterprises and state-owned enterprises help Tibet's high-quality development"


@pytest.fixture(scope="module", autouse=True)
def prefect_server():
    """One throwaway Prefect server for this module's flow runs, stopped while pytest still captures output."""
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def site(tmp_path):
    """A copy of the bundled sample site (RSS + Atom + pages) that a test may change."""
    root = tmp_path / "site"
    shutil.copytree(SAMPLE_DIR / "site", root)
    with StaticServer(root) as server:
        yield root, server


def _policy(server, **kw):
    return FetchPolicy(allow_loopback=True, hosts={"sample.newsflow.test": server.address}, delay_s=0.0, **kw)


def _ingest(db, server, **kw):
    return asyncio.run(ingest(db=str(db), feeds_file=str(SAMPLE_DIR / "feeds.toml"), policy=_policy(server), **kw))


def test_ingest_twice_then_a_changed_page(site, db_path, monkeypatch):
    root, server = site
    monkeypatch.setattr(repack, "_loads", {})  # the loads merge small row groups after each load, at the tail's second
    monkeypatch.setattr(repack, "REPACK_EVERY", 1)
    monkeypatch.setattr(repack, "TAIL_GROUPS", 2)
    first = _ingest(db_path, server)
    assert (first.feeds_read, first.new, first.rejected) == (2, 6, 1)
    assert query(db_path, "select stage, reason from rejects")[1] == [("fetch", "not found (404)")]
    cols, rows = query(db_path, "select url, title, published_at, body from articles order by url")
    by_title = {r[1]: r for r in rows}
    seed = by_title[SEED_TITLE]
    assert seed[0] == "http://sample.newsflow.test/articles/cns-central-soes-tibet.html"  # utm_source dropped
    assert seed[2].year == 2021 and seed[2].month == 9
    assert "Wu Yingjie, secretary of the Party Committee" in seed[3]
    assert all(r[3] for r in rows)
    assert "The picture shows" not in seed[3] and "(over)" not in seed[3]
    _, blocks = query(db_path, "select kind, text from article_blocks where url = ? and kind in ('caption', 'credit')", [seed[0]])
    assert sum(k == "caption" for k, _ in blocks) == 5
    assert [t for k, t in blocks if k == "credit"] == ["Gongga Laisong"] * 5
    _, lead = query(db_path, "select dateline_agency, dateline_place, byline, clean_body from articles where url = ?", [seed[0]])
    agency, place, byline, clean = lead[0]
    assert (agency, place, byline) == ("China News Service", "Lhasa", ["Ran Wenjuan", "Gonggar Laisong"])
    assert "State-owned State-owned" in seed[3] and "State-owned State-owned" not in clean
    _, feeds = query(db_path, "select count(*) from feeds where etag is not null")
    assert feeds == [(2,)]

    second = _ingest(db_path, server)
    assert (second.feeds_not_modified, second.new, second.updated) == (2, 0, 0)
    assert query(db_path, "select count(*) from articles")[1] == [(6,)]
    _, statuses = query(db_path, "select status from fetch_log where kind = 'feed' order by id desc limit 2")
    assert statuses == [(304,), (304,)]

    page = root / "articles" / "venezuela-china-oil.html"
    page.write_text(page.read_text().replace("</article>", "<p>An added paragraph about the oil deal.</p></article>"))
    third = _ingest(db_path, server, refresh=True)
    assert (third.new, third.updated, third.unchanged) == (0, 1, 5)
    _, rows = query(
        db_path,
        "select a.body, (select count(*) from raw_documents r where r.url = a.url) from articles a where a.url like '%venezuela%'",
    )
    assert "An added paragraph about the oil deal." in rows[0][0] and rows[0][1] == 2

    # reprocess rebuilds derived rows from the stored raw pages, without fetching
    with connect(db_path) as con:
        con.execute("UPDATE articles SET body = 'damaged', text_hash = md5('damaged') WHERE url LIKE '%coloroll%'")  # as another extractor left it
        con.execute("DELETE FROM agreement_mentions")
    fetches_before = query(db_path, "select count(*) from fetch_log")[1]
    redo = asyncio.run(reprocess(db=str(db_path)))
    assert (redo.updated, redo.unchanged, redo.rejected) == (1, 5, 0)
    assert query(db_path, "select count(*) from fetch_log")[1] == fetches_before
    # five loads wrote fetches (three polls, two of pages); the loads of pages merged what the ones before left
    assert query(db_path, "select count(distinct row_group_id) from pragma_storage_info('fetch_log')")[1] == [(1,)]
    _, body = query(db_path, "select body from articles where url like '%coloroll%'")
    assert body[0][0].startswith("LONDON, March 2 - <Coloroll Group Plc> said")
    _, deals = query(db_path, "select type, parties_text from agreement_view where parties_text like '%Coloroll%'")
    assert deals == [("acquisition", "Coloroll Group Plc; Wallco Inc")]


def test_hostile_site_every_entry_ends_as_an_article_or_a_reject(farm, tmp_path, db_path):
    farm.reset()
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        f'[[feeds]]\nname = "hostile"\nurl = "{farm.url("/hostile/feed.rss")}"\n\n'
        f'[[feeds]]\nname = "malformed"\nurl = "{farm.url("/hostile/malformed-rss")}"\n\n'
        f'[[feeds]]\nname = "not-a-feed"\nurl = "{farm.url("/hostile/feed-not-xml")}"\n'
    )
    policy = FetchPolicy(allow_loopback=True, per_host=16, delay_s=0.0, retries=3, deadline_s=4.0, read_timeout_s=2.0, backoff_s=0.2)
    summary = asyncio.run(ingest(db=str(db_path), feeds_file=str(feeds), policy=policy))

    _, entries = query(db_path, "select distinct url from feed_entries")
    _, loaded = query(db_path, "select url from articles")
    _, rejected = query(db_path, "select url, stage, reason from rejects")
    _, same_page = query(db_path, "select f.url from frontier f join articles a on a.url = f.article_url where f.url <> f.article_url")
    done = {u for (u,) in loaded} | {u for u, _, _ in rejected} | {u for (u,) in same_page}
    assert {u for (u,) in entries} <= done, "an entry was neither loaded, nor rejected, nor the page of an article"
    assert query(db_path, "select count(*) from frontier where state = 'pending'")[1] == [(0,)]
    assert [u.rsplit("/", 1)[-1] for (u,) in same_page] == ["moved-permanently"]  # a 301 to a page another entry lists
    reasons = {u.rsplit("/", 1)[-1]: (stage, reason) for u, stage, reason in rejected}
    assert "not found" in reasons["404"][1]
    assert reasons["feed-not-xml"][0] == "feed"
    _, malformed = query(db_path, "select f.last_error, count(e.url) from feeds f join feed_entries e on e.feed_url = f.url "
                                  "where f.name = 'malformed' group by all")
    assert malformed[0][0] and malformed[0][1] >= 1, "the malformed feed's recoverable entries were not kept"
    for path in ("pdf", "endless", "gzip-bomb", "stall-headers", "slow-drip", "binary-as-html", "empty-200", "redirect-to-file"):
        assert path in reasons, f"/hostile/{path} was not rejected"
    _, gbk = query(db_path, "select body from articles where url like '%gbk-header%'")
    assert "签署经济合作协议" in gbk[0][0]
    assert any(u.endswith("500-then-ok") for (u,) in loaded)
    assert summary.rejected >= 8 and summary.new >= 5 and summary.feeds_failed == 1
    assert farm.stats()["paths"].get("/hostile/xxe-callback", 0) == 0


def test_demo_from_the_command_line_twice_gives_the_same_rows(tmp_path):
    newsflow = [sys.executable, "-m", "flows.cli"]
    db = str(tmp_path / "demo.duckdb")
    runs = [subprocess.run([*newsflow, "demo", "--db", db], capture_output=True, text=True, cwd=ROOT, timeout=300) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr[-2000:]
    assert "6 new" in runs[0].stdout and "0 new" in runs[1].stdout
    out = subprocess.run([*newsflow, "sql", "select title from articles order by title", "--db", db, "--format", "csv"],
                         capture_output=True, text=True, cwd=ROOT)
    assert SEED_TITLE in out.stdout and len(out.stdout.strip().splitlines()) == 7

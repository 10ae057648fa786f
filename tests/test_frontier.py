"""The frontier, the warehouse's work queue: what a run takes up, and what a batch's load leaves for later."""

import datetime as dt

from conftest import older_warehouse

from schemas import FeedEntry, FeedState, FetchResult
from warehouse import frontier, load
from warehouse.db import connect, migrate
from warehouse.frontier import Backoff

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
V = "v1"


def _entries(*urls):
    return [FeedEntry(url=u, link=u) for u in urls]


def _polled(con, feed_url, name, *urls, now=NOW):
    load.save_feeds(con, [FeedState(url=feed_url, name=name)])
    frontier.enqueue(con, feed_url, _entries(*urls), now)


def _due(con, now=NOW, names=("a", "b")):
    return [d.url for d in frontier.due(con, now, names, V)]


def test_entries_listed_by_two_feeds_are_queued_once_and_a_done_url_is_not_queued_again(db_path):
    with connect(db_path) as con:
        _polled(con, "http://a.test/rss", "a", "http://x.test/1", "http://x.test/2")
        _polled(con, "http://b.test/rss", "b", "http://x.test/2", "http://x.test/3")
        assert _due(con) == ["http://x.test/1", "http://x.test/2", "http://x.test/3"]
        assert [d.feed_name for d in frontier.due(con, NOW, ["a", "b"], V)] == ["a", "a", "b"]
        frontier.finish(con, NOW, {"http://x.test/1": "http://x.test/1"}, {}, {}, Backoff())
        _polled(con, "http://a.test/rss", "a", "http://x.test/1", "http://x.test/2", now=NOW + dt.timedelta(hours=1))
        assert _due(con) == ["http://x.test/2", "http://x.test/3"]
        assert _due(con, names=["b"]) == ["http://x.test/3"]  # a run restricted to some feeds takes only their work


def test_a_failure_that_may_pass_is_tried_again_later_and_later_until_the_cap(db_path):
    backoff = Backoff(first_s=60, factor=2, max_s=600, max_tries=4)
    url = "http://x.test/1"
    with connect(db_path) as con:
        _polled(con, "http://a.test/rss", "a", url)
        waits = []
        now = NOW
        for _ in range(3):
            frontier.finish(con, now, {}, {}, {url: ("http 503 after 4 attempts", None)}, backoff)
            state, tries, next_try = con.execute("select state, tries, next_try_at from frontier").fetchone()
            assert state == "retry" and _due(con, now) == [], "taken up again before its time"
            waits.append((next_try - now).total_seconds())
            now = next_try
            assert _due(con, now) == [url]
        assert waits == [60, 120, 240]
        frontier.finish(con, now, {}, {}, {url: ("timeout", None)}, backoff)
        assert con.execute("select state, tries, last_error from frontier").fetchone() == ("failed", 4, "timeout (gave up after 4 runs)")
        assert _due(con, now + dt.timedelta(days=30)) == []


def test_the_servers_retry_after_is_honoured_across_runs_and_a_permanent_reject_stays(db_path):
    with connect(db_path) as con:
        _polled(con, "http://a.test/rss", "a", "http://x.test/busy", "http://x.test/gone")
        frontier.finish(con, NOW, {}, {"http://x.test/gone": "gone (410)"}, {"http://x.test/busy": ("retry-after 86400s exceeds cap", 86400.0)},
                        Backoff(first_s=60))
        assert _due(con, NOW + dt.timedelta(hours=23)) == []
        assert _due(con, NOW + dt.timedelta(days=1)) == ["http://x.test/busy"]
        assert con.execute("select state, last_error from frontier where url like '%gone'").fetchone() == ("failed", "gone (410)")


def test_backoff_grows_and_is_capped():
    b = Backoff()
    assert [b.delay(n) for n in range(1, 7)] == [300, 1200, 4800, 19_200, 76_800, 86_400]
    assert b.delay(1, retry_after_s=7200) == 7200


def test_refresh_queues_the_stored_articles_of_the_polled_feeds_only(db_path):
    with connect(db_path) as con:
        _polled(con, "http://a.test/rss", "a", "http://x.test/1")
        _polled(con, "http://b.test/rss", "b", "http://x.test/2")
        page = FetchResult(url="http://x.test/1", status=200, headers={"etag": '"x"', "last-modified": "Mon, 02 Nov 2026 00:00:00 GMT"},
                           body=b"<p>x</p>", fetched_at=NOW)
        load.store_raw(con, [page])
        for url in ("http://x.test/1", "http://x.test/2"):
            con.execute("insert into articles (url, raw_sha256, extractor_version, run_id, first_seen_at, updated_at) values (?, ?, ?, 'r', ?, ?)",
                        [url, page.sha256, V, NOW, NOW])
        frontier.finish(con, NOW, {"http://x.test/1": "http://x.test/1", "http://x.test/2": "http://x.test/2"}, {}, {}, Backoff())
        assert frontier.requeue_articles(con, ["http://a.test/rss"], NOW) == 1
        (due,) = frontier.due(con, NOW, ["a", "b"], V)
        # fetched conditionally with the stored page's validators, unchanged if the same bytes come back
        assert due == ("http://x.test/1", "http://a.test/rss", "a", None, page.sha256, '"x"', "Mon, 02 Nov 2026 00:00:00 GMT")
        # an article made by an older extractor is parsed again whatever comes back
        assert frontier.due(con, NOW, ["a"], "v2")[0].known_raw_sha256 is None


def test_an_older_warehouse_gets_its_lost_entries_back_as_pending(tmp_path):
    """Before the frontier, an entry neither loaded nor rejected when a run stopped was never looked at again."""
    path = tmp_path / "old.duckdb"
    con = older_warehouse(path, lambda version: version < 5)
    for url in ("http://x.test/loaded", "http://x.test/lost", "http://x.test/503", "http://x.test/404"):
        con.execute("INSERT INTO feed_entries VALUES ('http://a.test/rss', ?, ?, NULL, NULL, NULL, now(), now())", [url, url])
    con.execute("INSERT INTO articles (url, feed_url, raw_sha256, extractor_version, run_id, first_seen_at, updated_at) "
                "VALUES ('http://x.test/loaded', 'http://a.test/rss', 'r', 'v', 'r', now(), now())")
    con.execute("INSERT INTO rejects VALUES ('fetch', 'http://x.test/503', 'http 503 after 4 attempts', NULL, NULL, 'r', now(), now(), 1), "
                "('fetch', 'http://x.test/404', 'not found (404)', NULL, NULL, 'r', now(), now(), 1)")
    migrate(con)
    states = dict(con.execute("SELECT url, state FROM frontier").fetchall())
    con.close()
    assert states == {"http://x.test/loaded": "done", "http://x.test/lost": "pending", "http://x.test/503": "retry", "http://x.test/404": "failed"}

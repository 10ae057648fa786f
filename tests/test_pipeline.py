"""The plain functions beneath the Prefect tasks: which URLs to fetch, what a result becomes."""

import datetime as dt

from flows.config import FeedConfig
from flows.pipeline import Candidate, FeedPoll, candidates, parse_results
from schemas import FeedEntry, FeedState, FetchResult

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
FEEDS = [FeedConfig("a", "http://a.test/rss"), FeedConfig("b", "http://b.test/rss", respect_robots=False)]


def _poll() -> FeedPoll:
    e = lambda u: FeedEntry(url=u, link=u)  # noqa: E731
    return FeedPoll(
        states=[FeedState(url="http://a.test/rss", name="a"), FeedState(url="http://b.test/rss", name="b")],
        entries={"http://a.test/rss": [e("http://x.test/1"), e("http://x.test/2")], "http://b.test/rss": [e("http://x.test/2"), e("http://x.test/3")]},
    )


def test_entries_seen_in_two_feeds_are_fetched_once_and_known_ones_not_at_all():
    todo = candidates(_poll(), FEEDS, known_articles={"http://x.test/1": "sha"})
    assert [c.url for c in todo] == ["http://x.test/2", "http://x.test/3"]
    assert [c.respect_robots for c in todo] == [True, False]


def test_refresh_fetches_known_articles_with_what_the_warehouse_has():
    poll = _poll()
    poll.entries.clear()  # both feeds answered 304
    refresh = {"http://x.test/1": "http://b.test/rss", "http://x.test/9": "http://gone.test/rss"}
    todo = candidates(poll, FEEDS, known_articles={"http://x.test/1": "sha", "http://x.test/9": "sha"}, refresh=refresh)
    assert todo == [Candidate("http://x.test/1", "http://b.test/rss", None, False, "sha")]


def _result(url, **kw):
    return FetchResult(url=url, fetched_at=NOW, **kw)


def test_each_result_becomes_an_article_an_unchanged_url_or_a_reject():
    page = b"<html><head><title>T</title></head><body><article><p>" + b"A sentence of the story. " * 20 + b"</p></article></body></html>"
    same = _result("http://x.test/same", status=200, body=page, headers={"content-type": "text/html"})
    items = [
        Candidate("http://x.test/new", "f"),
        Candidate("http://x.test/304", "f", known_raw_sha256="old"),
        Candidate("http://x.test/same", "f", known_raw_sha256=same.sha256),
        Candidate("http://x.test/404", "f"),
        Candidate("http://x.test/pdf", "f"),
    ]
    results = [
        _result("http://x.test/new", status=200, body=page, headers={"content-type": "text/html"}),
        _result("http://x.test/304", status=304),
        same,
        _result("http://x.test/404", status=404, error="not found (404)"),
        _result("http://x.test/pdf", status=200, body=b"%PDF-1.4 ...", headers={"content-type": "application/pdf"}),
    ]
    batch = parse_results(items, results)
    assert [a.url for a in batch.articles] == ["http://x.test/new"]
    assert batch.articles[0].article.title == "T"
    assert batch.unchanged == ["http://x.test/304", "http://x.test/same"]
    assert [(r.stage, r.url) for r in batch.rejects] == [("fetch", "http://x.test/404"), ("parse", "http://x.test/pdf")]
    assert "not found" in batch.rejects[0].reason and "pdf" in batch.rejects[1].reason

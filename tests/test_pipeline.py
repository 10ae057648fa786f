"""The plain functions beneath the Prefect tasks: how a due URL is fetched, what a result becomes."""

import datetime as dt

from flows.config import FeedConfig
from flows.pipeline import Candidate, candidates, parse_results
from schemas import FetchResult
from warehouse.frontier import Due

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
FEEDS = [FeedConfig("a", "http://a.test/rss"), FeedConfig("b", "http://b.test/rss", respect_robots=False)]


def test_due_urls_are_fetched_as_their_feed_says_and_conditionally_only_when_stored():
    due = [
        Due("http://x.test/1", "http://a.test/rss", "a", None, None, '"e1"', None),
        Due("http://x.test/2", "http://b.test/rss", "b", None, "sha", '"e2"', "Tue, 01 Sep 2026 00:00:00 GMT"),
        Due("http://x.test/3", "http://gone.test/rss", "gone", None, None, None, None),
    ]
    todo = candidates(due, FEEDS)
    assert [c.respect_robots for c in todo] == [True, False, True]  # a feed no longer configured keeps robots.txt on
    assert todo[1] == Candidate("http://x.test/2", "http://b.test/rss", None, False, "sha", '"e2"', "Tue, 01 Sep 2026 00:00:00 GMT")


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
        Candidate("http://x.test/503", "f"),
        Candidate("http://x.test/pdf", "f"),
    ]
    results = [
        _result("http://x.test/new", status=200, body=page, headers={"content-type": "text/html"}),
        _result("http://x.test/304", status=304),
        same,
        _result("http://x.test/404", status=404, error="not found (404)"),
        _result("http://x.test/503", status=503, error="http 503 after 4 attempts", transient=True, headers={"retry-after": "120"}),
        _result("http://x.test/pdf", status=200, body=b"%PDF-1.4 ...", headers={"content-type": "application/pdf"}),
    ]
    batch = parse_results(items, results)
    assert [a.url for a in batch.articles] == ["http://x.test/new"]
    assert batch.articles[0].article.title == "T"
    assert batch.unchanged == ["http://x.test/304", "http://x.test/same"]
    assert [(r.stage, r.url) for r in batch.rejects] == [
        ("fetch", "http://x.test/404"), ("fetch", "http://x.test/503"), ("parse", "http://x.test/pdf")]
    assert "not found" in batch.rejects[0].reason and "pdf" in batch.rejects[2].reason
    # a 503 is tried again by a later run, not before the server's Retry-After; a 404 or an unusable page never
    assert batch.retry == {"http://x.test/503": ("http 503 after 4 attempts", 120.0)}
    assert set(batch.failed) == {"http://x.test/404", "http://x.test/pdf"}

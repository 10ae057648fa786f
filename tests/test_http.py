"""The fetcher against the real farm over loopback (the address guard: tests/test_address_guard.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import resource
import time

import pytest
from conftest import scripted_server, start_farm

from flows.http import Fetcher, FetchPolicy
from schemas.fetch import FetchResult
from warehouse import load
from warehouse.db import connect, query

# Fast but real: short backoff and deadline keep the hostile cases to seconds.
FAST = FetchPolicy(allow_loopback=True, delay_s=0.0, backoff_s=0.05, read_timeout_s=0.5, deadline_s=3.0)


async def _fetch_all(policy: FetchPolicy, urls: list[str], **kwargs) -> list[FetchResult]:
    async with Fetcher(policy) as fetcher:
        return await asyncio.gather(*(fetcher.fetch(url, **kwargs) for url in urls))


def fetch(farm, *paths: str, policy: FetchPolicy = FAST, **kwargs) -> list[FetchResult]:
    return asyncio.run(_fetch_all(policy, [farm.url(p) for p in paths], **kwargs))


def requests_to(farm, path: str) -> int:
    return farm.stats()["paths"].get(path, 0)


def test_article_and_conditional_get(farm):
    farm.reset()
    (first,) = fetch(farm, "/site0/article/3.html")
    assert first.ok and first.status == 200 and b"</html>" in first.body
    assert first.final_url == farm.url("/site0/article/3.html")
    assert all(key == key.lower() for key in first.headers)
    assert first.headers["content-type"].startswith("text/html")

    by_etag, by_date = asyncio.run(_both_conditional(farm.url("/site0/article/3.html"), first.headers))
    for result in (by_etag, by_date):
        assert result.not_modified and result.body is None and result.error is None
    assert farm.stats()["articles"]["not_modified_304"] == 2


async def _both_conditional(url: str, headers: dict[str, str]) -> tuple[FetchResult, FetchResult]:
    async with Fetcher(FAST) as fetcher:
        return (
            await fetcher.fetch(url, etag=headers["etag"]),
            await fetcher.fetch(url, last_modified=headers["last-modified"]),
        )


def test_500_then_ok_ingests_after_retries(farm):
    farm.reset()
    (result,) = fetch(farm, "/hostile/500-then-ok")
    assert result.ok and result.attempts == 4 and result.body
    assert requests_to(farm, "/hostile/500-then-ok") == 4


def test_500_always_gives_up_after_bounded_tries(farm):
    farm.reset()
    (result,) = fetch(farm, "/hostile/500-always")
    assert result.error == "http 500 after 4 attempts" and result.status == 500 and result.body is None
    assert requests_to(farm, "/hostile/500-always") == 4


def test_permanent_errors_are_not_retried(farm):
    farm.reset()
    not_found, gone = fetch(farm, "/hostile/404", "/hostile/410")
    assert (not_found.error, not_found.status) == ("not found (404)", 404)
    assert (gone.error, gone.status) == ("gone (410)", 410)
    assert requests_to(farm, "/hostile/404") == requests_to(farm, "/hostile/410") == 1


def test_retry_after_is_honoured_in_both_forms(farm):
    farm.reset()
    started = time.monotonic()
    seconds, date = fetch(farm, "/hostile/503-retry-after", "/hostile/429-retry-after-date")
    assert seconds.ok and date.ok
    assert time.monotonic() - started >= 4  # two Retry-After: 2 in a row
    hostile = farm.stats()["hostile"]
    for path in ("/hostile/503-retry-after", "/hostile/429-retry-after-date"):
        assert hostile[path]["early_retries"] == 0


def test_huge_retry_after_gives_up_at_once(farm):
    farm.reset()
    (result,) = fetch(farm, "/hostile/503-retry-after-huge")
    assert result.error == "retry-after 86400s exceeds cap" and result.status == 503
    assert result.elapsed_ms < 1000 and requests_to(farm, "/hostile/503-retry-after-huge") == 1


def test_stalls_and_drips_end_within_the_deadline(farm):
    drip_policy = dataclasses.replace(FAST, read_timeout_s=10.0, deadline_s=2.0)  # only the deadline can fire

    async def both():
        return await asyncio.gather(
            _fetch_all(FAST, [farm.url("/hostile/stall-headers"), farm.url("/hostile/stall-body")]),
            _fetch_all(drip_policy, [farm.url("/hostile/slow-drip"), farm.url("/hostile/slow-headers")]),
        )

    started = time.monotonic()
    stalls, drips = asyncio.run(both())
    assert time.monotonic() - started < 5
    for result in stalls:
        assert result.error == "timeout after 4 attempts" and result.body is None
    for result in drips:
        assert result.error == "timeout: deadline 2s exceeded" and result.attempts == 1 and result.body is None


def test_body_caps_hold_with_bounded_memory(farm):
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    results = fetch(farm, "/hostile/endless", "/hostile/huge-body", "/hostile/huge-body-chunked", "/hostile/gzip-bomb")
    for result in results:
        assert result.error == "body exceeds 10000000 bytes" and result.body is None
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 200 * 1024  # the bomb is 1 GiB


def test_broken_responses_become_reasons(farm):
    farm.reset()
    bad_gzip, truncated, reset, garbage, huge_headers = fetch(
        farm, "/hostile/bad-gzip", "/hostile/truncated", "/hostile/reset", "/hostile/garbage-response",
        "/hostile/huge-headers",
    )
    assert bad_gzip.error == "decoding error" and bad_gzip.attempts == 1
    assert truncated.error.startswith("protocol error: peer closed connection") and truncated.body is None
    assert reset.error and reset.body is None and reset.attempts == 4
    assert garbage.error.startswith("protocol error: illegal status line")
    assert huge_headers.error.startswith("protocol error: Receive buffer too long")
    assert requests_to(farm, "/hostile/reset") == 4


def test_redirects(farm):
    farm.reset()
    loop, moved, to_file, closed, chain = fetch(
        farm, "/hostile/redirect-loop", "/hostile/moved-permanently", "/hostile/redirect-to-file",
        "/hostile/redirect-closed-port", "/hostile/redirect-chain", policy=dataclasses.replace(FAST, max_redirects=15),
    )
    assert loop.error == "too many redirects"
    assert requests_to(farm, "/hostile/redirect-loop") + requests_to(farm, "/hostile/redirect-loop/b") == 16
    assert moved.ok and moved.final_url == farm.url("/site0/article/1.html")
    assert to_file.error == "unsupported scheme file" and to_file.body is None
    assert closed.error == "connection refused after 4 attempts" and closed.elapsed_ms < 5000
    assert chain.ok and chain.final_url == farm.url("/site0/article/0.html")


def test_robots_trap_is_never_requested(farm):
    farm.reset()
    trap, *articles = fetch(farm, "/site0/private/0.html", "/site0/article/5.html", "/site1/article/6.html")
    assert trap.error == "robots.txt disallows" and trap.attempts == 0
    assert all(a.ok for a in articles)
    stats = farm.stats()
    host = stats["hosts"][f"127.0.0.1:{farm.port}"]
    assert stats["robots"]["disallowed_requests"] == 0
    assert host["robots_requests"] == 1 and host["requests_before_robots"] == 0
    (ignored,) = fetch(farm, "/site0/private/0.html", respect_robots=False)
    assert ignored.ok


@pytest.fixture(scope="module")
def slow_farm(tmp_path_factory):
    """A farm that answers after 50 ms (so in-flight counts are real) and asks for Crawl-delay 0.5."""
    farm = start_farm(tmp_path_factory.mktemp("slow"), "--articles", "100", "--sites", "1",
                      "--latency-ms", "50", "--crawl-delay", "0.5")
    yield farm
    farm.proc.terminate()
    farm.proc.wait(10)


def test_per_host_concurrency_is_bounded(slow_farm):
    slow_farm.reset()
    policy = dataclasses.replace(FAST, per_host=3, respect_robots=False)
    results = fetch(slow_farm, *(f"/site0/article/{i}.html" for i in range(20)), policy=policy)
    assert all(r.ok for r in results)
    assert slow_farm.stats()["hosts"][f"127.0.0.1:{slow_farm.port}"]["max_inflight"] == 3


def test_crawl_delay_spaces_requests(slow_farm):
    slow_farm.reset()
    results = fetch(slow_farm, *(f"/site0/article/{i}.html" for i in range(3)))
    assert all(r.ok for r in results)
    assert slow_farm.stats()["hosts"][f"127.0.0.1:{slow_farm.port}"]["min_gap_ms"] >= 450


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("http://[::1", "http 302 with an invalid location"), ("//[zz]/", "http 302 with an invalid location"),
        ("http://xn--/", "invalid url"),
        ("http://a..b/", "invalid url: host a..b"), ("http://127.0.0.1:99999/", "invalid url: port 99999"),
    ],
)
def test_an_invalid_location_is_a_permanent_error(location, error):
    """The server will send the same Location again: one request, no retries."""
    response = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()

    async def go():
        async with scripted_server({"/moved": response}) as (base, seen):
            async with Fetcher(dataclasses.replace(FAST, respect_robots=False)) as fetcher:
                return await fetcher.fetch(base + "/moved"), seen

    result, seen = asyncio.run(go())
    assert seen == ["/moved"] and result.error == error and result.body is None


def test_queue_wait_is_recorded_apart_from_request_time(slow_farm, db_path):
    """Crawl-delay 0.5 s spaces three requests to one host: the waits are queueing, not request time."""
    slow_farm.reset()
    results = fetch(slow_farm, *(f"/site0/article/{i}.html" for i in range(3)))
    assert all(r.ok for r in results)
    queued = sorted(r.queued_ms for r in results)
    assert queued[0] >= 400 and queued[1] >= 900 and queued[2] >= 1400  # one Crawl-delay each, from robots.txt on
    assert all(r.elapsed_ms < 1000 for r in results)  # a 50 ms request, the robots.txt check and DNS
    with connect(db_path) as con:
        load.log_fetches(con, "run", "page", results)
    _, rows = query(db_path, "select queued_ms, elapsed_ms from fetch_log order by queued_ms")
    assert rows == [(r.queued_ms, r.elapsed_ms) for r in sorted(results, key=lambda r: r.queued_ms)]

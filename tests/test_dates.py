"""One date module for feeds, pages, datelines and agreements: every form a reader meets."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.agreements.dates import find_dates
from extractors.article import parse_article
from extractors.dateline import parse_dateline
from extractors.dates import nearest_date, read_date
from extractors.feeds import parse_feed

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 1, tzinfo=UTC)


def tz(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("Thu, 30 Apr 2015 08:57:00 CEST", None, dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(2))),
    ("Thu, 30 Apr 2015 08:57:00 MEST", None, dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(2))),
    ("Thu, 30 Apr 2015 08:57:00 BST", "GB", dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(1))),
    ("Thu, 30 Apr 2015 08:57:00 JST", None, dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(9))),
    ("Thu, 30 Apr 2015 08:57:00 AEST", None, dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(10))),
    ("Thu, 30 Apr 2015 08:57:00 IST", "IE", dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(1))),
    ("Thu, 30 Apr 2015 08:57:00 IST", "IN", dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(5.5))),
    ("Thu, 30 Apr 2015 08:57:00 EST", None, dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(-5))),
    ("Thu, 30 Apr 2015 08:57:00 +0200", None, dt.datetime(2015, 4, 30, 8, 57, tzinfo=tz(2))),
])
def test_rfc_822_with_named_zones_reads_their_real_offsets(text, country, expected):
    reading = read_date(text, country=country)
    assert reading.when == expected and reading.when.utcoffset() == expected.utcoffset()
    assert reading.note is None


def test_an_ambiguous_zone_without_a_country_is_flagged():
    reading = read_date("Thu, 30 Apr 2015 08:57:00 IST")
    assert reading.when is not None and reading.note and "ambiguous" in reading.note and "IST" in reading.note


@pytest.mark.parametrize(("text", "expected"), [
    ("2017-03-14T13:31:00Z", dt.datetime(2017, 3, 14, 13, 31, tzinfo=UTC)),
    ("2017-03-14T13:31:00+01:00", dt.datetime(2017, 3, 14, 13, 31, tzinfo=tz(1))),
    ("2017-03-14T13:31:00.389+0000", dt.datetime(2017, 3, 14, 13, 31, 0, 389000, tzinfo=UTC)),
    ("2017-03-14", dt.datetime(2017, 3, 14)),
])
def test_iso_8601(text, expected):
    assert read_date(text).when == expected


@pytest.mark.parametrize("value", ["1489498260", 1489498260, "1489498260000", 1489498260000, 1489498260.0])
def test_epoch_seconds_and_milliseconds_as_strings_or_numbers(value):
    assert read_date(value).when == dt.datetime(2017, 3, 14, 13, 31, tzinfo=UTC)


@pytest.mark.parametrize(("text", "languages", "expected"), [
    ("Dec 4, 2018", (), dt.date(2018, 12, 4)),
    ("4 December 2018", (), dt.date(2018, 12, 4)),
    ("December 4, 2018 10:07 AM EST", (), dt.date(2018, 12, 4)),
    ("2 de septiembre de 2016", ("es",), dt.date(2016, 9, 2)),
    ("2 de septiembre de 2016", (), dt.date(2016, 9, 2)),  # the language detected
    ("16. März 2021", ("de",), dt.date(2021, 3, 16)),
    ("3 mai 2024", ("fr",), dt.date(2024, 5, 3)),
])
def test_written_dates_in_any_language(text, languages, expected):
    assert read_date(text, languages=languages).when.date() == expected


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00Z", "9999-01-01", "2026-13-45", "yesterday", "May 2021", "", None, True])
def test_no_date_outside_the_window_or_without_a_day(value):
    assert read_date(value, now=NOW).when is None


def test_a_date_without_a_year_takes_the_nearest_year_everywhere():
    reference = dt.date(2021, 1, 28)
    assert nearest_date(2, 2, reference) == dt.date(2021, 2, 2)
    assert nearest_date(12, 30, reference) == dt.date(2020, 12, 30)
    assert read_date("February 2", reference=reference).when.date() == dt.date(2021, 2, 2)
    assert read_date("February 2").when is None  # no reference, no year guessed
    assert parse_dateline("BEIJING, February 2 (Xinhua) -- Talks began.", reference)[0].date == dt.date(2021, 2, 2)
    assert [d.value for d in find_dates("The deal was signed on February 2 in Beijing.", reference)] == ["2021-02-02"]


def _page(head: str, body: str = "") -> str:
    story = "".join(f"<p>Paragraph {n} of the story goes on at some length, with commas, to read as prose.</p>" for n in range(4))
    return f"<html lang='de'><head><title>T</title>{head}</head><body><h1>T</h1>{body}<article>{story}</article></body></html>"


def test_visible_text_of_time_and_date_classed_elements():
    a = parse_article(_page("", "<time>3. Mai 2024, 17:47 Uhr</time>"))
    assert a.published_at == dt.datetime(2024, 5, 3, 17, 47)
    a = parse_article(_page("", '<div class="article-date">Do 25.04.24 | 14:07 Uhr | Von Eva Muster</div>'))
    assert a.published_at == dt.datetime(2024, 4, 25, 14, 7)
    a = parse_article(_page("", "<ul><li><strong>Datum</strong> 28.04.2023</li></ul>"))
    assert a.published_at.date() == dt.date(2023, 4, 28)


def test_updated_is_kept_apart_from_published():
    a = parse_article(_page("", '<p class="meta">05.04.2025 - Aktualisiert: 07.04.2025</p>'))
    assert a.published_at.date() == dt.date(2025, 4, 5) and a.modified_at.date() == dt.date(2025, 4, 7)
    a = parse_article(_page('<meta property="article:modified_time" content="2025-04-07T10:00:00Z">'))
    assert a.published_at is None and a.modified_at == dt.datetime(2025, 4, 7, 10, 0, tzinfo=UTC)


def test_epoch_in_meta_and_json_ld_number():
    a = parse_article(_page('<meta property="article:published_time" content="1489498260">'))
    assert a.published_at == dt.datetime(2017, 3, 14, 13, 31, tzinfo=UTC)
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":1489498260000}</script>'
    assert parse_article(_page(ld)).published_at == dt.datetime(2017, 3, 14, 13, 31, tzinfo=UTC)


def _rss(*dates: str, language: str = "") -> bytes:
    items = "".join(f"<item><title>T{n}</title><link>https://news.example.org/{n}</link><pubDate>{d}</pubDate></item>"
                    for n, d in enumerate(dates))
    lang = f"<language>{language}</language>" if language else ""
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{lang}{items}</channel></rss>'.encode()


def test_feeds_read_named_zones_written_dates_and_other_languages():
    feed = parse_feed(_rss("Thu, 30 Apr 2015 08:57:00 MEST", "Dec 4, 2018", "4 December 2018 10:00"), "https://news.example.org/rss", now=NOW)
    assert [e.published_at for e in feed.entries] == [
        dt.datetime(2015, 4, 30, 6, 57, tzinfo=UTC), dt.datetime(2018, 12, 4, tzinfo=UTC), dt.datetime(2018, 12, 4, 10, tzinfo=UTC)]
    feed = parse_feed(_rss("16. März 2021"), "https://news.example.de/rss", now=NOW)
    assert feed.entries[0].published_at == dt.datetime(2021, 3, 16, tzinfo=UTC)


def test_a_feeds_country_resolves_an_ambiguous_zone_else_the_feed_says_so():
    irish = parse_feed(_rss("Thu, 30 Apr 2015 08:57:00 IST"), "https://news.example.ie/rss", now=NOW)
    assert irish.entries[0].published_at == dt.datetime(2015, 4, 30, 7, 57, tzinfo=UTC) and irish.warning is None
    unknown = parse_feed(_rss("Thu, 30 Apr 2015 08:57:00 IST"), "https://news.example.com/rss", now=NOW)
    assert unknown.entries[0].published_at == dt.datetime(2015, 4, 30, 3, 27, tzinfo=UTC)
    assert "ambiguous time zone IST" in unknown.warning

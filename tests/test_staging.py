"""Staged batch results: what workers write is what the loader reads, and only when complete."""

import datetime as dt
import uuid

import pyarrow as pa
import pytest

from flows.batch_tables import facts_from, facts_tables, pages_from, pages_tables, parsed_from, parsed_tables, texts_from, texts_tables
from flows.config import SAMPLE_DIR, ConfigError
from flows.pipeline import Candidate, parse_results
from flows.staging import MARKER, Staging
from schemas import ArticleText, FetchResult


def _batch() -> dict[str, pa.Table]:
    """Tables of the kinds a batch holds: text, bytes, timestamps, nested lists, nulls, and an empty table."""
    return {
        "raw_documents": pa.table({"sha256": ["a" * 64, "b" * 64], "body": [b"\x1f\x8b\x00binary", b"<html>page</html>"]}),
        "articles": pa.table(
            {
                "url": ["http://example.test/1", "http://example.test/2"],
                "published_at": pa.array([dt.datetime(2021, 9, 20, 8, 30, tzinfo=dt.UTC), None], pa.timestamp("us", tz="UTC")),
                "title": ["Tibet: central SOEs sign", "Café ünïcode 中文"],
            }
        ),
        "mentions": pa.table(
            {
                "article": [0, 0, 1],
                "span": pa.array([[0, 5], [10, 18], [3, 7]], pa.list_(pa.int32())),
                "note": pa.nulls(3, pa.string()),
            }
        ),
        "rejects": pa.table({"url": pa.array([], pa.string()), "reason": pa.array([], pa.string())}),
    }


def test_round_trip_gives_back_every_table_as_written(tmp_path):
    staging = Staging(tmp_path / "stage")
    assert staging.list_ready() == []  # the location does not exist yet
    tables = _batch()
    assert staging.write("run1-batch0001", tables) is True
    assert staging.list_ready() == ["run1-batch0001"]
    back = Staging(str(tmp_path / "stage")).read("run1-batch0001")  # another process: a new Staging on the same place
    assert set(back) == set(tables)
    for name, table in tables.items():
        assert back[name].equals(table), name
        assert back[name].schema == table.schema, name


def test_a_half_written_batch_is_invisible_and_a_retry_commits_it(tmp_path):
    staging = Staging(tmp_path)
    tables = _batch()
    # A worker that died after its first files: tables on disk, no commit marker.
    (tmp_path / "b1").mkdir()
    staging.write("b0", tables)
    for f in (tmp_path / "b0").iterdir():
        if f.name != MARKER:
            (tmp_path / "b1" / f.name).write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    (tmp_path / "b1" / f"{MARKER}.{uuid.uuid4().hex}.tmp").write_text('{"tables": ')  # a marker not yet renamed
    assert staging.list_ready() == ["b0"]
    with pytest.raises(FileNotFoundError, match="no staged batch 'b1' ready"):
        staging.read("b1")
    # The retried task writes the batch again: only its own files are read.
    assert staging.write("b1", {"articles": tables["articles"]}) is True
    assert staging.list_ready() == ["b0", "b1"]
    assert list(staging.read("b1")) == ["articles"]
    assert staging.read("b1")["articles"].equals(tables["articles"])


def test_a_batch_already_staged_is_kept_as_it_is(tmp_path):
    staging = Staging(tmp_path)
    first = {"articles": pa.table({"n": [1]})}
    assert staging.write("b", first) is True
    assert staging.write("b", {"articles": pa.table({"n": [2]})}) is False  # a second attempt of a finished task
    assert staging.read("b")["articles"].equals(first["articles"])


def test_remove_deletes_the_batch_and_forgives_a_second_remove(tmp_path):
    staging = Staging(tmp_path)
    staging.write("b1", _batch())
    staging.write("b2", _batch())
    staging.remove("b1")
    assert staging.list_ready() == ["b2"]
    assert not (tmp_path / "b1").exists()
    staging.remove("b1")
    with pytest.raises(FileNotFoundError):
        staging.read("b1")


def test_an_fsspec_url_works_like_a_directory(tmp_path):
    for location in (f"memory://stage-{uuid.uuid4().hex}", f"file://{tmp_path}/stage"):
        staging = Staging(location)
        staging.write("b1", _batch())
        assert staging.list_ready() == ["b1"]
        assert staging.read("b1")["articles"].equals(_batch()["articles"])
        staging.remove("b1")
        assert staging.list_ready() == []


def test_unusable_names_and_locations_are_refused_in_one_line(tmp_path):
    staging = Staging(tmp_path)
    for bad in ("", "../up", "a/b", ".hidden", "_SUCCESS"):
        with pytest.raises(ValueError, match="not usable as a file name"):
            staging.write(bad, {"t": pa.table({"n": [1]})})
    with pytest.raises(ValueError, match="table name 'a.b'"):
        staging.write("b", {"a.b": pa.table({"n": [1]})})
    with pytest.raises(ConfigError, match="staging location 'nosuch://x'") as e:
        Staging("nosuch://x")
    assert "\n" not in str(e.value)


def test_notes_are_committed_with_the_batch_and_every_batch_is_listed_ready_or_not(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    staging = Staging("stage").part("parsed")  # a relative directory: workers get its absolute URL
    assert staging.url == f"file://{tmp_path}/stage/parsed"
    staging.write("b1", {"t": pa.table({"n": [1]})}, {"kind": "ingest", "extractor_version": "v1"})
    (tmp_path / "stage" / "parsed" / "b0").mkdir()  # a writer that died before its marker
    assert staging.notes("b1") == {"kind": "ingest", "extractor_version": "v1"}
    assert (staging.ready("b1"), staging.ready("b0")) == (True, False)
    assert (staging.list_ready(), staging.batches()) == (["b1"], ["b0", "b1"])
    staging.remove("b0")
    with pytest.raises(FileNotFoundError):
        staging.notes("b0")
    assert Staging(tmp_path / "nowhere").batches() == []


def _sample_fetches() -> tuple[list[Candidate], list[FetchResult]]:
    """The sample site's pages as fetched, with a failed fetch, a 304 and dates with and without a time zone."""
    when = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    items, fetches = [], []
    for i, page in enumerate(sorted((SAMPLE_DIR / "site" / "articles").glob("*.html"))):
        url = f"http://sample.newsflow.test/articles/{page.name}"
        items.append(Candidate(url, "http://sample.newsflow.test/rss.xml", when if i % 2 else when.replace(tzinfo=None)))
        fetches.append(FetchResult(url=url, final_url=url, status=200, headers={"content-type": "text/html; charset=utf-8"},
                                   body=page.read_bytes(), fetched_at=when, elapsed_ms=12.5))
    items += [Candidate("http://sample.newsflow.test/gone", "f", None, known_raw_sha256="a" * 64, etag='"x"'),
              Candidate("http://sample.newsflow.test/same", "f", None, known_raw_sha256="b" * 64, etag='"y"')]
    fetches += [FetchResult(url=items[-2].url, status=503, headers={"retry-after": "120"}, fetched_at=when, error="HTTP 503", transient=True),
                FetchResult(url=items[-1].url, status=304, fetched_at=when)]
    return items, fetches


def test_a_batch_read_back_from_its_tables_is_the_batch_written():
    items, fetches = _sample_fetches()
    items_back, fetches_back = pages_from(pages_tables(items, fetches))
    assert items_back == items and fetches_back == fetches
    assert [f.sha256 for f in fetches_back] == [f.sha256 for f in fetches]
    batch = parse_results(items, fetches)
    assert len(batch.articles) == 6 and batch.unchanged and batch.retry  # every part of a batch is exercised
    tables = parsed_tables(batch, fetches)
    assert tables["articles"].column("title").to_pylist() == [s.article.title for s in batch.articles]  # plain columns to query
    assert parsed_from(tables) == (batch, fetches)
    assert parsed_from(parsed_tables(batch)) == (batch, [])  # reprocess: the raw pages are stored already


def test_texts_and_facts_read_back_from_their_tables_are_the_ones_written():
    """Stage 2 on a cluster: the texts a worker analyses and the facts it sends back, through their tables, unchanged."""
    from extractors.analysis import analyze_texts

    items, fetches = _sample_fetches()
    beijing = dt.timezone(dt.timedelta(hours=8))
    texts = [ArticleText(url=s.url, article=s.article) for s in parse_results(items, fetches).articles]
    texts[0].article.published_at = dt.datetime(2021, 9, 20, 0, 30, tzinfo=beijing)  # the day in the page's own zone must survive
    texts[1].article.published_at = dt.datetime(2021, 9, 20, 0, 30)  # as must a date written without a zone
    hashes = {t.url: f"hash of {t.url}" for t in texts}
    texts_back, hashes_back = texts_from(texts_tables(texts, hashes))
    assert texts_back == texts and hashes_back == hashes
    assert [t.article.published_at.tzinfo for t in texts_back[:2]] == [beijing, None]
    found = analyze_texts(texts_back[:2])
    assert found[0].entities and facts_from(facts_tables(found, hashes)) == (found, {t.url: hashes[t.url] for t in texts[:2]})

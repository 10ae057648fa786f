"""The warehouse: versioned migrations, idempotent bulk loads, read-only queries."""

import datetime as dt

import pytest

from extractors.records import stored_article
from schemas import Article, Dateline, FetchResult, Reject, StoredArticle
from schemas.errors import QueryError, WarehouseError
from warehouse import load, read
from warehouse.db import connect, migrations, query, schema_version, transaction

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def _article(url: str, body: str = "First paragraph.\n\nSecond one.") -> StoredArticle:
    a = Article(
        title="Title " + url,
        paragraphs=body.split("\n\n"),
        captions=["The picture shows a signing."],
        dateline=Dateline(agency="Xinhua", place="Beijing", date=dt.date(2026, 11, 19)),
    )
    return stored_article(url, "ab" * 32, a, feed_published_at=NOW)


def test_new_file_gets_every_migration_once(db_path):
    latest = migrations()[-1][0]
    with connect(db_path) as con:
        assert schema_version(con) == latest
    with connect(db_path) as con:  # reopening applies nothing twice
        assert con.execute("select count(*) from schema_migrations").fetchone()[0] == len(migrations())


def test_loading_the_same_batch_twice_leaves_the_same_rows(db_path):
    page = FetchResult(url="http://a.test/1", status=200, headers={"content-type": "text/html"}, body=b"<p>x</p>", fetched_at=NOW)
    for _ in range(2):
        with connect(db_path) as con, transaction(con):
            load.store_raw(con, [page, page])
            load.save_articles(con, "run", "v1", [_article("http://a.test/1"), _article("http://a.test/1")], NOW)
    _, rows = query(db_path, "select count(*) from articles")
    assert rows == [(1,)]
    _, rows = query(db_path, "select count(*), any_value(size) from raw_documents")
    assert rows == [(1, 8)]
    _, rows = query(db_path, "select kind, count(*) from article_blocks group by kind order by kind")
    assert rows == [("caption", 1), ("paragraph", 2)]


def test_article_row_keeps_dateline_and_falls_back_to_the_feed_date(db_path):
    with connect(db_path) as con:
        load.save_articles(con, "run", "v1", [_article("http://a.test/1")], NOW)
    _, rows = query(db_path, "select dateline_place, dateline_date, published_at, published_source from articles")
    assert rows == [("Beijing", dt.date(2026, 11, 19), NOW, "feed")]


def test_a_reject_seen_again_is_counted_not_duplicated(db_path):
    r = Reject(stage="fetch", reason="not found (404)", url="http://a.test/404")
    with connect(db_path) as con:
        load.save_rejects(con, "run1", [r], NOW)
        load.save_rejects(con, "run2", [r], NOW)
        assert con.execute("select run_id, times_seen from rejects").fetchall() == [("run2", 2)]
        load.clear_rejects(con, ["http://a.test/404"])
        assert con.execute("select count(*) from rejects").fetchone()[0] == 0


def test_stored_pages_give_back_the_exact_bytes(db_path):
    body = "<p>Zürich 签署</p>".encode()
    page = FetchResult(url="http://a.test/1", status=200, headers={"etag": '"x"'}, body=body, fetched_at=NOW)
    stored = _article("http://a.test/1").model_copy(update={"raw_sha256": page.sha256})
    with connect(db_path) as con:
        load.store_raw(con, [page])
        load.save_articles(con, "run", "v1", [stored], NOW)
        (p,) = list(read.stored_pages(con, ["http://a.test/1"]))
        assert p.body == body and p.headers == {"etag": '"x"'}


def test_sql_connection_is_read_only(db_path):
    with connect(db_path):
        pass
    with pytest.raises(QueryError, match="read-only"):
        query(db_path, "create table t(x int)")


def test_query_on_a_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(WarehouseError, match="newsflow ingest"):
        query(tmp_path / "none.duckdb", "select 1")
    assert not (tmp_path / "none.duckdb").exists()

"""The warehouse: versioned migrations, idempotent bulk loads, read-only queries."""

import datetime as dt
import os
import zlib

import duckdb
import pytest
from conftest import older_warehouse

from extractors.records import stored_article
from schemas import Article, Dateline, FetchResult, Reject, StoredArticle
from schemas.errors import ConfigError, QueryError, WarehouseError
from warehouse import load, rawbody, read
from warehouse.compact import space
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


def test_pages_stored_in_zlib_before_version_11_are_read_beside_new_zstd_ones(db_path):
    old, new = b"<p>stored before: zlib</p>" * 50, b"<p>stored now: zstd</p>" * 50
    con = older_warehouse(db_path, lambda version: version < 11)
    con.execute("INSERT INTO raw_documents (sha256, url, fetched_at, size, body_zlib) VALUES ('old', 'http://a.test/old', now(), ?, ?)",
                [len(old), zlib.compress(old, 6)])
    con.close()
    page = FetchResult(url="http://a.test/new", status=200, body=new, fetched_at=NOW)
    with connect(db_path) as con:  # migrates
        load.store_raw(con, [page])
        load.save_articles(con, "run", "v1", [_article("http://a.test/old").model_copy(update={"raw_sha256": "old"}),
                                              _article("http://a.test/new").model_copy(update={"raw_sha256": page.sha256})], NOW)
        assert con.execute("select url, codec, octet_length(body) < size / 5 from raw_documents order by url").fetchall() == [
            ("http://a.test/new", "zstd", True), ("http://a.test/old", "zlib", True)]
        assert [(p.url, p.body) for p in read.stored_pages(con, ["http://a.test/old", "http://a.test/new"])] == [
            ("http://a.test/new", new), ("http://a.test/old", old)]
    with pytest.raises(ValueError, match="unknown codec 'lzma'"):
        rawbody.decompress(b"", "lzma", 0)


def test_an_articles_text_hash_changes_with_any_text_analysis_reads_and_only_then(db_path):
    first = _article("http://a.test/1")
    with connect(db_path) as con:
        load.save_articles(con, "run", "v1", [first, _article("http://a.test/2")], NOW)
        hashes = read.text_hashes(con, ["http://a.test/1", "http://a.test/2", "http://a.test/none"])
        assert set(hashes) == {"http://a.test/1", "http://a.test/2"} and len(set(hashes.values())) == 2
        load.save_articles(con, "run2", "v1", [first], NOW)
        assert read.text_hashes(con, ["http://a.test/1"]) == {"http://a.test/1": hashes["http://a.test/1"]}
        edited = first.model_copy(update={"article": first.article.model_copy(update={"captions": ["Another caption."]})})
        load.save_articles(con, "run3", "v1", [edited], NOW)
        assert read.text_hashes(con, ["http://a.test/1"])["http://a.test/1"] != hashes["http://a.test/1"]


def test_an_update_limited_to_a_batchs_rows_changes_those_rows_and_no_other(db_path):
    urls = [f"http://a.test/{i}" for i in range(3000)]  # more than one vector of 2,048 rows
    with connect(db_path) as con, transaction(con):
        load.save_articles(con, "run", "v1", [_article(u) for u in urls], NOW)
        con.execute("DELETE FROM articles WHERE url IN ('http://a.test/5', 'http://a.test/2500')")
        # an upsert that rewrites rows (a list column) in the same transaction, then the limited update
        load.save_articles(con, "run2", "v1", [_article(u, "Changed.") for u in ("http://a.test/7", "http://a.test/2999")], NOW)
        wanted = ["http://a.test/7", "http://a.test/2048", "http://a.test/2999", "http://a.test/5", "http://nowhere.test/"]
        con.execute(f"UPDATE articles SET warnings = ['picked'] WHERE {read.rows_where(con, 'articles', 'url', wanted)}")
        picked = {u for (u,) in con.execute("SELECT url FROM articles WHERE warnings = ['picked']").fetchall()}
        assert picked == {"http://a.test/7", "http://a.test/2048", "http://a.test/2999"}
        assert read.rows_where(con, "articles", "url", ["http://a.test/5"]) == "FALSE"


def test_articles_stored_before_version_16_get_the_text_hash_a_load_gives_them(tmp_path):
    current, older = tmp_path / "current.duckdb", tmp_path / "older.duckdb"
    bare = Article(title="No blocks at all")
    with connect(current) as con:
        load.save_articles(con, "run", "v1", [_article("http://a.test/1"), stored_article("http://a.test/2", "cd" * 32, bare)], NOW)
        loaded = dict(con.execute("select url, text_hash from articles").fetchall())
    con = older_warehouse(older, lambda version: version < 16)
    con.execute(f"ATTACH '{current}' AS current (READ_ONLY)")
    con.execute("INSERT INTO articles SELECT * EXCLUDE (text_hash) FROM current.articles")
    con.execute("INSERT INTO article_blocks SELECT * FROM current.article_blocks")
    con.close()
    with connect(older) as con:  # migrates
        assert read.text_hashes(con, ["http://a.test/1", "http://a.test/2"]) == loaded


def test_raw_documents_rebuilt_without_its_key_in_version_18_keeps_every_page_and_stores_each_body_once(tmp_path):
    current, older = tmp_path / "current.duckdb", tmp_path / "older.duckdb"
    con = older_warehouse(older, lambda version: version < 18)
    con.execute("INSERT INTO raw_documents VALUES ('ab', 'http://a.test/1', NULL, 200, 'text/html', '{}', now(), 8, '\\x01'::BLOB, 'zlib'), "
                "('cd', 'http://a.test/2', 'http://a.test/2b', 301, NULL, NULL, now(), 9, '\\x02'::BLOB, 'zstd')")
    before = con.execute("SELECT * FROM raw_documents ORDER BY ALL").fetchall()
    shape = "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_name = 'raw_documents' ORDER BY column_index"
    columns = con.execute(shape).fetchall()
    con.close()
    keys = "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND table_name = 'raw_documents'"
    page = FetchResult(url="http://a.test/3", status=200, headers={"content-type": "text/html"}, body=b"<p>x</p>", fetched_at=NOW)
    with connect(older) as con, connect(current) as fresh:  # migrates
        assert con.execute("SELECT * FROM raw_documents ORDER BY ALL").fetchall() == before
        assert con.execute(shape).fetchall() == fresh.execute(shape).fetchall() == columns
        assert con.execute(keys).fetchone() == fresh.execute(keys).fetchone() == (0,)
        table_sql = "SELECT sql FROM duckdb_tables() WHERE table_name = 'raw_documents'"
        assert "body BLOB USING COMPRESSION Uncompressed" in con.execute(table_sql).fetchone()[0]  # compressed bodies stay as they are
        for _ in range(2):
            load.store_raw(con, [page, page])
        assert con.execute("SELECT url, count(*) FROM raw_documents GROUP BY url ORDER BY url").fetchall() == [
            ("http://a.test/1", 1), ("http://a.test/2", 1), ("http://a.test/3", 1)]


def test_tables_rebuilt_without_a_primary_key_in_version_17_keep_every_row_and_every_column(tmp_path):
    current, older = tmp_path / "current.duckdb", tmp_path / "older.duckdb"
    tables = ("article_blocks", "mentions", "roles", "article_credits", "agreement_mentions", "agreement_reports", "agreement_parties")
    con = older_warehouse(older, lambda version: version < 17)
    con.execute("INSERT INTO article_blocks VALUES ('http://a.test/1', 'paragraph', 0, 'One.'), ('http://a.test/1', 'paragraph', 1, 'Two.')")
    con.execute("INSERT INTO mentions VALUES ('http://a.test/1', 0, 7, 'Acme', 'body', 0, 0, 4, 'Acme signs.', 'actor', 'exact', 'r')")
    con.execute("INSERT INTO roles VALUES ('http://a.test/1', 8, 'chief', 'Acme', 7, '2026-11-25', 'body', 0, 0, 4)")
    con.execute("INSERT INTO article_credits VALUES ('http://a.test/1', 9, 'Ann Lee', 'reporter')")
    con.execute("INSERT INTO agreement_mentions VALUES (3, 'http://a.test/1', 0, 'Acme signs.', 'body', 0, 0, 11, 'k', 'r', 0)")
    con.execute("INSERT INTO agreement_reports VALUES ('http://a.test/1', 0, 3, 'contract', 'signed', NULL, NULL, NULL, NULL, NULL, "
                "NULL, '[]', [7], 'k', 'r')")
    con.execute("INSERT INTO agreement_parties VALUES (3, 0, 7, 'Acme', 'organization', NULL, false, NULL)")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    shape = "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index"
    columns = {t: con.execute(shape, [t]).fetchall() for t in tables}
    con.close()
    keys = f"SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND table_name IN {tables}"
    with connect(older) as con, connect(current) as fresh:  # migrates
        for t in tables:
            assert con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() == before[t], t
            assert con.execute(shape, [t]).fetchall() == fresh.execute(shape, [t]).fetchall() == columns[t], t
        assert con.execute(keys).fetchone() == fresh.execute(keys).fetchone() == (0,)


def test_writes_work_within_the_memory_limit_setting_and_running_out_names_it(db_path, monkeypatch):
    """A flow's cache no longer grows with the warehouse: its connections take NEWSFLOW_MEMORY_LIMIT; a user's reads keep DuckDB's."""
    limit = "select current_setting('memory_limit')"
    with connect(db_path) as con:
        assert con.execute(limit).fetchone()[0] == "512.0 MiB"
    with connect(db_path, read_only=True) as con:
        assert con.execute(limit).fetchone()[0] != "512.0 MiB"  # DuckDB's default: 80 % of RAM
    monkeypatch.setenv("NEWSFLOW_MEMORY_LIMIT", "128MiB")
    with pytest.raises(WarehouseError, match=r"ran out of memory .*NEWSFLOW_MEMORY_LIMIT=128MiB: raise it"):
        with connect(db_path) as con:
            con.execute("SELECT list(range) FROM range(60000000) GROUP BY range % 1000").fetchall()
    too_large = "between 128MiB and 1024TiB, or a share of memory up to 100%"
    for value, why in (("a lot", "a size such as 512MiB"), ("1Gi", "a size such as"), ("64MiB", "between 128MiB and"), ("150%", too_large)):
        monkeypatch.setenv("NEWSFLOW_MEMORY_LIMIT", value)
        with pytest.raises(ConfigError, match=f"NEWSFLOW_MEMORY_LIMIT must be {why}"):
            with connect(db_path):
                pass


def test_loads_of_pages_leave_no_free_blocks_behind(db_path):
    """A load's close writes what the load brought. DuckDB's vacuum (off for newsflow's writes) rewrote the pages of
    the loads before into one row group at every close, and left their old blocks free: half of this file."""
    for i in range(12):
        pages = [FetchResult(url=f"http://a.test/{i}/{j}", status=200, headers={}, body=os.urandom(20_000), fetched_at=NOW)
                 for j in range(50)]
        with connect(db_path) as con, transaction(con):
            load.store_raw(con, pages)
    assert query(db_path, "SELECT count(*) FROM raw_documents")[1] == [(600,)]
    assert space(db_path).free_share < 0.1


def test_sql_connection_is_read_only(db_path):
    with connect(db_path):
        pass
    with pytest.raises(QueryError, match="read-only"):
        query(db_path, "create table t(x int)")


def test_query_on_a_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(WarehouseError, match="newsflow ingest"):
        query(tmp_path / "none.duckdb", "select 1")
    assert not (tmp_path / "none.duckdb").exists()


def test_a_warehouse_whose_folder_refuses_writes_fails_in_one_line(db_path):
    """The file opens, then committing cannot create its `.wal` beside it (an immutable folder: root ignores chmod)."""
    import subprocess

    with connect(db_path):
        pass
    if subprocess.run(["chattr", "+i", str(db_path.parent)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available: test_errors_writing_the_log_are_storage_errors covers the mapping")
    try:
        with pytest.raises(WarehouseError, match=r"Operation not permitted \(is the disk full, or the folder read-only\?\)"):
            with connect(db_path) as con:
                con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/x', 'gone', NULL, NULL, 'r', now(), now(), 1)")
        assert query(db_path, "select count(*) from rejects")[1] == [(0,)]  # reading still works
    finally:
        subprocess.run(["chattr", "-i", str(db_path.parent)], check=True)


def test_errors_writing_the_log_are_storage_errors(db_path):
    """DuckDB reports a `.wal` it cannot write as a TransactionException, not an IOException: still the disk's fault."""

    wal = f'Failed to commit: Cannot open file "{db_path}.wal": Operation not permitted'
    with pytest.raises(WarehouseError, match="Operation not permitted .is the disk full, or the folder read-only"):
        with connect(db_path):
            raise duckdb.TransactionException(wal)
    with pytest.raises(duckdb.TransactionException):  # a transaction error that is not the disk's stays what it is
        with connect(db_path):
            raise duckdb.TransactionException("cannot start a transaction within a transaction")


def test_connections_opened_and_closed_from_several_threads_at_once_all_work(tmp_path):
    """The flows load in one thread while another reads: every connection sees the Python objects its query names."""
    import threading

    import pyarrow as pa

    from warehouse.db import connect

    db, errors = tmp_path / "w.duckdb", []
    with connect(db):
        pass

    def work() -> None:
        for _ in range(150):
            probe = pa.table({"a": list(range(50))})  # noqa: F841 (read by DuckDB by name)
            try:
                with connect(db) as con:
                    assert con.execute("SELECT count(*) FROM probe").fetchone() == (50,)
            except Exception as e:  # collected: an assertion in a thread would not fail the test
                errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_stored_article_that_a_later_batch_shows_to_be_another_entrys_page_is_replaced_by_it(db_path):
    """An entry stored alone, then loaded again beside the entry of the page it redirects to: one article is left."""
    from flows.ingest import store_batch
    from flows.pipeline import ParsedBatch
    from warehouse.frontier import Backoff

    entry = _article("http://a.test/x").model_copy(update={"final_url": "http://a.test/page"})
    store_batch(str(db_path), "r1", ParsedBatch(articles=[entry]), [], Backoff())
    counts = store_batch(str(db_path), "r2", ParsedBatch(articles=[entry, _article("http://a.test/page")]), [], Backoff())
    assert query(db_path, "select url from articles")[1] == [("http://a.test/page",)]
    assert query(db_path, "select distinct url from article_blocks")[1] == [("http://a.test/page",)]
    assert counts.same_page == 0  # the stored entry was replaced, not counted as a second entry of the page

"""Full-text search: the index follows the articles, ranks with BM25, and answers from SQL and the command line."""

import datetime as dt

import duckdb
from click.testing import CliRunner

from flows.cli import main
from schemas import Article, StoredArticle
from warehouse import load, search
from warehouse.db import connect, migrations, transaction

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
TEXTS = {
    "http://a.test/tibet": ("Central enterprises help Tibet",
                            "Fifteen companies signed cooperation agreements in Lhasa.\n\nThe memorandum runs to 2025."),
    "http://a.test/oil": ("Venezuela and China sign oil deal", "The agreement opens oil reserves to Chinese companies."),
    "http://a.test/art": ("Heritage sites twinned", "Two cities will protect their heritage sites together."),
}


def _stored(url: str, title: str, body: str) -> StoredArticle:
    return StoredArticle(url=url, raw_sha256="ab" * 32, article=Article(title=title, paragraphs=body.split("\n\n"), published_at=NOW))


def _load(con, texts=TEXTS) -> None:
    with transaction(con):
        load.save_articles(con, "r", "v", [_stored(u, t, b) for u, (t, b) in texts.items()], NOW)
        search.index(con, texts, NOW)


def test_best_match_first_with_plurals_folded_and_a_snippet(db_path):
    with connect(db_path) as con:
        _load(con)
        hits = search.search(con, "Tibet agreement", limit=5)
        assert [h.url for h in hits][:2] == ["http://a.test/tibet", "http://a.test/oil"]  # both words, then one
        assert "agreements in Lhasa" in hits[0].snippet and hits[0].score > hits[1].score
        assert [h.url for h in search.search(con, "COMPANY")] == ["http://a.test/oil", "http://a.test/tibet"]  # shorter body ranks first
        assert search.search(con, "nothing-like-this") == []


def test_reloading_an_article_replaces_its_words(db_path):
    with connect(db_path) as con:
        _load(con)
        _load(con, {"http://a.test/oil": ("Venezuela and China sign gas deal", "Gas, not the other fuel.")})
        assert [h.url for h in search.search(con, "oil")] == []
        assert [h.url for h in search.search(con, "gas")] == ["http://a.test/oil"]
        assert con.execute("select count(*) from search_docs").fetchone()[0] == 3


def test_articles_stored_before_the_index_existed_are_indexed_on_upgrade(db_path):
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
    for version, name, sql in migrations():
        if version != 4:  # every migration but the search index, so today's loader can write
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    load.save_articles(con, "r", "v", [_stored("http://a.test/old", "An old story", "Signed before search existed.")], NOW)
    con.close()
    with connect(db_path) as con:
        assert [h.url for h in search.search(con, "signed")] == ["http://a.test/old"]


def test_search_from_sql_and_from_the_command_line(db_path):
    with connect(db_path) as con:
        _load(con)
        rows = con.execute("select url, matched, terms from search_articles('heritage cities')").fetchall()
        assert rows == [("http://a.test/art", 2, 2)]
    runner = CliRunner()
    out = runner.invoke(main, ["search", "oil reserves", "--db", str(db_path), "--limit", "1"])
    assert out.exit_code == 0, out.output
    assert "Venezuela and China sign oil deal  [2026-11-25]" in out.output
    assert "http://a.test/oil" in out.output and "opens oil reserves" in out.output
    assert "http://a.test/tibet" not in out.output  # --limit 1
    none = runner.invoke(main, ["search", "zebra", "--db", str(db_path)])
    assert none.exit_code == 1 and "nothing matches 'zebra'" in none.output

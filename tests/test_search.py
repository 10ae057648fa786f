"""Full-text search: all words by default, phrases, OR, -word, prefix*; stop words ignored; CJK by character pairs.

The index follows the articles, ranks with BM25, and answers from SQL and the command line.
"""

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner
from conftest import older_warehouse

from extractors.records import stored_article
from flows.cli import main
from schemas import Article, StoredArticle
from schemas.errors import QueryError
from warehouse import load, search
from warehouse.db import connect, migrations, transaction

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
TEXTS = {
    "http://a.test/tibet": ("Central enterprises help Tibet",
                            "Fifteen companies signed cooperation agreements in Lhasa.\n\nThe memorandum of cooperation runs to 2025."),
    "http://a.test/oil": ("Venezuela and China sign oil deal", "The agreement opens oil reserves to Chinese companies."),
    "http://a.test/art": ("Heritage sites twinned", "Two cities of the region will protect their heritage sites together."),
    "http://a.test/hubei": ("Hubei signs with central enterprises", "Hubei signed strategic cooperation agreements with nine of them."),
    "http://a.test/zh": ("中国与意大利签署合作协议", "双方于周三在罗马签署了文化遗产保护合作备忘录。"),
}


def _stored(url: str, title: str, body: str) -> StoredArticle:
    return stored_article(url, "ab" * 32, Article(title=title, paragraphs=body.split("\n\n"), published_at=NOW))


def _load(con, texts=TEXTS) -> None:
    with transaction(con):
        load.save_articles(con, "r", "v", [_stored(u, t, b) for u, (t, b) in texts.items()], NOW)
        search.index(con, texts, NOW)


@pytest.fixture
def con(db_path):
    with connect(db_path) as con:
        _load(con)
        yield con


def urls(con, query: str) -> set[str]:
    return {h.url.removeprefix("http://a.test/") for h in search.search(con, query, limit=10)}


def test_all_words_must_match_and_stop_words_are_ignored(con):
    assert urls(con, "memorandum of cooperation") == {"tibet"}  # "of" alone would match almost every article
    assert urls(con, "cooperation agreement") == {"tibet", "hubei"}
    assert urls(con, "Tibet agreement") == {"tibet"}
    assert urls(con, "nothing-like-this") == set()
    with pytest.raises(QueryError, match="common words"):
        search.search(con, "the of and")


def test_phrases_or_exclusion_and_prefix(con):
    assert urls(con, '"strategic cooperation"') == {"hubei"}
    assert urls(con, '"cooperation strategic"') == set()  # a phrase is words in order, side by side
    assert urls(con, '"memorandum cooperation"') == {"tibet"}  # the stop word between them is ignored
    assert urls(con, "memorandum OR oil") == {"tibet", "oil"}
    assert urls(con, "agreement -oil") == {"tibet", "hubei"}
    assert urls(con, 'agreement -"oil reserves"') == {"tibet", "hubei"}
    assert urls(con, "cooperat*") == {"tibet", "hubei"}
    assert urls(con, "enterpri* Hubei") == {"hubei"}


def test_best_match_first_with_plurals_folded_and_a_snippet_on_a_real_word(con):
    hits = search.search(con, "of company", limit=5)
    assert [h.url for h in hits] == ["http://a.test/oil", "http://a.test/tibet"]  # shorter body ranks first
    assert hits[0].score > hits[1].score
    assert hits[1].snippet.startswith("Fifteen companies signed")
    _load(con, {"http://a.test/long": ("Weather talk", "Much of the talk was of the weather. " * 8 + "Then a treaty was signed.")})
    (hit,) = search.search(con, "of treaty")
    assert hit.snippet.endswith("Then a treaty was signed.")  # not anchored on the first "of"
    both = search.search(con, "memorandum OR Lhasa")
    assert both[0].url == "http://a.test/tibet" and "Lhasa" in both[0].snippet


def test_chinese_words_match_inside_a_sentence(con):
    assert urls(con, "签署") == {"zh"}
    assert urls(con, "合作备忘录") == {"zh"}  # matched as its character pairs, in order
    assert urls(con, "备忘合作") == set()
    (hit,) = search.search(con, "备忘录")
    assert "备忘录" in hit.snippet


def test_reloading_an_article_replaces_its_words(con):
    _load(con, {"http://a.test/oil": ("Venezuela and China sign gas deal", "Gas, not the other fuel.")})
    assert urls(con, "oil") == set()
    assert urls(con, "gas") == {"oil"}
    assert con.execute("select count(*) from search_docs").fetchone()[0] == len(TEXTS)


def _old_warehouse(db_path, without: set[int]) -> None:
    """A warehouse file made by every migration but the search ones `without`, with one article."""
    con = older_warehouse(db_path, lambda version: version not in without)  # the others applied, so today's loader can write
    load.save_articles(con, "r", "v", [_stored("http://a.test/old", "An old story", "Signed before the new search existed.")], NOW)
    con.close()


SEARCH_MIGRATIONS = sorted((v, name) for v, name, _ in migrations() if "_search" in name)  # the first search, and each since


@pytest.mark.parametrize("without", [{v for v, _ in SEARCH_MIGRATIONS[i:]} for i in range(len(SEARCH_MIGRATIONS))],
                         ids=[f"before {name}" for _, name in SEARCH_MIGRATIONS])
def test_articles_stored_before_this_search_are_indexed_on_upgrade(db_path, without):
    _old_warehouse(db_path, without)
    with connect(db_path) as con:
        assert [h.url for h in search.search(con, "signed")] == ["http://a.test/old"]
        assert [h.url for h in search.search(con, '"new search"')] == ["http://a.test/old"]


def test_words_indexed_by_an_older_plural_rule_are_indexed_again_on_upgrade(db_path):
    latest = SEARCH_MIGRATIONS[-1][0]
    _old_warehouse(db_path, {latest})
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE articles SET clean_body = 'An analysis of gas prices.'")
    v2 = next(sql for _, name, sql in migrations() if name.endswith("_search_v2.sql"))
    con.execute(v2.split("-- == index ==")[1])  # the index as version 7 made it: "analysi", "ga"
    assert {"analysi", "ga"} <= {t for (t,) in con.execute("select term from search_postings").fetchall()}
    con.close()
    with connect(db_path) as con:
        assert [h.url for h in search.search(con, "gas analysis")] == ["http://a.test/old"]
        assert con.execute("select search_tokens('analysis gas ties')").fetchone()[0] == ["analysis", "gas", "tie"]


def test_search_from_sql_and_from_the_command_line(db_path):
    with connect(db_path) as con:
        _load(con)
        rows = con.execute("select url, matched, terms from search_articles('heritage cities')").fetchall()
        assert rows == [("http://a.test/art", 2, 2)]
        assert con.execute("select search_snippet(clean_body, 'the protect') from articles where url = 'http://a.test/art'").fetchone()[0] \
            == "Two cities of the region will protect their heritage sites together."
    runner = CliRunner()
    out = runner.invoke(main, ["search", "oil reserves", "--db", str(db_path), "--limit", "1"])
    assert out.exit_code == 0, out.output
    assert "Venezuela and China sign oil deal  [2026-11-25]" in out.output
    assert "http://a.test/oil" in out.output and "opens oil reserves" in out.output
    many = runner.invoke(main, ["search", "cooperation", "--db", str(db_path), "--limit", "1"])
    assert many.output.count("http://a.test/") == 1  # --limit 1
    none = runner.invoke(main, ["search", "zebra", "--db", str(db_path)])
    assert none.exit_code == 1 and "nothing matches 'zebra'" in none.output

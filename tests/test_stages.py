"""A run in two stages: stage 1 stores articles (fetch, parse, load), stage 2 analyses them (entities,
roles, credits, agreements), in one run or apart (`ingest --analysis later`, then `analyze`).

Real parts: the sample site served on 127.0.0.1, real DuckDB files, real Prefect flow runs (few:
one throwaway server for the module); the plain functions beneath the tasks directly.
"""

import asyncio
import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import older_warehouse
from prefect.testing.utilities import prefect_test_harness

from extractors import EXTRACTOR_VERSION
from flows.analyze import analyze_batch, store_facts
from flows.cli import main
from flows.config import SAMPLE_DIR
from flows.http import FetchPolicy
from flows.ingest import ingest, store_batch
from flows.pipeline import Candidate, parse_results
from flows.static_server import StaticServer
from schemas import ArticleFacts, FetchResult
from warehouse import read
from warehouse.db import connect, query
from warehouse.frontier import Backoff

ARTICLES = SAMPLE_DIR / "site" / "articles"
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)

FACTS = {  # what analysis leaves, without the columns that say when or in which run a row was written
    "articles": "url, warnings, analysis_version",
    "entities": "entity_id, kind, key, name, org_kind, merged_into",
    "entity_aliases": "entity_id, alias, alias_key, kind",
    "entity_judgements": "entity_id, other_id, same, reason, score, decided_by",
    "mentions": "url, seq, entity_id, surface, block, block_index, start_char, end_char, sentence, role, resolved_by",
    "roles": "*", "article_credits": "*",
    "agreements": "agreement_id, type, status, signed_on, place, period, amount_value, amount_currency, subject, dedup_key",
    "agreement_parties": "*",
    "agreement_reports": "url, seq, agreement_id, type, status, signed_on, place, period, amount_value, amount_currency, subject, "
                         "parties, party_ids, dedup_key",
    "agreement_mentions": "agreement_id, url, seq, report, text, block, block_index, start_char, end_char, dedup_key",
}


def _facts(db) -> dict:
    return {t: query(db, f"select {cols} from {t} order by all")[1] for t, cols in FACTS.items()}


def _analyze(db, *options) -> str:
    """`newsflow analyze` as a user runs it; its output."""
    result = CliRunner().invoke(main, ["analyze", "--db", str(db), *options])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_analysis_later_then_analyze_gives_the_facts_of_a_plain_ingest(prefect_server, demo_warehouse, db_path):
    with StaticServer(SAMPLE_DIR / "site") as server:
        policy = FetchPolicy(allow_loopback=True, hosts={"sample.newsflow.test": server.address}, delay_s=0.0)
        later = asyncio.run(ingest(db=str(db_path), feeds_file=str(SAMPLE_DIR / "feeds.toml"), policy=policy, analysis="later"))
    assert (later.new, later.analysed, later.analysis_left) == (6, 0, 6)
    assert "6 left for `newsflow analyze`" in later.analysis_line()
    stored = query(db_path, "select count(*), count(*) filter (where length(body) > 0), count(analysis_version) from articles")[1]
    assert stored == [(6, 6, 0)]
    assert all(rows == [] for table, rows in _facts(db_path).items() if table != "articles"), "facts before analysis"

    assert "analysis: 2 articles analysed, 0 failed; 4 left for `newsflow analyze`" in _analyze(db_path, "--limit", "2")
    assert "analysis: 4 articles analysed, 0 failed\n" in _analyze(db_path)
    plain = _facts(demo_warehouse)  # what `newsflow demo`, a plain ingest of the same site, made
    assert plain["mentions"] and plain["agreements"], "the plain ingest found too little to compare"
    assert _facts(db_path) == plain
    runs = CliRunner().invoke(main, ["runs", "--db", str(db_path)]).output.splitlines()
    assert [r.split()[2] for r in runs] == ["analyze", "analyze", "ingest"]
    assert runs[0].endswith("analysed 4, failed 0, left 0") and runs[1].endswith("analysed 2, failed 0, left 4")

    analysed_at = query(db_path, "select url, analyzed_at from articles order by url")[1]
    assert "analysis: 0 articles analysed" in _analyze(db_path)  # nothing to do
    assert query(db_path, "select url, analyzed_at from articles order by url")[1] == analysed_at

    # articles analysed by another extractor version are analysed again, and only they
    with connect(db_path) as con:
        con.execute("UPDATE articles SET analysis_version = '0.0.1+0123456789ab' WHERE url LIKE '%tibet%' OR url LIKE '%coloroll%'")
        con.execute("DELETE FROM mentions WHERE url LIKE '%tibet%'")
    assert "analysis: 2 articles analysed, 0 failed\n" in _analyze(db_path)
    assert _facts(db_path) == plain
    redone = {u for (u, at), (_, before) in zip(query(db_path, "select url, analyzed_at from articles order by url")[1], analysed_at,
                                                   strict=True) if at != before}
    assert {u.rsplit("/", 1)[-1] for u in redone} == {"cns-central-soes-tibet.html", "coloroll-wallco.html"}


def _page(name: str, extra: str = "") -> tuple[Candidate, FetchResult]:
    url = f"http://sample.newsflow.test/articles/{name}"
    body = (ARTICLES / name).read_text().replace("</article>", f"{extra}</article>").encode()
    return Candidate(url, "http://sample.newsflow.test/rss.xml"), FetchResult(
        url=url, final_url=url, status=200, headers={"content-type": "text/html; charset=utf-8"}, body=body, fetched_at=NOW)


def _store(db, *pages):
    items, results = zip(*pages, strict=True)
    return store_batch(str(db), "r", parse_results(items, results), results, Backoff())


def _analyse(db, urls):
    return asyncio.run(analyze_batch.fn(str(db), "r", urls))  # the task's plain function: no Prefect run


def test_an_article_whose_text_changes_loses_its_facts_until_it_is_analysed_again(db_path):
    deal, oil = _page("coloroll-wallco.html"), _page("venezuela-china-oil.html")
    urls = [deal[0].url, oil[0].url]
    _store(db_path, deal, oil)
    assert _analyse(db_path, urls).analysed == 2
    mentions = "select url, count(*) from mentions group by url order by url"
    analysed = query(db_path, mentions)[1]
    assert len(analysed) == 2

    same = _store(db_path, deal)  # the same text parsed again: its facts stay
    assert (same.updated, same.text_changed) == (1, 0) and query(db_path, mentions)[1] == analysed
    changed = _store(db_path, _page("coloroll-wallco.html", "<p>Coloroll chairman John Smith said Wallco Inc would keep its name.</p>"))
    assert (changed.updated, changed.text_changed) == (1, 1)
    assert query(db_path, mentions)[1] == [r for r in analysed if r[0] == oil[0].url]  # facts never point into a text that is gone
    assert query(db_path, "select url from articles where analysis_version is null")[1] == [(deal[0].url,)]
    with connect(db_path) as con:
        assert read.unanalysed(con, EXTRACTOR_VERSION) == [deal[0].url]
    _analyse(db_path, [deal[0].url])
    assert query(db_path, "select count(distinct url), bool_or(surface = 'John Smith') from mentions")[1] == [(2, True)]  # the new text's


def test_a_failed_analysis_is_a_reject_and_facts_of_a_text_changed_meanwhile_wait(db_path):
    deal = _page("coloroll-wallco.html")
    url = deal[0].url
    _store(db_path, deal)
    with connect(db_path) as con:
        hashes = read.text_hashes(con, [url])
    failed = ArticleFacts(url=url, extractor_version=EXTRACTOR_VERSION, error="analysis error: IndexError: list index out of range")
    counts = store_facts(str(db_path), "r", [failed], hashes)
    assert (counts.analysed, counts.failed) == (1, 1)
    assert query(db_path, "select stage, url, reason from rejects")[1] == [("analysis", url, failed.error)]
    assert query(db_path, "select analysis_version from articles")[1] == [(EXTRACTOR_VERSION,)]  # not tried again by this version
    assert query(db_path, "select count(*) from mentions")[1] == [(0,)]

    # a text that another run changed after it was read for analysis keeps no facts made from the old one
    good = ArticleFacts(url=url, extractor_version=EXTRACTOR_VERSION)
    assert store_facts(str(db_path), "r", [good], {url: "a hash of another text"}).changed_meanwhile == 1
    assert query(db_path, "select count(*) from rejects")[1] == [(1,)]
    assert _analyse(db_path, [url]).analysed == 1
    assert query(db_path, "select count(*) from rejects")[1] == [(0,)]  # analysed now: no longer a reject
    assert query(db_path, "select count(*) > 0 from mentions")[1] == [(True,)]


def test_the_stored_text_is_what_the_parse_gave_every_field_analysis_reads(db_path):
    (item, page), (other, other_page) = _page("cns-central-soes-tibet.html"), _page("coloroll-wallco.html")
    batch = parse_results([item, other], [page, other_page])
    late_evening = dt.datetime(2021, 9, 20, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 19 September in UTC
    tibet, coloroll = batch.articles
    batch.articles = [
        tibet.model_copy(update={"article": tibet.article.model_copy(update={"published_at": late_evening}), "published_at": late_evening}),
        coloroll.model_copy(update={"article": coloroll.article.model_copy(update={"published_at": dt.datetime(1987, 3, 2, 9)}),
                                    "published_at": dt.datetime(1987, 3, 2, 9), "published_source": "page"}),  # a page date without a zone
    ]
    store_batch(str(db_path), "r", batch, [page, other_page], Backoff())
    with connect(db_path) as con:
        back = {t.url: t.article for t in read.article_texts(con, [item.url, other.url])}
    assert tibet.article.edits and tibet.article.captions and tibet.article.credits and tibet.article.dateline.raw, "the sample lost its point"
    for s in batch.articles:
        a, b = s.article, back[s.url]
        fields = ("title", "paragraphs", "captions", "credits", "byline", "end_markers", "dateline", "edits", "warnings")
        assert {f: getattr(b, f) for f in fields} == {f: getattr(a, f) for f in fields}
        assert (b.published_at, b.published_at.date(), b.published_at.tzinfo is None) == (a.published_at, a.published_at.date(),
                                                                                            a.published_at.tzinfo is None)


def test_articles_stored_before_the_two_stages_await_reprocess_not_analysis(tmp_path):
    path = tmp_path / "old.duckdb"
    con = older_warehouse(path, lambda version: version < 10)
    con.execute("INSERT INTO articles (url, body, raw_sha256, extractor_version, run_id, first_seen_at, updated_at) "
                "VALUES ('http://x.test/old', 'Text.', 'r', '0.1.0+000000000000', 'r', now(), now())")
    con.close()
    with connect(path) as con:  # migrates
        assert con.execute("select analysis_version from articles").fetchall() == [("0.1.0+000000000000",)]  # analysed when loaded
        assert read.unanalysed(con, EXTRACTOR_VERSION) == [] and read.unanalysed_counts(con, EXTRACTOR_VERSION) == (0, 1)
        assert read.unanalysed_counts(con, "0.1.0+000000000000") == (0, 0)

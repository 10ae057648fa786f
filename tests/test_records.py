"""The decisions between extraction and the warehouse (`extractors.records`), without a database."""

import datetime as dt

from extractors.analysis import analyze_texts
from extractors.budget import AnalysisLimit
from extractors.records import article_facts, published, stored_article
from schemas import Agreement, Alias, Article, ArticleText, Dateline, Entity, Evidence, Party, Span, Title

UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))
SASAC = "State-owned Assets Supervision and Administration Commission of the State Council"
TIBET = "People's Government of the Tibet Autonomous Region"


def test_the_publication_date_is_the_pages_else_the_feeds_else_the_datelines():
    page, feed = dt.datetime(2021, 9, 20, 10, tzinfo=BEIJING), dt.datetime(2021, 9, 21, tzinfo=UTC)
    dateline = Dateline(agency="China News Service", place="Lhasa", date=dt.date(2021, 9, 19))
    assert published(Article(published_at=page, dateline=dateline), feed) == (page, "page")
    assert published(Article(dateline=dateline), feed) == (feed, "feed")
    assert published(Article(dateline=dateline), None) == (dt.datetime(2021, 9, 19, tzinfo=UTC), "dateline")
    assert published(Article(), None) == (None, None)
    stored = stored_article("http://a.test/1", "ab" * 32, Article(dateline=dateline), feed_published_at=feed)
    assert (stored.published_at, stored.published_source) == (feed, "feed")


def _text(published_at=None, warnings=()):
    return ArticleText(url="http://a.test/1", article=Article(title="T", published_at=published_at, warnings=list(warnings)))


def _org(name, id=None):
    return Entity(id=id, kind="organization", name=name)


def test_a_credited_person_is_a_credit_of_the_article_never_a_post_held():
    reporter = Entity(id="e3", kind="person", name="Gonggar Laisong", credit="reporter",
                      aliases=[Alias(text="Gongga Laisong", kind="spelling_variant")],
                      titles=[Title(title="reporter", organization="China News Service"), Title(title="Photographer")])
    official = Entity(id="e4", kind="person", name="Hao Peng", titles=[Title(title="Director", organization=SASAC)])
    found = article_facts(_text(dt.datetime(2021, 9, 20, tzinfo=UTC)), [_org(SASAC, "e1"), reporter, official], [], None, "v1")
    assert [(c.entity_id, c.role) for c in found.credits] == [("e3", "photographer"), ("e3", "reporter")]
    assert [(r.person_id, r.title, r.organization_id) for r in found.roles] == [("e4", "Director", "e1")]  # the organization by its name


def test_a_role_is_observed_on_the_day_the_page_gives_itself_in_its_own_zone():
    just_after_midnight = dt.datetime(2021, 9, 20, 0, 30, tzinfo=BEIJING)  # still 19 September in UTC
    official = Entity(id="e1", kind="person", name="Hao Peng", titles=[Title(title="Director")])
    assert article_facts(_text(just_after_midnight), [official], [], None, "v1").roles[0].observed_on == dt.date(2021, 9, 20)
    assert article_facts(_text(None), [official], [], None, "v1").roles[0].observed_on is None


def _deal(*parties):
    return Agreement(type="memorandum", status="signed", parties=list(parties),
                     evidence=[Evidence(text="They signed.", span=Span(block="body", start=0, end=12))])


def test_collective_parties_become_entities_and_every_party_points_at_its_entity():
    deal = _deal(Party(name="15 central enterprises", kind="collective", count=15), Party(name=TIBET, entity_id="e9"),
                 Party(name="the People's Government of the Tibet Autonomous Region", entity_id="e2"), Party(name="Nobody Known"))
    named_group = _deal(Party(name="Central Enterprises", kind="collective", count=3))
    entities = [_org(TIBET, "e1"), _org("central enterprises", "e2")]
    found = article_facts(_text(), entities, [deal, named_group], None, "v1")
    collectives = [e for e in found.entities if e.kind == "collective"]
    assert [(e.id, e.name, e.count) for e in collectives] == [("c1", "15 central enterprises", 15)]  # a named group is its entity
    assert [p.entity_id for p in found.agreements[0].parties] == ["c1", "e1", "e2", None]  # unknown id: by name; the linked id kept
    assert [p.entity_id for p in found.agreements[1].parties] == ["e2"]
    assert all(e.id for e in article_facts(_text(), [_org("Acme"), _org("Beta")], [], None, "v1").entities)


def test_the_warnings_after_analysis_say_once_that_only_part_was_read():
    limit = AnalysisLimit(reason="analysis limited: text of 200,000 characters is over the budget", analysed_chars=1000)
    earlier = "analysis limited: stopped after its time budget of 20 s"
    found = article_facts(_text(warnings=["bytes replaced with U+FFFD", earlier]), [], [], limit, "v2")
    assert found.warnings == ["bytes replaced with U+FFFD", limit.reason] and found.extractor_version == "v2"
    assert article_facts(_text(warnings=[earlier]), [], [], None, "v2").warnings == []


def test_an_article_whose_analysis_fails_costs_only_itself():
    good = ArticleText(url="http://a.test/good", article=Article(paragraphs=["Acme Corp signed a supply contract with Beta Inc on Monday."]))
    broken = ArticleText(url="http://a.test/broken", article=Article.model_construct(paragraphs=None, warnings=["kept"]))
    bad, ok = analyze_texts([broken, good])
    assert bad.url == "http://a.test/broken" and bad.error.startswith("analysis error: ") and not bad.entities and bad.warnings == ["kept"]
    assert ok.error is None and {e.name for e in ok.entities} >= {"Acme Corp", "Beta Inc"} and ok.agreements

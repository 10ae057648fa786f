"""Entities and agreements in the warehouse: one row per real-world thing, across articles."""

import datetime as dt
import random

from extractors.records import article_facts
from schemas import Agreement, Alias, Article, ArticleText, Entity, Evidence, Mention, Party, Span, Title
from warehouse.db import connect
from warehouse.facts import _SPELLING, _spelling_args, save_facts

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
SASAC = "State-owned Assets Supervision and Administration Commission of the State Council"
TIBET = "People's Government of the Tibet Autonomous Region"


def _org(name, *aliases):
    return Entity(kind="organization", name=name, aliases=[Alias(text=a, kind="abbreviation") for a in aliases],
                  mentions=[Mention(surface=name, span=Span(block="body", start=0, end=len(name)), sentence=name)])


def _mou(date="2021-09-20", commission=SASAC):
    return Agreement(
        type="memorandum", status="signed", date=date, place="Lhasa",
        parties=[Party(name=commission), Party(name=TIBET)],
        evidence=[Evidence(text="They signed a memorandum.", span=Span(block="body", start=0, end=25))],
    )


def _stored(url, entities, agreements=(), published=NOW):
    """What the analysis of an article published on `published` that found these entities and agreements gives to load."""
    return article_facts(ArticleText(url=url, article=Article(title=url, published_at=published)), entities, list(agreements), None, "v1")


def test_an_organization_named_two_ways_in_two_articles_is_one_entity_with_both_names(db_path):
    with connect(db_path) as con:
        save_facts(con, "r1", [_stored("http://a.test/1", [_org(SASAC)])], NOW)
        save_facts(con, "r2", [_stored("http://a.test/2", [_org("SASAC", SASAC)])], NOW)
        assert con.execute("select count(*), any_value(name) from entities").fetchone() == (1, SASAC)
        aliases = {a for (a,) in con.execute("select alias from entity_aliases").fetchall()}
        assert aliases == {SASAC, "SASAC"}
        assert con.execute("select count(distinct url) from mentions").fetchone()[0] == 2


def test_two_articles_reporting_one_signing_give_one_agreement_with_two_mentions(db_path):
    orgs = [_org(SASAC), _org(TIBET)]
    with connect(db_path) as con:
        save_facts(con, "r1", [_stored("http://a.test/1", orgs, [_mou()])], NOW)
        save_facts(con, "r1", [_stored("http://a.test/2", orgs, [_mou("2021-09-21")])], NOW)
        assert con.execute("select count(*) from agreements").fetchone()[0] == 1
        assert con.execute("select count(distinct url) from agreement_mentions").fetchone()[0] == 2
        assert con.execute("select list(name order by seq) from agreement_parties").fetchone()[0] == [SASAC, TIBET]
        # a signing months later between the same parties is another agreement
        save_facts(con, "r1", [_stored("http://a.test/3", orgs, [_mou("2022-03-01")])], NOW)
        assert con.execute("select count(*) from agreements").fetchone()[0] == 2


def test_loading_an_article_again_replaces_its_rows(db_path):
    person = Entity(kind="person", name="Hao Peng", titles=[Title(title="Director", organization=SASAC)],
                    mentions=[Mention(surface="Hao Peng", span=Span(block="body", start=0, end=8), sentence="Hao Peng said.")])
    photographer = Entity(kind="person", name="Gonggar Laisong", credit="reporter",
                          aliases=[Alias(text="Gongga Laisong", kind="spelling_variant")],
                          titles=[Title(title="reporter", organization="China News Service"), Title(title="photographer")])
    item = _stored("http://a.test/1", [_org(SASAC), _org(TIBET), person, photographer], [_mou()])
    counts = "select (select count(*) from entities), (select count(*) from mentions), (select count(*) from roles), " \
             "(select count(*) from article_credits), (select count(*) from agreements), (select count(*) from agreement_mentions)"
    with connect(db_path) as con:
        save_facts(con, "r1", [item], NOW)
        first = con.execute(counts).fetchone()
        save_facts(con, "r2", [item], NOW)
        assert con.execute(counts).fetchone() == first == (4, 3, 1, 2, 1, 1)
        # a credit is recorded as a credit of the article (both roles), never as a post held
        assert con.execute("select list(role order by role) from article_credits").fetchone()[0] == ["photographer", "reporter"]
        role = con.execute("select title, organization_id is not null, observed_on from roles").fetchone()
        assert role == ("Director", True, NOW.date())
        # the article no longer reports the agreement: its row goes
        save_facts(con, "r3", [item.model_copy(update={"agreements": []})], NOW)
        assert con.execute("select count(*) from agreements").fetchone()[0] == 0


def test_a_person_and_an_organization_with_one_name_stay_apart(db_path):
    with connect(db_path) as con:
        save_facts(con, "r1", [_stored("http://a.test/1", [_org("Li Ning"), Entity(kind="person", name="Li Ning")])], NOW)
        assert con.execute("select count(*) from entities").fetchone()[0] == 2


def _person(name):
    return Entity(kind="person", name=name, mentions=[Mention(surface=name, span=Span(block="body", start=0, end=len(name)), sentence=name)])


def test_a_spelling_variant_in_another_article_is_merged_with_a_reviewable_judgement_and_a_split_reverses_it(db_path):
    from click.testing import CliRunner

    from flows.cli import main

    with connect(db_path) as con:
        save_facts(con, "r1", [_stored("http://a.test/1", [_person("Gonggar Laisong"), _person("Zhang Wei")])], NOW)
        save_facts(con, "r1", [_stored("http://a.test/2", [_person("Gongga Laisong"), _person("Zhang Wen"), _org("Xinhua")])], NOW)
        ids = dict(con.execute("select name, entity_id from entities").fetchall())
        merged = con.execute("select name, merged_into from entities where merged_into is not null").fetchall()
    assert merged == [("Gongga Laisong", ids["Gonggar Laisong"])]  # short names are never merged by spelling
    db, runner = str(db_path), CliRunner()
    shown = runner.invoke(main, ["entities", "show", "Laisong", "--db", db]).output
    assert f"merged into {ids['Gonggar Laisong']}" in shown and "by newsflow: spelling variant" in shown and "score 0.9" in shown
    across = runner.invoke(main, ["entities", "merge", str(ids["Xinhua"]), str(ids["Gonggar Laisong"]), "--reason", "x", "--db", db])
    assert across.exit_code == 1 and "never cross kinds" in across.output
    assert f"cannot merge {ids['Xinhua']} (organization) into {ids['Gonggar Laisong']} (person)" in across.output
    assert runner.invoke(main, ["entities", "split", str(ids["Gongga Laisong"]), "--reason", "two people", "--db", db]).exit_code == 0
    with connect(db_path) as con:
        assert con.execute("select count(*) from entities where merged_into is not null").fetchone()[0] == 0
        assert con.execute("select count(distinct c.canonical_id) from mentions m join canonical_entities c using (entity_id) "
                           "where c.name like '%Laisong'").fetchone()[0] == 2
    merged_by_hand = runner.invoke(main, ["entities", "merge", str(ids["Zhang Wen"]), str(ids["Zhang Wei"]), "--reason", "same official", "--db", db])
    assert merged_by_hand.exit_code == 0 and "same as" in runner.invoke(main, ["entities", "show", "Zhang", "--db", db]).output


def test_collective_parties_are_entities_of_their_article_only(db_path):
    deal = Agreement(type="joint_venture", status="signed",
                     parties=[Party(name="eight state-owned enterprises", kind="collective", count=8), Party(name=SASAC)],
                     evidence=[Evidence(text="They signed.", span=Span(block="body", start=0, end=12))])
    with connect(db_path) as con:
        for _ in range(2):  # reloading keeps one row each
            save_facts(con, "r", [_stored("http://a.test/1", [_org(SASAC)], [deal]), _stored("http://a.test/2", [_org(SASAC)], [deal])], NOW)
        assert con.execute("select count(*), list(distinct name) from entities where kind = 'collective'").fetchone() == (
            2, ["eight state-owned enterprises"])
        assert con.execute("select count(*) from agreement_parties where kind = 'collective' and entity_id is null").fetchone()[0] == 0
        # the two reports are still one agreement: collectives match by count and description
        assert con.execute("select count(*), count(distinct url) from agreements join agreement_mentions using (agreement_id)").fetchone() == (2, 2)
        assert con.execute("select count(*) from agreements").fetchone()[0] == 1


def _short(name, short):
    return Entity(kind="person", name=name, aliases=[Alias(text=short, kind="short_form")],
                  mentions=[Mention(surface=name, span=Span(block="body", start=0, end=len(name)), sentence=name),
                            Mention(surface=short, span=Span(block="body", start=20, end=20 + len(short)), sentence=short)])


FACTS = {  # every derived table, without the columns that say when or in which run a row was written
    "entities": "entity_id, kind, key, name, org_kind, merged_into",
    "entity_aliases": "entity_id, alias, alias_key, kind",
    "mentions": "url, seq, entity_id, surface, block, block_index, start_char, end_char, sentence, role, resolved_by",
    "roles": "*", "article_credits": "*",
    "agreements": "agreement_id, type, status, signed_on, place, period, amount_value, amount_currency, subject, dedup_key",
    "agreement_parties": "*",
    "agreement_reports": "url, seq, agreement_id, type, signed_on, parties, dedup_key",
    "agreement_mentions": "agreement_id, url, seq, report, text, dedup_key",
}


def _facts(con):
    return {t: con.execute(f"select {cols} from {t} order by all").fetchall() for t, cols in FACTS.items()}


def _corpus():
    """Articles whose facts interlock across articles: a name two people go by, an abbreviation used alone,
    a near-spelling, and one signing reported three times with dates that chain."""
    orgs = [_org(SASAC, "SASAC"), _org(TIBET)]
    return [
        _stored("http://a.test/1", [_short("Donald Trump", "Trump"), *orgs], [_mou("2021-09-20")], NOW),
        _stored("http://a.test/2", [_short("Ivanka Trump", "Trump"), _person("Gonggar Laisong")], [], NOW),
        _stored("http://a.test/3", [_person("Trump"), _org("SASAC"), _org(TIBET)], [_mou("2021-10-15", "SASAC")], NOW + dt.timedelta(days=25)),
        _stored("http://a.test/4", [_person("Gongga Laisong"), *orgs], [_mou("2021-11-10")], NOW + dt.timedelta(days=50)),
        _stored("http://a.test/5", [*orgs], [_mou(None)], NOW - dt.timedelta(days=1)),  # undated: joins the earliest signing
    ]


def _load(path, batches):
    with connect(path) as con:
        for n, batch in enumerate(batches):
            save_facts(con, f"r{n}", batch, NOW)
        return _facts(con)


def test_the_same_articles_in_any_order_or_batching_give_the_same_facts(tmp_path):
    items = _corpus()
    one_by_one = _load(tmp_path / "a.duckdb", [[s] for s in items])
    reversed_in_one = _load(tmp_path / "b.duckdb", [list(reversed(items))])
    shuffled_in_pairs = _load(tmp_path / "c.duckdb", [[items[3], items[0]], [items[4], items[2]], [items[1]]])
    assert one_by_one == reversed_in_one == shuffled_in_pairs
    with connect(tmp_path / "a.duckdb") as con:
        # "Trump" is a form of two people: it joins neither; "SASAC" alone names one commission: it joins it
        names = dict(con.execute("select e.name, c.name from entities e join canonical_entities c using (entity_id)").fetchall())
        assert names["Trump"] == "Trump" and names["SASAC"] == SASAC and names["Gongga Laisong"] == "Gonggar Laisong"
        # one signing reported four times (three dates within a month of each other, one undated) is one agreement
        # (its date from the first-published report that gives one)
        assert con.execute("select count(*), any_value(signed_on) from agreements").fetchone() == (1, "2021-09-20")
        assert con.execute("select count(distinct url) from agreement_mentions").fetchone() == (4,)
        # loading again what is loaded changes nothing
        save_facts(con, "again", items[2:3], NOW)
        assert _facts(con) == one_by_one


def test_a_name_that_becomes_ambiguous_stops_linking_whatever_came_first(tmp_path):
    donald, ivanka, bare = _corpus()[0], _corpus()[1], _stored("http://a.test/9", [_person("Trump")])
    with connect(tmp_path / "x.duckdb") as con:
        save_facts(con, "r", [donald, bare], NOW)
        linked = "select c.name from entities e join entities c on c.entity_id = coalesce(e.merged_into, e.entity_id) where e.name = 'Trump'"
        assert con.execute(linked).fetchone() == ("Donald Trump",)  # the only person who goes by "Trump"
        save_facts(con, "r", [ivanka], NOW)
        assert con.execute(linked).fetchone() == ("Trump",)
        why = con.execute("select list(reason order by judgement_id) from entity_judgements j join entities e using (entity_id) "
                          "where e.name = 'Trump'").fetchone()[0]
        assert why == ["'Trump' names only this entity", "the rule that linked it no longer holds"]


def test_a_mention_keeps_its_number_within_its_article_whatever_the_batch(tmp_path):
    items = _corpus()
    alone = _load(tmp_path / "a.duckdb", [[items[2]]])["mentions"]
    with_others = [m for m in _load(tmp_path / "b.duckdb", [items])["mentions"] if m[0] == items[2].url]
    assert [m[1] for m in alone] == [0, 1, 2] and alone == with_others


def test_near_spellings_found_by_shared_words_are_those_a_comparison_with_every_person_finds(db_path):
    """`_SPELLING` compares a new person's name only with names that share a word with it; on many generated
    names it finds exactly the pairs the full comparison with every stored person (the query it replaced) finds."""
    full = """
        SELECT n.entity_id, o.entity_id, jaro_winkler_similarity(n.key, o.key) AS score
        FROM entities n JOIN entities o ON o.kind = 'person' AND o.entity_id <> n.entity_id AND o.key IS NOT NULL
        WHERE n.entity_id IN (SELECT unnest($ids)) AND n.kind = 'person' AND n.key IS NOT NULL
          AND least(length(n.key), length(o.key)) >= $min_chars
          AND len(string_split(n.key, ' ')) = len(string_split(o.key, ' '))
          AND list_has_any(string_split(n.key, ' '), string_split(o.key, ' '))
          AND jaro_winkler_similarity(n.key, o.key) >= $min_score
    """
    rng = random.Random(7)
    first = ["muhammad", "mohammed", "mohamed", "olena", "olena", "jean claude", "li", "alexandr", "alexander"]
    last = ["al sabah", "zelenska", "zelenskaya", "juncker", "keqiang", "lukashenko", "lukashenka", "smith smith"]
    names = [f"{rng.choice(first)} {rng.choice(last)}" for _ in range(300)] + ["x" * 14, "olena"]
    with connect(db_path) as con:
        con.executemany("INSERT INTO entities (kind, name, key, first_seen_at) VALUES (?, ?, ?, now())",
                        [(rng.choice(["person", "person", "organization"]), n, n) for n in names])
        args = _spelling_args(set(rng.sample(range(1, len(names) + 1), 60)))
        found = sorted(con.execute(_SPELLING, args).fetchall())
        assert found == sorted(con.execute(full, args).fetchall()) and len(found) > 100

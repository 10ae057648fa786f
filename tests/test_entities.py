"""Entities: the seed's people, titles, credits and resolved organizations; abbreviations;
the distinguishing-word veto; spans that point into the published text."""

from __future__ import annotations

import pytest
from conftest import SHARED, need_shared

from extractors.entities import extract_entities, extract_entities_many
from extractors.entities.contract import to_contract
from extractors.text import parse_text
from schemas.article import Article, TextEdit

SEED = SHARED / "corpus" / "seed" / "cns-central-soes-tibet.txt"
SASAC = "State-owned Assets Supervision and Administration Commission of the State Council"


@pytest.fixture(scope="session")
def seed_article() -> Article:
    need_shared(SEED)
    return parse_text(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed(seed_article):
    return extract_entities(seed_article)


def by_name(entities, kind):
    return {e.name: e for e in entities if e.kind == kind}


def test_seed_persons_and_titles(seed):
    persons = by_name(seed, "person")
    wu = persons["Wu Yingjie"]
    assert [t.title.lower() for t in wu.titles] == ["secretary"]
    assert wu.titles[0].organization == "Party Committee of the Tibet Autonomous Region"
    hao = persons["Hao Peng"]
    assert sorted(t.title.lower() for t in hao.titles) == ["director", "secretary"]
    assert {t.organization for t in hao.titles} == {SASAC}
    assert wu.credit is None and hao.credit is None


def test_a_title_apposition_ends_at_a_reporting_verb():
    article = Article(url="http://example.org/a", paragraphs=["Li Wei, chief analyst confirmed the figures on Monday."])
    (li,) = [e for e in extract_entities(article) if e.kind == "person"]
    assert [(t.title, t.organization) for t in li.titles] == [("chief analyst", None)]  # not "chief analyst confirmed the figures"


def test_seed_transliteration_variants_are_one_credited_person(seed):
    laisong = [e for e in seed if e.kind == "person" and "Laisong" in e.name]
    assert len(laisong) == 1
    person = laisong[0]
    assert {person.name, *person.alias_texts} == {"Gonggar Laisong", "Gongga Laisong"}
    assert person.credit in ("reporter", "photographer")
    assert all(m.role == "credit" for m in person.mentions)
    assert by_name(seed, "person")["Ran Wenjuan"].credit == "reporter"


def test_seed_organizations_resolved(seed):
    orgs = by_name(seed, "organization")
    assert SASAC in orgs and orgs[SASAC].org_kind == "government"
    gov = orgs["People's Government of the Tibet Autonomous Region"]
    assert set(gov.alias_texts) >= {"People's Government of Tibet Autonomous Region",
                                    "People's Government of the Autonomous Region"}
    assert orgs["China News Service"].org_kind == "media"
    assert not any(e.name == "State" or e.name.startswith("State-owned State") for e in seed)
    assert len([e for e in seed if e.kind == "organization" and "Assets" in e.name]) == 1


def test_seed_places(seed):
    places = by_name(seed, "place")
    assert {"Lhasa", "Tibet Autonomous Region"} <= set(places)
    assert "Tibet" in places["Tibet Autonomous Region"].alias_texts
    assert any(m.role == "dateline" for m in places["Lhasa"].mentions)


def test_spans_point_into_published_text(seed_article, seed):
    texts = {"body": [seed_article.body], "caption": seed_article.captions, "credit": seed_article.credits,
             "byline": seed_article.byline, "dateline": [seed_article.dateline.raw]}
    mentions = [m for e in seed for m in e.mentions]
    assert mentions
    for m in mentions:
        text = texts[m.span.block][m.span.index]
        assert text[m.span.start:m.span.end] == m.surface
        assert m.surface in m.sentence


def test_span_across_collapsed_stutter_covers_it():
    a = Article(paragraphs=["The State-owned State-owned State-owned Assets Supervision and Administration "
                            "Commission of the State Council met in Lhasa."],
                edits=[TextEdit(start=4, end=39, replacement="State-owned")])
    org = by_name(extract_entities(a), "organization")[SASAC]
    m = org.mentions[0]
    assert a.body[m.span.start:m.span.end] == m.surface
    assert m.surface.startswith("State-owned State-owned State-owned Assets")


def test_sasac_abbreviation_joins_the_long_name():
    a = Article(paragraphs=[f"The {SASAC} met on Monday.", "SASAC said it would help Tibet."])
    orgs = [e for e in extract_entities(a) if e.kind == "organization"]
    assert len(orgs) == 1 and orgs[0].name == SASAC
    assert [(x.text, x.kind) for x in orgs[0].aliases] == [("SASAC", "abbreviation")]


def test_long_name_then_abbreviation_and_initials_with_hyphen():
    a = Article(paragraphs=["The Hainan Water-resources Development Commission (HWDC) met the Guangdong "
                            "Provincial Energy Bureau.", "HWDC and GPEB signed a deal on Monday."])
    orgs = by_name(extract_entities(a), "organization")
    assert orgs["Hainan Water-resources Development Commission"].alias_texts == ["HWDC"]
    assert orgs["Guangdong Provincial Energy Bureau"].alias_texts == ["GPEB"]
    assert len(orgs) == 2


def test_distinguishing_word_veto_keeps_two_governments():
    a = Article(paragraphs=["The People's Government of the Tibet Autonomous Region and the People's Government "
                            "of the Xinjiang Uygur Autonomous Region met in Lhasa."])
    governments = [e.name for e in extract_entities(a) if e.kind == "organization"]
    assert sorted(governments) == ["People's Government of the Tibet Autonomous Region",
                                   "People's Government of the Xinjiang Uygur Autonomous Region"]


def test_agency_tags_and_credits_never_glue_onto_names():
    text = ("BEIJING, Nov. 8 (Xinhua) -- Li Qiang met Wang Yi of the Ministry of Foreign Affairs on Sunday.\n"
            "The picture shows the meeting. (Photo by Zhang Wei/Xinhua)\n")
    entities = extract_entities(parse_text(text))
    assert not any("/" in e.name or "Xinhua" in e.name and e.kind == "person" for e in entities)
    persons = by_name(entities, "person")
    assert persons["Zhang Wei"].credit == "photographer"
    assert persons["Li Qiang"].credit is None
    assert by_name(entities, "organization")["Xinhua"].org_kind == "media"


def test_batch_matches_single_and_contract_shape(seed_article, seed):
    batch = extract_entities_many([seed_article, Article(paragraphs=["Nothing here."])])
    assert [e.name for e in batch[0]] == [e.name for e in seed] and batch[1] == []
    out = to_contract(seed)
    assert set(out) == {"persons", "organizations", "places"}
    assert set(out["persons"][0]) == {"id", "name", "aliases", "titles"}
    assert set(out["organizations"][0]) == {"id", "name", "aliases", "kind"}


def test_every_entity_has_an_article_local_id_and_titles_point_at_their_organization(seed_article, seed):
    ids = [e.id for e in seed]
    assert ids == [f"e{i}" for i in range(1, len(seed) + 1)]
    assert [e.id for e in extract_entities(seed_article)] == ids  # deterministic
    by_id = {e.id: e for e in seed}
    wu = by_name(seed, "person")["Wu Yingjie"]
    org = by_id[wu.titles[0].organization_id]
    assert org.kind == "organization" and org.name == wu.titles[0].organization


def test_each_mention_carries_its_own_sentence_from_its_own_paragraph(seed):
    for e in seed:
        for m in e.mentions:
            assert "\n\n" not in m.sentence and m.surface in m.sentence, (e.name, m.sentence[:80])


def test_the_model_reads_only_sentences_that_may_hold_a_name_and_finds_there_what_it_finds_in_the_whole_text():
    from extractors.entities.nlp import load_nlp, tag

    named = "Wang Yi met John Kerry in Geneva on Monday. The talks lasted two hours. Both sides praised the Swiss hosts."
    chinese, russian = "国务院国资委与西藏自治区人民政府签署合作协议。", "Москва и Пекин подписали соглашение."  # the model calls each an ORG
    names = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}  # what a sentence without a capital after its first word lacks
    whole = [(e.text, e.label_) for e in load_nlp()(named).ents if e.label_ in names]
    docs = tag([named, chinese, russian])
    assert [(e.text, e.label_) for e in docs[0].ents if e.label_ in names] == whole and ("John Kerry", "PERSON") in whole
    assert list(docs[1].ents) == [] and list(docs[2].ents) == []  # scripts the English model does not read
    assert [d.text for d in docs] == [named, chinese, russian]

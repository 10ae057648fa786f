"""A page that does not declare its language gets the one its text is written in, or none when that is unsure."""

import pytest

from extractors.article import parse_article
from extractors.language import detect_language

STORY = {
    "en": "The company said on Tuesday that it had signed an agreement with the city government to build a new port, "
          "which will be finished by the end of next year. It is the largest investment in the region for a decade, officials said.",
    "fr": "La société a annoncé mardi qu'elle avait signé un accord avec le gouvernement de la ville pour construire un nouveau port, "
          "qui sera terminé à la fin de l'année prochaine. C'est le plus grand investissement dans la région depuis une décennie.",
    "de": "Das Unternehmen hat am Dienstag mitgeteilt, dass es mit der Stadtverwaltung einen Vertrag über den Bau eines neuen Hafens "
          "unterzeichnet hat, der bis Ende nächsten Jahres fertig sein wird. Es ist die größte Investition in der Region seit einem Jahrzehnt.",
    "es": "La empresa dijo el martes que había firmado un acuerdo con el gobierno de la ciudad para construir un nuevo puerto, que estará "
          "terminado a finales del próximo año. Es la mayor inversión en la región en una década, dijeron los funcionarios.",
    "zh": "中国国有企业与西藏自治区政府签署了合作协议，将在未来五年内投资建设新的港口和物流设施，这是该地区十年来最大的一笔投资。",
    "ja": "同社は火曜日、市政府と新しい港を建設する契約に署名したと発表した。来年末までに完成する予定で、地域で十年ぶりの大型投資となる。",
}


def _page(text: str, lang: str = "") -> bytes:
    attribute = f' lang="{lang}"' if lang else ""
    return (f"<html{attribute}><head><title>Port deal</title></head><body><article><h1>Port deal</h1>"
            f"<p>{text}</p><p>{text}</p></article></body></html>").encode()


@pytest.mark.parametrize("lang", sorted(STORY))
def test_a_page_without_a_lang_attribute_gets_the_language_of_its_text(lang):
    assert parse_article(_page(STORY[lang]), "https://news.example/a").language == lang


def test_a_declared_language_is_kept():
    assert parse_article(_page(STORY["en"], lang="en-GB"), "https://news.example/a").language == "en"


@pytest.mark.parametrize("text", [
    "Port deal signed.",  # too short to tell
    STORY["en"] + " " + STORY["fr"],  # two languages, neither clearly ahead
    "Xq zv plorn kvast mirel obu taq venn solar dray quib harn plo zent marrow fiv oltan grue pemb sarl ivo kest brom alu nix cred "
    "tov lash ferm dwil ocho varn",  # no language's function words
])
def test_an_unsure_guess_is_no_language(text):
    assert detect_language([text]) is None


def test_extract_prints_the_language_of_an_undeclared_page(tmp_path):
    import json

    from click.testing import CliRunner

    from flows.cli import main

    page = tmp_path / "story.html"
    page.write_bytes(_page(STORY["en"]))
    result = CliRunner().invoke(main, ["extract", str(page), "--format", "jsonl"])
    assert result.exit_code == 0 and json.loads(result.output)["article"]["language"] == "en", result.output


FRENCH_NAMES = ("Le président Emmanuel Macron a rencontré Olaf Scholz à Berlin lundi. Selon Marie Dupont, porte-parole de "
                "la société Renault, les deux dirigeants ont parlé de l'industrie automobile en France et en Allemagne.")


def test_a_page_in_a_language_the_model_does_not_read_gets_no_ner_and_says_so():
    from extractors.analysis import read_page

    article, entities, _ = read_page(_page(FRENCH_NAMES, "fr"), "text/html", "https://news.example/a")
    kinds = {(e.kind, e.name) for e in entities}
    assert not {k for k, _ in kinds} & {"person"}, kinds  # the English model's guesses at French names are not made
    assert ("place", "Berlin") in kinds or ("place", "France") in kinds  # the reference names are still found
    assert any(w.startswith("analysis limited: the page is in 'fr'") for w in article.warnings), article.warnings


def test_an_english_page_and_one_of_unknown_language_get_the_ner():
    from extractors.analysis import read_page

    english = FRENCH_NAMES.replace("Le président", "President").replace(" a rencontré ", " met ").replace(" à ", " in ")
    for lang in ("en-GB", ""):
        article, entities, _ = read_page(_page(english, lang), "text/html", "https://news.example/a")
        assert any(e.kind == "person" for e in entities), (lang, entities)
        assert not any(w.startswith("analysis limited") for w in article.warnings), article.warnings


@pytest.mark.parametrize(("language", "read"), [(None, True), ("en", True), ("en-US", True), ("EN_gb", True),
                                                 ("fr", False), ("de-CH", False), ("zh", False)])
def test_the_ner_reads_english_and_pages_of_unknown_language(language, read):
    from extractors.entities.nlp import ner_reads

    assert ner_reads(language) is read

"""One idea of a sentence: the splitter and the paragraph offsets that entities and agreements share."""

from __future__ import annotations

from extractors.entities.nlp import load_nlp
from extractors.sentences import article_sentences, paragraph_around, paragraph_starts, sentence_around, text_spans
from schemas.article import Article

PARAGRAPHS = ["Dow Chemical Co. of the U.S. signed a deal on Nov. 17 with Sinopec. Terms were not disclosed.",
              "Western's president said the merger closes in March."]


def test_paragraph_offsets_point_into_the_body():
    a = Article(url="http://example.org/a", paragraphs=PARAGRAPHS)
    starts = paragraph_starts(a.paragraphs)
    assert [a.body[s : s + len(p)] for s, p in zip(starts, a.paragraphs, strict=True)] == PARAGRAPHS
    at = a.body.index("president")
    assert paragraph_around(a.body, at) == (starts[1], len(a.body))
    assert paragraph_around(a.body, 3, 10) == (0, len(PARAGRAPHS[0]))


def test_sentences_respect_abbreviations_and_paragraphs():
    body = "\n\n".join(PARAGRAPHS)
    assert [body[s:e] for s, e in text_spans(body)] == [
        "Dow Chemical Co. of the U.S. signed a deal on Nov. 17 with Sinopec.", "Terms were not disclosed.", PARAGRAPHS[1]]
    at = body.index("Terms")
    assert body[slice(*sentence_around(body, at, at + 5))] == "Terms were not disclosed."
    at = body.index("Western")
    assert body[slice(*sentence_around(body, at, at + 7))] == PARAGRAPHS[1]


def test_month_abbreviations_of_the_month_table_do_not_end_a_sentence():
    text = "It was signed on Sept. 5 and renewed on Jan. 3. Talks resume in May. Both sides agreed."
    assert [text[s:e] for s, e in text_spans(text)] == [
        "It was signed on Sept. 5 and renewed on Jan. 3.", "Talks resume in May.", "Both sides agreed."]


def test_agreements_read_the_same_sentences_with_their_place_in_the_body():
    a = Article(url="http://example.org/a", title="Deal signed", paragraphs=PARAGRAPHS, captions=["A signing. In Beijing."])
    got = [(s.block, s.index, s.text, a.body[s.start : s.end] if s.block == "body" else None) for s in article_sentences(a)]
    assert got == [("title", 0, "Deal signed", None),
                   ("body", 0, "Dow Chemical Co. of the U.S. signed a deal on Nov. 17 with Sinopec.",
                    "Dow Chemical Co. of the U.S. signed a deal on Nov. 17 with Sinopec."),
                   ("body", 0, "Terms were not disclosed.", "Terms were not disclosed."),
                   ("body", 0, PARAGRAPHS[1], PARAGRAPHS[1]),
                   ("caption", 0, "A signing.", None), ("caption", 0, "In Beijing.", None)]


def test_the_tagger_reads_the_same_sentences():
    body = "\n\n".join(PARAGRAPHS)
    doc = load_nlp()(body)
    assert [(s.start_char, s.end_char) for s in doc.sents] == [
        (0, 67), (68, len(PARAGRAPHS[0]) + 2), (len(PARAGRAPHS[0]) + 2, len(body))]

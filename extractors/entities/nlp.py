"""The spaCy pipeline, loaded once per process with only the pipes extraction needs.

The small English model's NER has its own token-to-vector layer, so the tagger,
parser and lemmatizer (most of the model's cost) are left out. Sentences are newsflow's own
(`extractors.sentences`, the splitter agreements read by too): a first pipe marks their starts,
so mention sentences, phrases and title searches never run across a paragraph break, and the
model's statistical sentence segmenter is not loaded. The NER reads only the sentences that may hold a
name the model finds (`tag`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any, cast

import spacy
from spacy.attrs import ENT_IOB
from spacy.language import Language
from spacy.pipeline import AttributeRuler, EntityRecognizer
from spacy.tokens import Doc, Span
from thinc.types import Ints2d

from extractors.entities.ruler import add_reference_rulers
from extractors.sentences import text_spans
from extractors.version import MODEL, MODEL_LANGUAGE

_NOT_START = (1 << 64) - 1  # SENT_START -1 ("not a sentence start") as the unsigned values of `Doc.to_array`


@Language.component("newsflow_sentences")
def _sentences(doc: Doc) -> Doc:
    """Sentence starts where `extractors.sentences` puts them (a paragraph break starts one too). Set in one
    array: setting `Token.is_sent_start` token by token checks the whole doc for a parse each time (the
    square of the doc's length)."""
    starts = {s for s, _ in text_spans(doc.text)}
    marks = doc.to_array("SENT_START")
    marks[:] = [1 if i == 0 or idx in starts else _NOT_START for i, idx in enumerate(doc.to_array("IDX").tolist())]
    doc.from_array(["SENT_START"], cast(Ints2d, marks.reshape(-1, 1)))
    return doc


@cache
def load_nlp() -> Language:
    """The tagging pipeline: newsflow's sentences, the reference-name rulers, the model's NER."""
    nlp = spacy.load(MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    nlp.add_pipe("newsflow_sentences", first=True)
    add_reference_rulers(nlp)
    return nlp


def ner_reads(language: str | None) -> bool:
    """Whether the model's NER reads a page in `language` (a BCP 47 tag as declared, or detected: "en-GB", "fr"):
    it was trained on English (`MODEL_LANGUAGE`). A page whose language is unknown is read: most are English."""
    return language is None or language.replace("_", "-").split("-")[0].strip().lower() in ("", MODEL_LANGUAGE)


def _latin_capital(word: str) -> bool:
    return word[:1].isupper() and unicodedata.name(word[0], "").startswith("LATIN")


def may_hold_name(sentence: Span) -> bool:
    """Whether the model's NER reads this sentence: it has a capitalised word in Latin letters after its first
    word. A sentence without one names nothing the English model finds but its first word, which the
    reference rulers still read; a caseless script (Chinese, Arabic) or another alphabet never has one."""
    words = [t.text for t in sentence if t.is_alpha]
    return any(_latin_capital(w) for w in words[1:])


def _stretches(doc: Doc) -> list[Span]:
    """The runs of consecutive sentences of `doc` that `may_hold_name`, each one span, so the model reads each
    sentence with the context it has in the whole doc except beside a sentence left out."""
    out: list[Span] = []
    start = end = None
    for s in doc.sents:
        if may_hold_name(s):
            start, end = (s.start if start is None else start), s.end
        elif start is not None:
            out.append(doc[start:end])
            start = None
    if start is not None:
        out.append(doc[start:end])
    return out


class _Pieces:
    """Stretches of one doc as docs of their own, as `Span.as_doc` makes them (the same words, token
    attributes, sentence starts and preset entities) but without its costs the NER does not read: the
    whole doc's array once per doc, not once per stretch, and no span vector (the mean of the token
    vectors) or tensor. On the web farm's 120 pages: 1.2 ms of CPU per article against 4.0 for `Span.as_doc`,
    same run; the NER stage of `bench/analysis_cost.py --pages` fell from 58.3 to 53.3 ms (floor 71.0, 70.0)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.words = [t.text for t in doc]
        self.spaces = [bool(t.whitespace_) for t in doc]
        self.head: list[int | str] = list(Doc._get_array_attrs())
        self.array = doc.to_array(self.head)

    def piece(self, span: Span) -> Doc:
        """`span` as a doc; an entity cut by its ends becomes missing annotation, as in `Span.as_doc`."""
        doc = Doc(self.doc.vocab, words=self.words[span.start:span.end], spaces=self.spaces[span.start:span.end])
        array = self.array[span.start:span.end].copy()
        iob = self.head.index(ENT_IOB)
        if len(array) and array[0][iob] == 1:  # "inside" at the start begins the entity here
            array[0][iob] = 3
        doc.from_array(self.head, cast(Ints2d, array))
        whole = {(e.start, e.end) for e in span.ents}
        if ents := doc.ents:
            for cut in (ents[0], ents[-1]):
                if (cut.start + span.start, cut.end + span.start) not in whole:
                    doc.set_ents([], missing=[cut], default="unmodified")
        return doc


def tag(texts: Iterable[str], ner_on: Iterable[bool] | None = None) -> list[Doc]:
    """`load_nlp()` over `texts` (one Doc each), its NER run only on the sentences that `may_hold_name`, and
    not at all on a text whose `ner_on` flag (one per text, default all True) is False: the reference rulers still read it.

    On the web farm's 120 pages this NER stage took 56.4 ms of CPU per article against 71.7 for the model
    over every text whole, in one run (`python bench/analysis_cost.py --pages`); `bench/ie.py` scores the
    same on its tuning and its locked part. Sentences are read in runs (`_stretches`): read one by one,
    they lost the context across sentence ends and the locked organizations fell (F1 0.791 -> 0.783).
    """
    nlp = load_nlp()
    with nlp.select_pipes(disable=["ner"]):
        docs = list(nlp.pipe(texts, batch_size=64))
    stretches: list[tuple[Span, _Pieces]] = []
    for doc, read in zip(docs, ner_on if ner_on is not None else [True] * len(docs), strict=True):
        if read and (spans := _stretches(doc)):
            pieces = _Pieces(doc)
            stretches += [(s, pieces) for s in spans]
    found: dict[int, list[Span]] = {}
    ner = cast(EntityRecognizer, nlp.get_pipe("ner"))
    for (s, _), tagged in zip(stretches, ner.pipe((p.piece(s) for s, p in stretches), batch_size=64), strict=True):
        preset = {(e.start, e.end) for e in s.ents}
        found.setdefault(id(s.doc), []).extend(Span(s.doc, s.start + e.start, s.start + e.end, label=e.label)
                                               for e in tagged.ents if (s.start + e.start, s.start + e.end) not in preset)
    for doc in docs:
        if new := found.get(id(doc)):
            doc.ents = [*doc.ents, *new]
    return docs


@cache
def load_parser() -> Language:
    """The dependency parser, with the tagger and lemmatizer it reads with, for the few sentences that
    state an agreement (run on those alone, so the cost of every other sentence stays that of
    `load_nlp()`); shares that pipeline's vocabulary. The attribute ruler and lemmatizer are left off the
    batch: `parse_sentences` sets parts of speech from the tags and lemmatizes in one cheap pass."""
    nlp = spacy.load(MODEL, exclude=["ner", "senter"], vocab=load_nlp().vocab)
    nlp.disable_pipe("attribute_ruler")
    nlp.disable_pipe("lemmatizer")
    return nlp


@cache
def _tag_pos() -> dict[str, str]:
    """Fine-grained tag -> part of speech, from the model's own attribute ruler (its one-tag rules)."""
    out: dict[str, str] = {}
    rules: list[dict[str, Any]] = cast(AttributeRuler, load_parser().get_pipe("attribute_ruler")).patterns
    for rule in rules:
        (pattern,) = rule["patterns"][:1]
        if len(rule["patterns"]) == 1 and len(pattern) == 1 and set(pattern[0]) == {"TAG"} and "POS" in rule["attrs"]:
            out[pattern[0]["TAG"]] = rule["attrs"]["POS"]
    return out


_AUXILIARIES = {"be", "is", "am", "are", "was", "were", "been", "being", "'s", "'re", "'m", "has", "have", "had",
                "do", "does", "did"}


def parse_sentences(texts: list[str]) -> list[Doc]:
    """Tagged, parsed and lemmatized sentences, in one batch; auxiliaries ("was", "has", modals) are AUX."""
    nlp = load_parser()
    tag_pos, lemmatizer = _tag_pos(), nlp.get_pipe("lemmatizer")
    docs = []
    for doc in nlp.pipe(texts):
        for t in doc:
            pos = tag_pos.get(t.tag_, "X")
            t.pos_ = "AUX" if pos == "VERB" and (t.dep_ in ("aux", "auxpass") or t.lower_ in _AUXILIARIES) else pos
        docs.append(lemmatizer(doc))
    return docs

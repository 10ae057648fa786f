"""Closed word lists that decide what a capitalised phrase names: an organization (by its
head noun), an event, a title, a geographic feature. Words, not names: they generalize.
The words are data, `schemas/reference/entity_words.tsv` (which says what each list is for),
and `title_heads.tsv` for the nouns that head a person's title."""

from __future__ import annotations

from schemas import reference

_ROWS = reference.rows("entity_words.tsv", 2)


def _words(name: str) -> frozenset[str]:
    return frozenset(word for kind, word in _ROWS if kind == name)


INSTITUTION_HEADS = _words("institution_head")
INDUSTRY_HEADS = _words("industry_head")
ORG_HEADS = INSTITUTION_HEADS | INDUSTRY_HEADS
EVENT_HEADS = _words("event_head")
NON_ORG_HEADS = _words("non_org_head")
GEO_HEADS = _words("geo_head")
PLACE_HEADS = _words("place_head")
PLACE_TYPES = _words("place_type")
GENERIC_ORG_WORDS = INSTITUTION_HEADS | PLACE_TYPES | _words("generic_org_word")
COMPANY_POINTERS = _words("company_pointer")  # "the company", "the bank": a company named before
# Nouns that head a person's title: occupations and offices from WordNet ("director", "economist",
# "analyst", "minister"), an open lexicon, not the titles seen in news (schemas/reference/title_heads.tsv).
TITLE_WORDS = frozenset(reference.title_heads())
STATE_OFFICES = frozenset(w for w, kind in reference.title_heads().items() if kind == "state")
TITLE_MODIFIERS = _words("title_modifier")
HONORIFICS = _words("honorific")
ORDINALS = _words("ordinal")

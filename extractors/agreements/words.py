"""The closed word lists the agreement reader decides by, from `schemas/reference/agreement_words.tsv`
(which says what each list is for). Code keeps the logic; the words are data."""

from __future__ import annotations

from schemas.reference import rows

_ROWS = rows("agreement_words.tsv", 3)


def _words(name: str) -> list[str]:
    return [word for kind, word, _ in _ROWS if kind == name]


COLLECTIVE_NOUNS = _words("collective_noun")
PARTY_FOLLOWERS = frozenset(_words("party_follower"))
REPORTING_LEMMAS = frozenset(_words("reporting_verb"))
REPORTING_FORMS = [form for kind, _, forms in _ROWS if kind == "reporting_verb" for form in forms.split("|")]
# Their past forms ("said", "announced", "pointed out"): neither the lemma nor its -s form, which are nouns
# as often ("member states", "the show").
REPORTED_FORMS = [form for kind, lemma, forms in _ROWS if kind == "reporting_verb" for form in forms.split("|")
                  if form not in (lemma, lemma + "s")]
VALUE_NOUNS = frozenset(_words("value_noun"))
VALUE_VERBS = frozenset(_words("value_verb"))
COMMITMENT_VERBS = frozenset(_words("commitment_verb"))

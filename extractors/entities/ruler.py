"""EntityRuler patterns from the reference data, placed before the statistical tagger.

Known names are matched whole, hyphens and all, so the tagger sees them as fixed
entities and cannot split "State-owned Assets Supervision and Administration
Commission" at its hyphen. Multi-word names match case-insensitively (reports write
"State-Owned" and "State-owned"); single words match exactly ("Sinopec", not "china"). A news
agency's acronym ("SPA", "APP", "ANI") is no name in running text, where it spells other things
as often (a spa, an app, a company's "SpA"): the dateline, byline and credit readers know it
(`extractors.agencies`), and in a sentence the tagger decides.
"""

from __future__ import annotations

from typing import Any, cast

from spacy.language import Language
from spacy.pipeline import EntityRuler

from schemas import reference

PLACE_LABELS = {"country": "GPE", "province": "GPE", "autonomous_region": "GPE", "municipality": "GPE",
                "sar": "GPE", "region": "LOC"}


def _label(entry: reference.RefEntry) -> str:
    return PLACE_LABELS.get(entry.type, "GPE") if entry.kind == "place" else "ORG"


def _acronym(name: str) -> bool:
    """Letters only, at most four, all of one case: "SPA", "dpa"."""
    return name.isalpha() and len(name) <= 4 and (name.isupper() or name.islower())


def add_reference_rulers(nlp: Language, before: str = "ner") -> None:
    """Two rulers: one for multi-word names (lower-case match), one for single words (exact)."""
    multi: list[dict[str, Any]] = []
    single: list[dict[str, Any]] = []
    for entry in reference.entries():
        for name in entry.names:
            if entry.type == "media" and name != entry.name and _acronym(name):
                continue
            pattern = {"label": _label(entry), "pattern": name, "id": entry.id}
            (multi if len(nlp.make_doc(name)) > 1 else single).append(pattern)
    lower = cast(EntityRuler, nlp.add_pipe("entity_ruler", name="reference_names", before=before,
                                           config={"phrase_matcher_attr": "LOWER"}))
    lower.add_patterns(multi)
    exact = cast(EntityRuler, nlp.add_pipe("entity_ruler", name="reference_words", before=before))
    exact.add_patterns(single)

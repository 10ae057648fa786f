"""The article's entities found again in any sentence, by every form the article uses for them.

One matcher per article, built once: the forms are split into word and punctuation tokens
and indexed by their first token, so finding names in a sentence costs one pass over its
tokens, whatever the number of forms (a regular expression per form per sentence made long
pages cost the square of their length). A form matches where its tokens stand in the text
with the same spacing (no space inside "Corp." or "&plc", any whitespace between words),
never inside a longer word or hyphenated word; longer forms win over shorter ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extractors.agencies import agency_name
from schemas.entities import Entity
from schemas.names import name_key

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SHOUT_MIN = 4  # shorter forms are not matched case-blind in a shouted headline ("IT", "US")


@dataclass(frozen=True)
class Named:
    """An entity named in a sentence: its index in the article's entity list, and its span."""

    entity_id: int
    entity: Entity
    start: int
    end: int


@dataclass(frozen=True)
class _Form:
    tokens: tuple[str, ...]
    spaced: tuple[bool, ...]  # whether whitespace stands before each token after the first
    entity: int
    rank: int  # longer forms first; among equals, the order they were found in
    length: int


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _form(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    toks = _tokens(text)
    return tuple(t.group() for t in toks), tuple(toks[k].start() > toks[k - 1].end() for k in range(1, len(toks)))


class EntityFinder:
    """Finds the article's entities in any sentence. Credits, collectives and agencies are
    never looked for: they are not parties."""

    def __init__(self, entities: list[Entity]):
        self.entities = entities
        forms: dict[str, int] = {}
        for i, e in enumerate(entities):
            if e.credit or e.kind == "collective" or agency_name(e.name):
                continue
            if e.mentions and all(m.role != "actor" for m in e.mentions):
                continue
            for form in (e.name, *e.alias_texts, *(m.surface for m in e.mentions if m.role == "actor")):
                form = re.sub(r"\s+", " ", form.strip(" <>\"“”"))
                if len(form) >= 2 and not agency_name(form):
                    forms.setdefault(form, i)
        ordered = sorted(forms.items(), key=lambda kv: -len(kv[0]))
        self._exact: dict[str, list[_Form]] = {}
        self._folded: dict[str, list[_Form]] = {}
        for rank, (text, i) in enumerate(ordered):
            toks, spaced = _form(text)
            if not toks:
                continue
            self._exact.setdefault(toks[0], []).append(_Form(toks, spaced, i, rank, len(text)))
            if len(text) >= _SHOUT_MIN:
                low = tuple(t.lower() for t in toks)
                self._folded.setdefault(low[0], []).append(_Form(low, spaced, i, rank, len(text)))

    def title_organization(self, key: tuple[Any, ...]) -> tuple[int, Entity] | None:
        """The entity (index, entity) a person's first title is held in, if the article names it."""
        if key[0] != "entity":
            return None
        person = self.entities[key[1]]
        for title in person.titles:
            org = name_key(title.organization or "")
            for i, e in enumerate(self.entities):
                if org and e.kind != "person" and org in {name_key(n) for n in (e.name, *e.alias_texts)}:
                    return i, e
        return None

    def find(self, text: str) -> list[Named]:
        """The entities named in `text`, in order, without overlaps (the longest form wins)."""
        shouting = text.isupper()
        toks = _tokens(text)
        words = [t.group() for t in toks]
        folded = [w.lower() for w in words] if shouting else words
        hits = []
        for k, word in enumerate(words):
            if word not in self._exact and not (shouting and folded[k] in self._folded):
                continue  # no form starts with this word (most words of a sentence)
            candidates = [(f, words) for f in self._exact.get(word, ()) if not shouting or f.length < _SHOUT_MIN]
            if shouting:
                candidates += [(f, folded) for f in self._folded.get(folded[k], ())]
            for form, seq in candidates:
                end = k + len(form.tokens)
                if end > len(seq) or tuple(seq[k:end]) != form.tokens:
                    continue
                if any((toks[j].start() > toks[j - 1].end()) != form.spaced[j - k - 1] for j in range(k + 1, end)):
                    continue
                start, stop = toks[k].start(), toks[end - 1].end()
                if start and text[start - 1] == "-" or stop < len(text) and re.match(r"[\w-]", text[stop]):
                    continue
                hits.append((form.rank, start, stop, form.entity))
        taken = [False] * len(text)
        found = []
        for _, start, stop, i in sorted(hits):
            if any(taken[start:stop]):
                continue
            taken[start:stop] = [True] * (stop - start)
            found.append(Named(i, self.entities[i], start, stop))
        return sorted(found, key=lambda n: n.start)

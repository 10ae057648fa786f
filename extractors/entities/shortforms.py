"""Later mentions of a company by the first words of its name, which the tagger alone misses.

Reports name a company in full once ("Sichuan Tequ Education Investment Management Co., Ltd.",
"China Eastern Airlines") and then by its first words ("Sichuan Tequ Education", "China Eastern"),
a place that starts the name sometimes left out ("Dekon Agriculture and Animal Husbandry" of
"Sichuan Dekon Agriculture and Animal Husbandry Food Group Co., Ltd."). Such a form found
elsewhere in the article, standing alone (no capitalised word right before or after it), is a
mention of that company; a known place inside it ("China" in "China Eastern") is no mention of
the place.
"""

from __future__ import annotations

import re

from extractors.entities.mentions import Cand
from extractors.entities.resolve import company_name, is_place_word
from extractors.entities.spans import Spans
from extractors.entities.vocab import GENERIC_ORG_WORDS, TITLE_WORDS
from extractors.sentences import sentence_around
from schemas.names import name_key

_CONNECTORS = {"and", "of", "&", "the", "for", "-"}
_CAPITAL_BEFORE = re.compile(r"(?<!\bThe)(?<!\bthe)\b[A-Z][\w'’-]*\s+$")
_CAPITAL_AFTER = re.compile(r"\s+[A-Z]")


def _forms(company: Cand) -> set[str]:
    words = company.text.split()
    lead = 0
    while lead < len(words) - 1 and is_place_word(words[lead]):
        lead += 1
    out = set()
    for start in {0, lead}:
        for end in range(start + 1, len(words)):
            short = words[start:end]
            if short[-1].lower() in _CONNECTORS or not short[-1][:1].isalnum():
                continue
            if all(w.lower() in GENERIC_ORG_WORDS or is_place_word(w) for w in short):
                continue
            if len(short) == 1 and short[0].lower() in TITLE_WORDS:
                continue
            out.add(" ".join(short))
    return out


def company_short_forms(texts: list[str], per_unit: list[list[Cand]]) -> list[Cand]:
    """New mentions of the units' companies by their short forms; appended to `per_unit` too. A known
    place that a form covers is marked dropped. `texts` are the units' clean texts."""
    companies = [c for found in per_unit for c in found
                 if c.kind == "organization" and c.role == "actor" and len(c.text.split()) > 1 and company_name(c)]
    owners: dict[str, set[str]] = {}
    first: dict[str, Cand] = {}
    for c in companies:
        for form in _forms(c):
            owners.setdefault(form, set()).add(name_key(c.ref.name if c.ref else c.text))
            first.setdefault(form, c)
    forms = sorted((f for f in owners if len(owners[f]) == 1), key=len, reverse=True)
    if not forms:
        return []
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w-])")
    out = []
    for i, text in enumerate(texts):
        found = per_unit[i]
        # the mentions a form overlaps: forms never overlap, so what one adds or drops is no other's
        known = Spans(found)
        for m in pattern.finditer(text):
            if _CAPITAL_AFTER.match(text, m.end()) or _CAPITAL_BEFORE.search(text[max(0, m.start() - 40):m.start()]):
                continue
            inside = known.overlapping(m.start(), m.end())
            if any(not (c.kind == "place" and c.ref is not None and m.start() <= c.start and c.end <= m.end()) for c in inside):
                continue
            for c in inside:
                c.dropped = True
                found.remove(c)
            company = first[m.group()]
            new = Cand("organization", m.group(), i, m.start(), m.end(), company.ref, how="short_form",
                       sent=sentence_around(text, m.start(), m.end()), same_as=company)
            found.append(new)
            out.append(new)
    return out

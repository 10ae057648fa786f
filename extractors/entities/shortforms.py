"""Later mentions of a company by the first words of its name, which the tagger alone misses.

Reports name a company in full once ("Hebei Velora Textile Investment Management Co., Ltd.",
"Ostria Eastern Airlines") and then by its first words ("Hebei Velora Textile", "Ostria Eastern"),
a place that starts the name sometimes left out ("Velora Textile Investment" of "Hebei Velora
Textile Investment Management Co., Ltd."). Such a form found elsewhere in the article, standing
alone (no capitalised word right before or after it), is a mention of that company; a known place
inside it ("China" in "China Eastern") is no mention of the place, and a one-word form the tagger
took for a place the reference data does not know is the company ("It said Kelvex will pay" of
"Kelvex Oil Co Ltd"). A form of one word must be a name, not an ordinary word that starts one
("Western" of "Western Digital Corp", "New" of "New York Times Co"): it is never written in lower
case in the article, and it counts only inside a sentence, where its capital says it is a name,
never as the first word ("Western governments have ...").
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


def _yields(c: Cand, start: int, end: int) -> bool:
    """Whether a mention gives way to a company's short form over text[start:end]: a known place inside it
    ("China" in "China Eastern"), or the tagger's guess of a place the reference data does not know, over
    exactly its words ("It said Nippon will contribute" of "Nippon Oil Co Ltd")."""
    if c.kind != "place":
        return False
    if c.ref is not None:
        return start <= c.start and c.end <= end
    return (c.start, c.end) == (start, end)


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
    lower = set(re.findall(r"\b[a-z][\w'’-]*\b", " ".join(texts)))
    forms = [f for f in forms if " " in f or f.lower() not in lower]
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
            sent = sentence_around(text, m.start(), m.end())
            if " " not in m.group() and not text[sent[0]:m.start()].strip(" \"'“‘(["):
                continue  # a sentence's first word is capitalised whatever it is
            inside = known.overlapping(m.start(), m.end())
            if any(not _yields(c, m.start(), m.end()) for c in inside):
                continue
            for c in inside:
                c.dropped = True
                found.remove(c)
            company = first[m.group()]
            new = Cand("organization", m.group(), i, m.start(), m.end(), company.ref, how="short_form",
                       sent=sent, same_as=company)
            found.append(new)
            out.append(new)
    return out

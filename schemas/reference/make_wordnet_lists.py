"""Writes two word lists from WordNet 3.0, a general lexicon of English, not from names or titles seen
in news: title_heads.tsv, the nouns that head a person's title ("director", "economist", "analyst"),
and company_nouns.tsv, the nouns that describe a company before its name ("carmaker Toyota",
"energy firm PDVSA", "chip maker Acme"): organization senses only, never a person's ("arms dealer X").

Run: `python schemas/reference/make_wordnet_lists.py [WORDNET_DICT_DIR]` (default /usr/share/wordnet,
Debian's `wordnet-base` package). Only this script reads WordNet; newsflow reads the TSVs.

A head is a lemma of any noun synset under the roots below (occupations, posts, offices and
the people who hold them), by regular hyponymy (not instances: no proper names), less the
nouns whose first sense is a trader, a supplier or an organization. A head is
marked `state` when one of its senses is a state office (head of state, government minister,
legislator, diplomat) and none is a company executive's ("minister", not "president"): such a
title, given without an organization, may be held in the country of the dateline.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOTS = [  # (lemma, sense number in WordNet 3.0)
    ("leader", 1), ("worker", 1), ("expert", 1), ("scientist", 1), ("professional", 1), ("negotiator", 1),
    ("spokesperson", 1), ("planner", 1), ("businessperson", 1), ("member", 1), ("journalist", 1), ("reporter", 1),
    ("photographer", 1), ("money_handler", 1), ("organizer", 1), ("ruler", 1), ("partner", 3),
]
# A noun whose first (most frequent) sense is a trader or supplier of goods ("retailer", "distributor")
# or an organization describes companies in news, not a post.
COMPANY_LIKE = [("merchant", 1), ("supplier", 1), ("organization", 1)]
STATE = [("head_of_state", 1), ("minister", 2), ("lawgiver", 1), ("diplomat", 1)]
COMPANY = [("corporate_executive", 1)]
# Company nouns: lemmas of the organization synsets (WordNet's noun.group) under these. Not the senses that
# are persons (noun.person: "trader", "trafficker", "headhunter", "retailer"), which describe people as often
# as firms ("arms dealer X", "trader John Smith").
COMPANY_ROOTS = [("company", 1), ("business", 1), ("manufacturer", 1), ("financial_institution", 1)]
GROUP_LEXFILE = "14"  # lexicographer file noun.group (WordNet's lexnames)
OUT = Path(__file__).with_name("title_heads.tsv")
COMPANY_OUT = Path(__file__).with_name("company_nouns.tsv")


def _read(folder: Path) -> tuple[dict[str, tuple[list[str], list[str]]], dict[str, list[str]], set[str]]:
    """(offset -> (lemmas, hyponym offsets), lemma -> offsets of its senses, offsets of noun.group synsets)."""
    synsets: dict[str, tuple[list[str], list[str]]] = {}
    groups: set[str] = set()
    for line in (folder / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        f = line.split(" | ")[0].split()
        n = int(f[3], 16)
        lemmas = [f[4 + 2 * i] for i in range(n)]
        k = 4 + 2 * n
        pointers = [f[k + 1 + 4 * i: k + 5 + 4 * i] for i in range(int(f[k]))]
        synsets[f[0]] = (lemmas, [p[1] for p in pointers if p[0] == "~" and p[2] == "n"])
        if f[1] == GROUP_LEXFILE:
            groups.add(f[0])
    index: dict[str, list[str]] = {}
    for line in (folder / "index.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        f = line.split()
        index[f[0]] = f[6 + int(f[3]):]
    return synsets, index, groups


Synsets = dict[str, tuple[list[str], list[str]]]


def _closure(synsets: Synsets, index: dict[str, list[str]], roots: list[tuple[str, int]]) -> set[str]:
    todo = [index[lemma][sense - 1] for lemma, sense in roots]
    seen: set[str] = set()
    while todo:
        off = todo.pop()
        if off not in seen:
            seen.add(off)
            todo += synsets[off][1]
    return seen


def _words(synsets: Synsets, offsets: set[str]) -> set[str]:
    """Lower-case lemmas and short acronyms ("ceo"); several-word lemmas hyphenated ("vice-president");
    proper nouns left out."""
    out = set()
    for off in offsets:
        for lemma in synsets[off][0]:
            word = lemma.split("(")[0]
            word = word.lower() if word.isupper() and len(word) <= 4 else word
            if word.islower() and word.replace("_", "").replace("-", "").isalpha():
                out.add(word.replace("_", "-"))
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "/usr/share/wordnet")
    synsets, index, groups = _read(folder)
    company_like = _closure(synsets, index, COMPANY_LIKE)
    heads = {w for w in _words(synsets, _closure(synsets, index, ROOTS))
             if index.get(w.replace("-", "_"), [""])[0] not in company_like}
    state = _words(synsets, _closure(synsets, index, STATE))
    company = _words(synsets, _closure(synsets, index, COMPANY))
    lines = ["# head\tkind (post | state): nouns that head a person's title, from WordNet 3.0 by "
             "schemas/reference/make_wordnet_lists.py; do not edit by hand"]
    lines += [f"{w}\t{'state' if w in state - company else 'post'}" for w in sorted(heads)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(heads)} heads ({len(heads & state)} state offices) -> {OUT}")
    nouns = _words(synsets, _closure(synsets, index, COMPANY_ROOTS) & groups)
    COMPANY_OUT.write_text("# noun: nouns that describe a company before its name, from WordNet 3.0 by "
                           "schemas/reference/make_wordnet_lists.py; do not edit by hand\n"
                           + "\n".join(sorted(w for w in nouns if len(w) > 2)) + "\n", encoding="utf-8")
    print(f"{len(nouns)} company nouns -> {COMPANY_OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Legal-form designators that end a company's name: "Co., Ltd.", "(Group) Co.", "N.V.", "SpA", "& plc".

The forms come from a public general list, cleanco's table of entity legal forms by type and
by country (`cleanco.termdata`: "ltd", "s.p.a.", "n.v.", "s.a. de c.v.", ...), not from
names seen in news. A form matches with or without its dots and in any case ("SpA",
"S.p.A.", "SPA"), with two guards against ordinary words: a form that is an English stop
word ("as", "at") counts only in capitals or with dots ("AS", "A.S."), and a form written
all in lower case counts only when it is 3-4 letters long ("plc", "ltd", not "company").

    legal_form(text) -> bool                 the whole text is one legal form
    tail_end(text, end) -> int               where a name ending at character `end` really ends
    with_tail(doc, end, text) -> int         the same in tokens of a spaCy doc whose text is `text`
"""

from __future__ import annotations

import re
from functools import cache

from cleanco.termdata import terms_by_country, terms_by_type
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from extractors.lookback import search_before

# Words that a parenthesis may hold between a name and its legal form: "Shanghai Electric (Group) Co., Ltd."
_BRACKETED_HEADS = r"group|holdings?"


def _pattern(term: str) -> str:
    out = []
    for ch in term.strip():
        out.append(r"\.?" if ch == "." else r"\s*" if ch == " " else re.escape(ch))
    return "".join(out)


@cache
def _terms() -> frozenset[str]:
    return frozenset(t.strip() for lists in (terms_by_type, terms_by_country) for terms in lists.values()
                     for t in terms if t.strip() and "\\x" not in t)


@cache
def _regex() -> re.Pattern[str]:
    alternatives = sorted({_pattern(t) for t in _terms()}, key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _plain(text: str) -> str:
    return re.sub(r"[.\s]", "", text)


def _case_ok(text: str) -> bool:
    """A match written like a legal form, not an ordinary word ("AS" yes, "as" no; "plc" yes, "company" no)."""
    plain = _plain(text)
    if "." in text or not plain.isalpha():
        return True
    if plain.lower() in STOP_WORDS:
        return plain.isupper()
    return not plain.islower() or 3 <= len(plain) <= 4


@cache
def legal_form(text: str) -> bool:
    """`text` is one legal form as a company name ends with it: "Ltd.", "S.A.", "SpA", "plc"."""
    m = _regex().fullmatch(text.strip())
    return m is not None and _case_ok(m.group())


_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)?\s*")
_LAST_WORD = re.compile(r"\S+$")
_BRACKETED = re.compile(r"\s*\(\s*(?P<inner>[^()]{1,12}?)\s*\)")


def tail_end(text: str, end: int) -> int:
    """The end of the legal-form tail after a name that ends at character `end` of `text`.

    "Sichuan X Investment Co., Ltd." -> after "Ltd."; "Carnival Corp &plc" -> after "plc";
    "Temasek Holdings (Pte) Ltd" -> after "Ltd"; "Shanghai Electric (Group) Co." -> after "Co.".
    A separator ("," "&" "and") or a bracketed "(Group)" is taken only when a legal form
    follows it. Returns `end` when no tail follows."""
    last = search_before(_LAST_WORD, text, end, 1)
    if last is not None and legal_form(last.group()):  # a form of several words: "S.A." + " de C.V."
        m = _regex().match(text, last.start())
        end = max(end, m.end()) if m is not None and _case_ok(m.group()) else end
    while True:
        b = _BRACKETED.match(text, end)
        if b and (legal_form(b["inner"]) or re.fullmatch(_BRACKETED_HEADS, b["inner"], re.I)):
            after = _form_after(text, b.end())
            if after is not None or legal_form(b["inner"]):
                end = after if after is not None else b.end()
                continue
        nxt = _form_after(text, end)
        if nxt is None:
            return end
        end = nxt


def _form_after(text: str, pos: int) -> int | None:
    """The end of a legal form after a separator or a space at `pos`, or None."""
    sep = _SEPARATOR.match(text, pos)
    if sep is None or sep.end() == pos:
        return None
    m = _regex().match(text, sep.end())
    if m is None or not _case_ok(m.group()) or sep.group().strip() == "and" and not m.group()[:1].isupper():
        return None
    return m.end()


def with_tail(doc: Doc, end: int, text: str) -> int:
    """The token end of a name ending at token `end` of `doc`, with its legal-form tail: "... Co." + ", Ltd.".
    `text` is `doc.text`, read once by the caller (spaCy rebuilds it from every token on each call)."""
    last = doc[end - 1]
    char = tail_end(text, last.idx + len(last.text))
    while end < len(doc) and doc[end].idx < char:
        end += 1
    return end


@cache
def plain_forms() -> frozenset[str]:
    """The single-word forms without dots, lower case ("ltd", "spa", "nv"): the words that end a company's name."""
    return frozenset(_plain(t).lower() for t in _terms() if " " not in t.strip() and _plain(t).isalpha())

"""Money in a sentence: "14.5 mln dlrs", "$25bn", "128.3 billion yuan", "50 mln stg".

Wire copy writes amounts in its own shorthand (Reuters: "mln dlrs", "stg"; Xinhua:
"billion yuan (about 44.38 billion U.S. dollars)"). Values are expanded and currencies
mapped to ISO 4217 (the table is data: `schemas/reference/currencies.tsv`); where a sentence
converts, the first-stated currency is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from schemas.agreements import Amount
from schemas.reference import alternation, rows

# The currency table (schemas/reference/currencies.tsv): scale words, prefixes, suffixes in the order they are tried.
_ROWS = rows("currencies.tsv", 4)
_SCALE = {form: int(power) for kind, form, power, _ in _ROWS if kind == "scale"}  # powers of ten
_PREFIX = {form: code for kind, form, code, _ in _ROWS if kind == "prefix"}  # symbols and codes before the number
_SCALED_ONLY = frozenset(form for kind, form, _, only in _ROWS if kind == "prefix" and only == "scaled")
_SUFFIX = [(form, code) for kind, form, code, _ in _ROWS if kind == "suffix"]  # currency words after the number
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_RE = f"(?:{alternation(_SCALE)})"
_PREFIX_RE = alternation(_PREFIX)
_SUFFIX_RE = "|".join(f"(?:{p})" for p, _ in _SUFFIX)
_MONEY = re.compile(
    rf"(?:(?<![A-Za-z])(?P<pre>{_PREFIX_RE})\s?(?P<n1>{_NUMBER})(?:\s?(?P<s1>{_SCALE_RE})\b)?"
    rf"|\b(?P<n2>{_NUMBER})\s?(?:(?P<s2>{_SCALE_RE})\s+)?(?P<suf>{_SUFFIX_RE})\b)",
    re.I,
)


@dataclass(frozen=True)
class Money:
    amount: Amount
    start: int
    end: int


def _currency(prefix: str | None, suffix: str | None) -> str:
    if prefix:
        return _PREFIX[prefix.lower()]
    for pattern, code in _SUFFIX:
        if suffix and re.fullmatch(pattern, suffix, re.I):
            return code
    return "USD"


def find_money(text: str) -> list[Money]:
    """Every amount of money in `text`, in order."""
    out = []
    for m in _MONEY.finditer(text):
        number = m["n1"] or m["n2"]
        scale = m["s1"] or m["s2"]
        if m["pre"] and m["pre"].lower() in _SCALED_ONLY and not scale:
            continue  # "yuan 5" is not how amounts are written; avoid stray matches
        value = float(Decimal(number.replace(",", "")).scaleb(_SCALE[scale.lower()] if scale else 0))
        out.append(Money(Amount(value=value, currency=_currency(m["pre"], m["suf"])), m.start(), m.end()))
    return out


"""Money in a sentence: "14.5 mln dlrs", "$25bn", "128.3 billion yuan", "50 mln stg".

Wire copy writes amounts in its own shorthand (Reuters: "mln dlrs", "stg"; Xinhua:
"billion yuan (about 44.38 billion U.S. dollars)"). Values are expanded and currencies
mapped to ISO 4217; where a sentence converts, the first-stated currency is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from schemas.agreements import Amount

_SCALE = {
    "thousand": 3, "k": 3, "mln": 6, "million": 6, "millions": 6, "m": 6, "mn": 6,
    "billion": 9, "billions": 9, "bln": 9, "bn": 9, "b": 9, "trillion": 12, "tln": 12, "tn": 12,
}  # powers of ten
# Symbols and codes written before the number.
_PREFIX = {
    "$": "USD", "us$": "USD", "u.s.$": "USD", "usd": "USD", "a$": "AUD", "aus$": "AUD", "c$": "CAD", "can$": "CAD",
    "hk$": "HKD", "nz$": "NZD", "s$": "SGD", "£": "GBP", "gbp": "GBP", "€": "EUR", "eur": "EUR", "¥": "JPY",
    "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "rs": "INR", "rs.": "INR", "inr": "INR", "chf": "CHF", "jpy": "JPY",
}
# Currency words written after the number; qualified dollars before plain ones.
_SUFFIX = [
    (r"(?:u\.?s\.?|american)\s+(?:dollars?|dlrs?)", "USD"), (r"australian\s+(?:dollars?|dlrs?)", "AUD"),
    (r"canadian\s+(?:dollars?|dlrs?)", "CAD"), (r"hong\s+kong\s+(?:dollars?|dlrs?)", "HKD"),
    (r"new\s+zealand\s+(?:dollars?|dlrs?)", "NZD"), (r"singapore\s+(?:dollars?|dlrs?)", "SGD"),
    (r"taiwan\s+(?:dollars?|dlrs?)", "TWD"), (r"dollars?|dlrs?", "USD"),
    (r"yuan|renminbi|rmb", "CNY"), (r"stg|sterling|pounds?(?:\s+sterling)?", "GBP"), (r"euros?", "EUR"),
    (r"yen", "JPY"), (r"swiss\s+francs?", "CHF"), (r"(?:french\s+)?francs?", "FRF"), (r"marks|deutsche\s?marks", "DEM"),
    (r"rupees?", "INR"), (r"won", "KRW"), (r"roubles?|rubles?", "RUB"), (r"ringgit", "MYR"), (r"baht", "THB"),
    (r"dong", "VND"), (r"guilders?", "NLG"), (r"lire|lira", "ITL"), (r"pesos?", "MXN"), (r"rand", "ZAR"),
    (r"reais", "BRL"), (r"rupiah", "IDR"), (r"naira", "NGN"), (r"(?:saudi\s+)?riyals?", "SAR"), (r"dirhams?", "AED"),
    (r"zlotys?", "PLN"), (r"(?:swedish\s+)?kronor", "SEK"), (r"(?:norwegian\s+)?kroner", "NOK"), (r"tenge", "KZT"),
]
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_RE = r"(?:thousand|mln|millions?|billions?|bln|bn|trillion|tln|tn|mn|m|b|k)"
_PREFIX_RE = "|".join(sorted((re.escape(p) for p in _PREFIX), key=len, reverse=True))
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
        if m["pre"] and m["pre"].lower() in {"yuan", "rs", "rs."} and not scale:
            continue  # "yuan 5" is not how amounts are written; avoid stray matches
        value = float(Decimal(number.replace(",", "")).scaleb(_SCALE[scale.lower()] if scale else 0))
        out.append(Money(Amount(value=value, currency=_currency(m["pre"], m["suf"])), m.start(), m.end()))
    return out


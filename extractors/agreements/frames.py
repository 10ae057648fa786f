"""Verb and noun frames: where the sides of an agreement stand around the word that states it, and
their roles (acquirer, target, seller; lender, borrower; signatories). The table is data:
`schemas/reference/agreement_frames.tsv`."""

from __future__ import annotations

from functools import cache

from schemas.reference import rows

ANY_VERB, ANY_NOUN = "*verb", "*noun"


@cache
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for word, slot, role in rows("agreement_frames.tsv", 3):
        table.setdefault(word, {})[slot] = role
    return table


def verb_frame(lemma: str, noun: str | None = None) -> dict[str, str]:
    """Slot -> role for a verb ("sell": subject seller, object target, to acquirer), or for a verb with the
    agreement noun it concludes ("provide@loan": subject lender); verbs of no frame of their own conclude
    an agreement between their subject and their "with" phrase."""
    table = _table()
    return {**(table.get(lemma) or table[ANY_VERB]), **table.get(f"{lemma}@{noun}", {})}


def noun_frame(lemma: str) -> dict[str, str]:
    """Slot -> role for an agreement noun ("loan": from lender, to borrower, and "with" a signatory)."""
    table = _table()
    return {**table[ANY_NOUN], **table.get(lemma, {})}


def has_frame(lemma: str) -> bool:
    """Whether the word has a frame of its own (an acquisition, sale, merger or loan word)."""
    return lemma in _table()

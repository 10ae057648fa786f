"""Agreements reported in an article: typed, with parties, date, place, term, amount and evidence."""

from extractors.agreements.contract import to_contract
from extractors.agreements.extract import extract_agreements

__all__ = ["extract_agreements", "to_contract"]

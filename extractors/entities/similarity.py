"""Jaro-Winkler similarity, for transliteration variants ("Gonggar Laisong" / "Gongga Laisong"): RapidFuzz's.

RapidFuzz follows Winkler's definition: transpositions are half the out-of-order matches,
rounded down, and the common-prefix bonus (up to 4 characters, weight 0.1) is added only
when the Jaro similarity is above 0.7. The variant thresholds of `thresholds.tsv` (0.9 and
0.95) lie above anything that bonus rule can decide.
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler


def jaro_winkler(a: str, b: str) -> float:
    """Similarity of two strings, 0.0 (nothing in common) to 1.0 (equal); case-sensitive."""
    return float(JaroWinkler.similarity(a, b))

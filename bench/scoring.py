"""The extraction benchmark's metric (see shared/bench/extraction/README.md), written afresh."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import mean

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(toks: list[str], n: int = 4) -> Counter:
    """4-token shingles as a multiset; 1-3 tokens make one short shingle, none make none."""
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


@dataclass
class PageScore:
    precision: float | None  # None when the prediction is empty
    recall: float
    exact: bool

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_page(truth: str, predicted: str) -> PageScore:
    t_tok, p_tok = tokens(truth), tokens(predicted)
    t, p = shingles(t_tok), shingles(p_tok)
    matched = sum((t & p).values())
    precision = matched / sum(p.values()) if p else None
    recall = matched / sum(t.values()) if t else 1.0
    return PageScore(precision, recall, t_tok == p_tok)


@dataclass
class Summary:
    precision: float
    recall: float
    f1: float
    accuracy: float
    empty: int
    page_f1: float


def summarize(scores: list[PageScore]) -> Summary:
    """Precision over non-empty outputs, recall over all; F1 is the harmonic mean of the means."""
    ps = [s.precision for s in scores if s.precision is not None]
    p = mean(ps) if ps else 0.0
    r = mean(s.recall for s in scores)
    return Summary(
        precision=p,
        recall=r,
        f1=2 * p * r / (p + r) if p + r else 0.0,
        accuracy=mean(s.exact for s in scores),
        empty=len(scores) - len(ps),
        page_f1=mean(s.f1 for s in scores),
    )

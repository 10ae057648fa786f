"""What a sentence is, and where the paragraphs of an article's body stand: one splitter, one offset map.

Entities (the sentence of each mention, the phrases the tagger reads) and agreements (read
sentence by sentence, evidence pointing back into the text as published) use this one
splitter. A sentence never runs across paragraphs: `Article.body` is the paragraphs joined
by `PARAGRAPH_BREAK`, and `paragraph_starts` / `paragraph_around` are the only places that
know it. Wire copy arrives with its lines already rejoined by `parse_text`, so splitting
only has to respect abbreviations ("U.S.", "Corp.", "Nov. 17") and machine-translation
debris such as "Committee. , 35 member companies".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from extractors.dates import MONTH_ABBREVIATIONS
from extractors.lookback import search_before
from schemas.article import PARAGRAPH_BREAK, Article
from schemas.reference import word_lists

Block = Literal["title", "body", "caption"]

# Words that end in a period without ending the sentence ("Gov.", "Corp.", "etc."): text_words.tsv,
# and the month abbreviations of the one month table ("Nov. 17").
_ABBREVIATIONS = frozenset(word_lists("text_words.tsv")["abbreviation"]) | {m.lower() for m in MONTH_ABBREVIATIONS}
# A candidate end: terminal punctuation, closing quotes, then space before a capital, digit or quote.
_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_STRAY_COMMA = re.compile(r"\.\s+,\s*")  # "Committee. , 35 member companies ..."


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text as published and where it stands."""

    text: str
    block: Block
    index: int  # caption number; 0 for title and body
    start: int  # offsets into the block's published text
    end: int


_LAST_LETTERS = re.compile(r"([A-Za-z.]+)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    word = search_before(_LAST_LETTERS, text, dot, 1)  # the word before the dot, not the paragraph up to it
    if not word:
        return False
    w = word.group(1)
    return w.lower().strip(".") in _ABBREVIATIONS or len(w) == 1 or "." in w  # "A.", "U.S."


def split_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, surrounding spaces trimmed."""
    cuts = []
    for m in _END.finditer(text):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        cuts.append((m.start() + len(m.group().rstrip()), m.end()))
    for m in _STRAY_COMMA.finditer(text):
        cuts.append((m.start() + 1, m.end()))
    spans, pos = [], 0
    for end, nxt in sorted(cuts):
        if end > pos:
            spans.append((pos, end))
        pos = max(pos, nxt)
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def paragraph_starts(paragraphs: list[str]) -> list[int]:
    """Where each paragraph starts in the text they make when joined (`Article.body`)."""
    starts, offset = [], 0
    for p in paragraphs:
        starts.append(offset)
        offset += len(p) + len(PARAGRAPH_BREAK)
    return starts


def paragraph_around(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """(start, end) of the paragraph of `text` (paragraphs joined by blank lines) that holds
    text[start:end]; `end` defaults to `start`."""
    s = text.rfind(PARAGRAPH_BREAK, 0, start)
    e = text.find(PARAGRAPH_BREAK, start if end is None else end)
    return (s + len(PARAGRAPH_BREAK) if s >= 0 else 0), (e if e >= 0 else len(text))


def text_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, a text of one or more paragraphs: `split_spans` per paragraph."""
    out = []
    for ps, p in zip(paragraph_starts(paragraphs := text.split(PARAGRAPH_BREAK)), paragraphs, strict=True):
        out += [(ps + s, ps + e) for s, e in split_spans(p)]
    return out


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the sentence of `text` that holds text[start:end] (`text_spans`); a span that
    runs over a sentence end gets the sentences it touches, within its paragraph."""
    ps, pe = paragraph_around(text, start, end)
    spans = [(ps + s, ps + e) for s, e in split_spans(text[ps:pe])]
    s = max((s for s, _ in spans if s <= start), default=ps)
    e = min((e for _, e in spans if e >= end), default=pe)
    return s, e


def _block_sentences(text: str, block: Block, index: int, offset: int = 0) -> list[Sentence]:
    return [Sentence(text[s:e], block, index, offset + s, offset + e) for s, e in split_spans(text)]


def article_sentences(article: Article) -> list[Sentence]:
    """Title, then body in reading order, then captions (which corroborate the body)."""
    out: list[Sentence] = []
    if article.title:
        out += _block_sentences(article.title, "title", 0)
    for offset, paragraph in zip(paragraph_starts(article.paragraphs), article.paragraphs, strict=True):
        out += _block_sentences(paragraph, "body", 0, offset)
    for i, caption in enumerate(article.captions):
        out += _block_sentences(caption, "caption", i)
    return out

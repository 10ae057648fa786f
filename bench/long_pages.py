"""Long article pages: time per 100 KB of page at several page sizes, through `read_page`.

Run: `python bench/long_pages.py [--sizes 25,50,100,200,400,1000] [--repeat N] [--new-names]`. Prints,
for each page size in KB, the seconds to parse and analyse one page, the seconds per
100 KB, and the share of the page the analysis read (pages past the analysis budget are
analysed in part and flagged in the article's warnings, see `extractors/budget.py`). Cost linear in the text
shows as a flat seconds-per-100-KB column up to the budget, and a falling one past it.
Never a test.

The pages are built from the invented fixture articles (`tests/fixtures/ie/*.txt`), one
paragraph after another until the size is reached, so names recur as they do in a long
live blog; the 25 KB page is the baseline the other rows are read against. With
`--new-names` each round of the paragraphs names other people, companies and places (every
capitalised word gets a syllable of its round: "Dalton" -> "Dabalton"), so the number of
distinct names grows with the page, as in a page of many short stories: a cost that grows
with the square of the names shows there and not with recurring names.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.analysis import read_page  # noqa: E402 (imports after the path is set)
from extractors.budget import default_budget, within_budget  # noqa: E402 (as above)

FIXTURES = ROOT / "tests" / "fixtures" / "ie"


def paragraphs() -> list[str]:
    out = []
    for path in sorted(FIXTURES.glob("*.txt")):
        out += [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 80]
    return out


_SYLLABLES = ["ba", "ko", "ri", "tu", "ne", "so", "la", "mi"]


def _mark(k: int) -> str:
    out = _SYLLABLES[k % 8]
    while k := k // 8:
        out += _SYLLABLES[k % 8]
    return out


def new_names(paras: list[str], rounds: int = 400) -> list[str]:
    """The paragraphs `rounds` times over, each round after the first with its own names."""
    out = list(paras)
    for k in range(1, rounds):
        out += [re.sub(r"\b([A-Z][a-z]{3,})\b", lambda m, k=k: m[1][:2] + _mark(k) + m[1][2:], p) for p in paras]
    return out


def page(size: int, paras: list[str]) -> bytes:
    """An HTML article page of about `size` bytes."""
    head = "<html><head><title>Business roundup: deals of the week</title></head><body><article><h1>Deals of the week</h1>"
    parts, n, i = [head], len(head), 0
    while n < size:
        p = f"<p>{html.escape(paras[i % len(paras)])}</p>\n"
        parts.append(p)
        n += len(p.encode())
        i += 1
    parts.append("</article></body></html>")
    return "".join(parts).encode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="25,50,100,200,400,1000", help="page sizes in KB")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (the best is kept)")
    ap.add_argument("--new-names", action="store_true", help="each round of the paragraphs names others")
    args = ap.parse_args(argv)
    paras = new_names(paragraphs()) if args.new_names else paragraphs()
    read_page(page(5_000, paras), "text/html")  # warm-up: loads the models
    print(f"{'page KB':>8}{'body KB':>9}{'s/page':>9}{'s/100KB':>9}{'ratio':>7}{'analysed':>10}  flag")
    base = None
    for kb in (int(s) for s in args.sizes.split(",")):
        body = page(kb * 1000, paras)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.process_time()
            article, _, _ = read_page(body, "text/html")
            best = min(best, time.process_time() - start)
        per = best / (len(body) / 100_000)
        base = base or per
        _, limit = within_budget(article, default_budget())
        share = limit.analysed_chars / len(article.body) if limit else 1.0
        flagged = next((w for w in article.warnings if w.startswith("analysis limited")), "-")
        print(f"{kb:>8}{len(article.body) / 1000:>9.0f}{best:>9.2f}{per:>9.2f}{per / base:>7.2f}{share:>10.0%}  {flagged}")
    print("CPU seconds (process time) per page and per 100 KB of page; ratio against the first row")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Main-text extraction on the shared dev pages: newsflow vs trafilatura, side by side.

Run: `python bench/extraction.py [--pages N] [--worst K] [--parsers]`. Prints figures; never a test.
`--parsers` times building the page tree alone, per page: lxml as `extractors.article` parses it,
and BeautifulSoup over the lxml and the html.parser builders (docs/extraction.md says why the
article tree is lxml's).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import trafilatura  # noqa: E402
from scoring import score_page, summarize  # noqa: E402

from extractors.article import parse_article  # noqa: E402


def shared_dir() -> Path:
    return Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))


def load_pages(split: str = "dev") -> list[tuple[str, str, str | None, str]]:
    """(page_id, html, url, truth) for every page of the split."""
    folder = shared_dir() / "bench" / "extraction" / split
    truth = json.loads((folder / "ground-truth.json").read_text())
    return [
        (pid, gzip.decompress((folder / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8"),
         rec.get("url"), rec["articleBody"])
        for pid, rec in sorted(truth.items())
    ]


def newsflow(html: str, url: str | None) -> str:
    return parse_article(html, url).body


def trafilatura_default(html: str, url: str | None) -> str:
    return trafilatura.extract(html) or ""


def trafilatura_no_comments(html: str, url: str | None) -> str:
    """The README's reference configuration (the default keeps comments)."""
    return trafilatura.extract(html, include_comments=False) or ""


def run(extract, pages) -> tuple[list, list[float]]:
    scores, times = [], []
    for _, html, url, truth in pages:
        t0 = time.perf_counter()
        text = extract(html, url)
        times.append((time.perf_counter() - t0) * 1000)
        scores.append(score_page(truth, text))
    return scores, times


def parse_times(pages) -> None:
    """Median and mean ms per page to build the tree: lxml (as `extractors.article._parse`), BeautifulSoup."""
    from bs4 import BeautifulSoup

    from extractors.article import _parse

    parsers = {"lxml": _parse, "bs4+lxml": lambda h: BeautifulSoup(h, "lxml"),
               "bs4+html.parser": lambda h: BeautifulSoup(h, "html.parser")}
    print(f"{'tree':<16} {'median ms':>9} {'mean ms':>8}")
    for name, parse in parsers.items():
        times = []
        for _, html, _, _ in pages:
            t0 = time.perf_counter()
            parse(html)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name:<16} {median(times):9.1f} {sum(times) / len(times):8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=0, help="only the first N pages")
    ap.add_argument("--worst", type=int, default=0, help="list the K worst newsflow pages")
    ap.add_argument("--only", action="store_true", help="run newsflow alone")
    ap.add_argument("--parsers", action="store_true", help="time building the page tree with lxml and BeautifulSoup, then stop")
    args = ap.parse_args()
    pages = load_pages()
    if args.pages:
        pages = pages[: args.pages]
    if args.parsers:
        print(f"{len(pages)} pages\n")
        parse_times(pages)
        return
    contenders = {"newsflow": newsflow, "trafilatura": trafilatura_default, "traf-nocomm": trafilatura_no_comments}
    if args.only:
        contenders = {"newsflow": newsflow}
    print(f"{len(pages)} pages\n")
    print(f"{'extractor':<12} {'F1':>6} {'prec':>6} {'recall':>6} {'acc':>6} {'empty':>5} {'pF1':>6} {'ms/page':>8}")
    results = {}
    for name, fn in contenders.items():
        scores, times = run(fn, pages)
        s = summarize(scores)
        results[name] = scores
        print(f"{name:<12} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.accuracy:6.3f} "
              f"{s.empty:5d} {s.page_f1:6.3f} {median(times):8.1f}")
    if args.worst and "newsflow" in results:
        other = results.get("trafilatura")
        ranked = sorted(range(len(pages)), key=lambda i: results["newsflow"][i].f1)[: args.worst]
        print("\nworst newsflow pages (F1 p r | trafilatura F1):")
        for i in ranked:
            s = results["newsflow"][i]
            t = f"{other[i].f1:.3f}" if other else "-"
            print(f"  {pages[i][0][:12]} {s.f1:.3f} {s.precision or 0:.3f} {s.recall:.3f} | {t}  {pages[i][2]}")


if __name__ == "__main__":
    main()

"""Article pages from many publishers: `parse_article` scored by the shared pages scorer, beside trafilatura.

Run: `python bench/pages.py [--part tuning|locked|both] [--no-baselines] [--pages-out DIR]`.
Prints the scorer's table (body P/R/F1, title exact, date same day, authors F1, captions F1,
ms/page) for each part, with trafilatura in the same run. Never a test.

The dev set (`shared/bench/pages/`, 174 pages from 122 publishers) was split once, at random
by publisher (seed 20261130), into a tuning part and a locked part. Tune only on the tuning
part; the locked part is scored, never read. A locked score far below the tuning score
means the rules are fitted to the tuning pages, not general.

`extract(html, url)` is the scorer's extractor contract on top of `parse_article`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
SCORER = SHARED / "bench" / "pages" / "score_pages.py"
sys.path.insert(0, str(ROOT))

from extractors.article import parse_article  # noqa: E402

# One third of the publishers, drawn once (random.Random(20261130)); never tune on these.
LOCKED_PUBLISHERS = [
    "at/DiePresse", "at/KleineZeitung", "cn/People", "de/BR", "de/BerlinerMorgenpost", "de/BoersenZeitung",
    "de/BusinessInsiderDE", "de/Correctiv", "de/DerFreitag", "de/DieZeit", "de/FrankfurterRundschau", "de/Golem",
    "de/Hessenschau", "de/KlasseGegenKlasse", "de/RheinischePost", "de/SZ", "de/SpiegelOnline", "de/SportSchau",
    "de/Stern", "de/StuttgarterZeitung", "de/TOnline", "de/Tagesspiegel", "de/Taz", "de/VogueDE", "de/WDR", "de/ZDF",
    "es/ABC", "es/ElDiario", "es/LaVanguardia", "gl/Sermitsiaq", "jp/MainichiShimbun", "jp/NikkanGeadai",
    "jp/TokyoShimbun", "li/Landesspiegel", "no/Nettavisen", "se/Aftonbladet", "tz/HabariLeo", "za/EyethuNews",
    "za/Isolezwe", "za/IsolezweLesiXhosa",
]


def extract(html: str, url: str | None = None) -> dict:
    """The scorer's contract: {"title", "authors", "published", "body", "captions"} from `parse_article`."""
    a = parse_article(html, url or "")
    published = a.published_at.isoformat() if a.published_at else None
    return {"title": a.title, "authors": list(a.authors), "published": published, "body": a.body, "captions": list(a.captions)}


def publishers(part: str) -> list[str]:
    """The `country/Publisher` names of a part of the dev set ("tuning" or "locked")."""
    import json

    cases = [json.loads(line) for line in (SCORER.parent / "cases.jsonl").open(encoding="utf-8")]
    every = sorted({f"{c['country']}/{c['publisher']}" for c in cases})
    return LOCKED_PUBLISHERS if part == "locked" else [p for p in every if p not in LOCKED_PUBLISHERS]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["tuning", "locked", "both"], default="both")
    ap.add_argument("--no-baselines", action="store_true", help="score newsflow only (trafilatura is the issue's baseline)")
    ap.add_argument("--pages-out", help="write per-page scores as JSON lines into this folder (tuning part only)")
    args = ap.parse_args(argv)
    parts = ["tuning", "locked"] if args.part == "both" else [args.part]
    for part in parts:
        cmd = [sys.executable, str(SCORER), "run", f"newsflow={Path(__file__).resolve()}:extract"]
        if not args.no_baselines:
            cmd.append("trafilatura=baselines:trafilatura_extract")
        cmd += ["--cases-dir", str(SCORER.parent), "--publishers", ",".join(publishers(part))]
        if args.pages_out and part == "tuning":
            cmd += ["--pages-out", str(Path(args.pages_out) / f"{part}.jsonl")]
        print(f"== {part} part ==", flush=True)
        subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Entities and agreements on the IE dev set: `newsflow extract` output, scored, and its speed.

Run: `python bench/ie.py [--keep DIR] [--repeat N]`. Runs the `newsflow extract` code path
(`flows.extract.extract_file`) on the nine dev texts, writes one `<id>.json` per article,
runs the shared scorer on them and prints its table, then the documents per second of
parse + entities + agreements (one document at a time; model load excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.extract import extract_file  # noqa: E402

DEV_IDS = ["seed", "r01", "r02", "r03", "r04", "r05", "r07", "r08", "r09"]
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--keep", help="write the predictions here instead of a temporary folder")
    ap.add_argument("--repeat", type=int, default=5, help="timing passes over the dev texts")
    args = ap.parse_args(argv)
    paths = {i: SHARED / "corpus" / "real" / f"{i}.txt" for i in DEV_IDS}
    extract_file(paths["seed"])  # warm-up: loads the spaCy model
    out = Path(args.keep or tempfile.mkdtemp(prefix="ie-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    for i, path in paths.items():
        record = {"id": i, **extract_file(path)}
        (out / f"{i}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    start = time.perf_counter()
    for _ in range(args.repeat):
        for path in paths.values():
            extract_file(path)
    rate = args.repeat * len(paths) / (time.perf_counter() - start)
    scorer = SHARED / "bench" / "ie" / "score_ie.py"
    print(subprocess.run([sys.executable, str(scorer), str(out)], capture_output=True, text=True).stdout)
    print(f"predictions: {out}")
    print(f"documents per second (parse + entities + agreements, one at a time): {rate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

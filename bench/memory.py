"""Peak memory of copying a whole warehouse (the upkeep's snapshot and compaction), bounded and unbounded.

Each copy (`warehouse.snapshot._copy`, a `COPY FROM DATABASE` into the snapshot's storage format) runs in a
fresh process of its own, as the upkeep process does, and prints that process's peak RSS: with the bounds
`warehouse.db.memory(copying=...)` sets (one thread, a buffer pool of the file's size plus COPY_WORKSPACE),
beside DuckDB's defaults (every core, 80 % of RAM) in the same run.

    .venv/bin/python bench/memory.py path/to/newsflow.duckdb
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_ONE_COPY = """
import json, resource, sys, time
from pathlib import Path
from warehouse import db, snapshot
if sys.argv[3] == "defaults":
    snapshot.memory = lambda copying=None: db.memory()
t0 = time.perf_counter()
snapshot._copy(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "seconds": round(time.perf_counter() - t0, 2)}))
"""


def copy_peak(db: Path, bounds: str) -> dict:
    """Peak RSS (MiB) and seconds of one copy of `db` in a new process, with `bounds` "newsflow" or "defaults"."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", _ONE_COPY, str(db), str(Path(tmp) / "copy.duckdb"), bounds],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path, help="a warehouse file (not written to)")
    args = ap.parse_args()
    size = args.db.stat().st_size / 2**20
    base, ours = copy_peak(args.db, "defaults"), copy_peak(args.db, "newsflow")
    print(f"warehouse {size:.1f} MiB; copy peak RSS: bounded {ours['peak_rss_MiB']} MiB in {ours['seconds']} s, "
          f"DuckDB defaults {base['peak_rss_MiB']} MiB in {base['seconds']} s; ratio {ours['peak_rss_MiB'] / base['peak_rss_MiB']:.2f}")


if __name__ == "__main__":
    main()

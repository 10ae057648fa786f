"""Peak memory of copying a whole warehouse (the upkeep's snapshot and compaction), bounded and unbounded.

Each copy (`warehouse.snapshot._copy`, a `COPY FROM DATABASE` into the snapshot's storage format) runs in a
fresh process of its own, as the upkeep process does, and prints that process's peak RSS, in the same run:
- newsflow: the bounds `warehouse.db.copy_database` sets (one thread, COPY_MEMORY, then the file's size plus
  COPY_WORKSPACE if DuckDB runs out);
- file-size bound: one thread and the file's size plus COPY_WORKSPACE from the start (the rule before COPY_MEMORY);
- DuckDB's defaults (every core, 80 % of RAM).

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
source, target, bounds = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
if bounds == "defaults":
    con = db.memory()
    con.execute(f"ATTACH {db.sql_literal(target)} AS target (STORAGE_VERSION '{snapshot.STORAGE_VERSION}')")
    con.execute(f"ATTACH {db.sql_literal(source)} AS source (READ_ONLY)")
    con.execute("COPY FROM DATABASE source TO target")
    con.close()
else:
    if bounds == "file-size bound":
        db.COPY_MEMORY = source.stat().st_size + db.COPY_WORKSPACE
    snapshot._copy(source, target)
print(json.dumps({"peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "seconds": round(time.perf_counter() - t0, 2)}))
"""


def copy_peak(db: Path, bounds: str) -> dict:
    """Peak RSS (MiB) and seconds of one copy of `db` in a new process, with `bounds` "newsflow", "file-size bound" or "defaults"."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", _ONE_COPY, str(db), str(Path(tmp) / "copy.duckdb"), bounds],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path, help="a warehouse file (not written to)")
    args = ap.parse_args()
    size = args.db.stat().st_size / 2**20
    runs = {bounds: copy_peak(args.db, bounds) for bounds in ("defaults", "file-size bound", "newsflow")}
    print(f"warehouse {size:.1f} MiB; copy peak RSS: " + ", ".join(f"{b} {r['peak_rss_MiB']} MiB in {r['seconds']} s" for b, r in runs.items())
          + f"; ratio newsflow / defaults {runs['newsflow']['peak_rss_MiB'] / runs['defaults']['peak_rss_MiB']:.2f}")

if __name__ == "__main__":
    main()

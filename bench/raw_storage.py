"""What storing a raw page costs, codec by codec, on the web farm's pages.

Starts `shared/webfarm/farm.py`, fetches one URL of each of its 120 distinct pages (the bytes
the flow stores: identity, as served), then for each codec prints the compression and
decompression time per page (median of `--repeat` passes over all pages) and the bytes
stored per page. The baseline is zlib level 6, what `warehouse.load` stored before
`warehouse.rawbody` (same run, same pages).

Then loads `--batches` batches of 200 pages into a fresh DuckDB file the way a flow does (one
transaction per batch, the file closed after each, so each batch ends in a checkpoint) and
prints the time per batch, first and last, and the file size: bodies compressed in Python into a
column DuckDB leaves uncompressed (migration 009), against raw bodies in a column DuckDB
compresses itself with zstd.

    .venv/bin/python bench/raw_storage.py [--repeat 5] [--batches 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))

from warehouse import rawbody  # noqa: E402

PAGES = 120  # distinct pages of the farm (its bodies repeat every 120 URLs)


def farm_pages(tmp: Path) -> list[bytes]:
    ready = tmp / "ready.json"
    farm = subprocess.Popen(
        [sys.executable, str(SHARED / "webfarm" / "farm.py"), "--port", "0", "--articles", str(PAGES), "--sites", "1",
         "--ready-file", str(ready)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not ready.exists():
            time.sleep(0.05)
        port = json.loads(ready.read_text())["port"]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Accept-Encoding": "identity"}) as client:
            return [client.get(f"/site0/article/{i}.html").raise_for_status().content for i in range(PAGES)]
    finally:
        farm.terminate()
        farm.wait(10)


def _arrow(codec: str, level: int | None) -> tuple[Callable[[bytes], bytes], Callable[[bytes, int], bytes]]:
    c = pa.Codec(codec, compression_level=level)
    return (lambda b: c.compress(b, asbytes=True)), (lambda z, n: c.decompress(z, decompressed_size=n, asbytes=True))


CODECS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes, int], bytes]]] = {
    "zlib 6 (baseline)": (lambda b: zlib.compress(b, 6), lambda z, n: zlib.decompress(z)),
    "zlib 1": (lambda b: zlib.compress(b, 1), lambda z, n: zlib.decompress(z)),
    "zstd 1 (pyarrow)": _arrow("zstd", 1),
    "zstd 3 (pyarrow)": _arrow("zstd", 3),
    "lz4 frame (pyarrow)": _arrow("lz4_frame", None),
    "brotli 1 (pyarrow)": _arrow("brotli", 1),
    "newsflow (warehouse.rawbody)": (rawbody.compress, lambda z, n: rawbody.decompress(z, rawbody.CODEC, n)),
}


def per_page_ms(fn: Callable[[], object], pages: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times) / pages


def codecs(pages: list[bytes], repeat: int) -> None:
    size = sum(map(len, pages)) / len(pages)
    print(f"{len(pages)} farm pages, {size / 1024:.1f} KiB each on average; median of {repeat} passes\n")
    print(f"{'codec':30}{'compress ms/page':>18}{'decompress ms/page':>20}{'bytes/page':>12}{'ratio':>7}")
    base = None
    for name, (compress, decompress) in CODECS.items():
        packed = [compress(p) for p in pages]
        assert [decompress(z, len(p)) for z, p in zip(packed, pages, strict=True)] == pages
        c = per_page_ms(lambda compress=compress: [compress(p) for p in pages], len(pages), repeat)
        d = per_page_ms(lambda decompress=decompress, packed=packed: [decompress(z, len(p)) for z, p in zip(packed, pages, strict=True)],
                        len(pages), repeat)
        stored = sum(map(len, packed)) / len(pages)
        base = base or (c, stored)
        print(f"{name:30}{c:>18.3f}{d:>20.3f}{stored:>12,.0f}{size / stored:>7.1f}   "
              f"({c / base[0]:.2f}x the baseline's time, {stored / base[1]:.2f}x its bytes)")


def load_batches(pages: list[bytes], batches: int, tmp: Path) -> None:
    """Batches of 200 pages into a fresh file, one transaction and one close (checkpoint) each."""
    ways = {
        "zlib 6 in Python, column uncompressed (before)": ("BLOB USING COMPRESSION uncompressed", lambda b: zlib.compress(b, 6)),
        "warehouse.rawbody, column uncompressed (now)": ("BLOB USING COMPRESSION uncompressed", rawbody.compress),
        "raw bytes, column compressed by DuckDB (zstd)": ("BLOB USING COMPRESSION zstd", lambda b: b),
    }
    print(f"\n{batches} batches of 200 pages, each one transaction then close (checkpoint)")
    print(f"{'storage':50}{'batch 1 s':>10}{'last batch s':>14}{'median s':>10}{'file MiB':>10}")
    for name, (column, pack) in ways.items():
        path = tmp / f"raw-{abs(hash(name))}.duckdb"
        with duckdb.connect(str(path)) as con:
            con.execute(f"CREATE TABLE raw (sha256 VARCHAR PRIMARY KEY, size BIGINT, body {column})")
        times = []
        for k in range(batches):
            t0 = time.perf_counter()
            rows = [(pages[i % len(pages)], f"{k}-{i}") for i in range(200)]
            batch = pa.table({"sha256": [hashlib.sha256(b + key.encode()).hexdigest() for b, key in rows],  # noqa: F841
                              "size": [len(b) for b, _ in rows], "body": [pack(b) for b, _ in rows]})
            with duckdb.connect(str(path)) as con:
                con.execute("INSERT INTO raw SELECT * FROM batch")
            times.append(time.perf_counter() - t0)
        print(f"{name:50}{times[0]:>10.3f}{times[-1]:>14.3f}{statistics.median(times):>10.3f}{path.stat().st_size / 2**20:>10.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batches", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages = farm_pages(Path(tmp))
        codecs(pages, args.repeat)
        load_batches(pages, args.batches, Path(tmp))


if __name__ == "__main__":
    main()

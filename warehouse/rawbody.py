"""How a raw body (feed document or page, as served) is kept in `raw_documents`: compressed here,
in a column DuckDB stores as it is (migration 009), with the codec named beside it.

Bodies are written with zstd at level 3 (pyarrow's codec, installed with newsflow). On the web
farm's pages (`python bench/raw_storage.py`, one run, zlib level 6 the baseline) zstd 3 took 0.20x
zlib 6's time per page for the same bytes (30.6 KB against 30.5 KB a page of 150 KiB), and
decompresses in 0.42x its time; zstd 1 was faster still (0.11x) but 6 % larger, zlib 1 both slower
(0.42x) and 18 % larger. Rows written before migration 011 are zlib (level 6); reading takes both.
"""

from __future__ import annotations

import zlib

import pyarrow as pa

CODEC = "zstd"  # what new rows are written with
LEVEL = 3
CODECS = ("zstd", "zlib")  # what a reader decompresses: new rows, and rows written before migration 011
_zstd = pa.Codec("zstd", compression_level=LEVEL)


def compress(body: bytes) -> bytes:
    """`body` compressed with `CODEC`."""
    return _zstd.compress(body, asbytes=True)


def decompress(data: bytes, codec: str, size: int) -> bytes:
    """The body of a `raw_documents` row: its `body` column, `codec` and `size` (bytes once decompressed).

    Raises `ValueError` for a codec this newsflow does not know (a warehouse written by a newer one).
    """
    if codec == "zstd":
        return _zstd.decompress(data, decompressed_size=size, asbytes=True)
    if codec == "zlib":
        return zlib.decompress(data)
    raise ValueError(f"raw body in unknown codec {codec!r}: this newsflow reads {', '.join(CODECS)}")

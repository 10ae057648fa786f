"""What the command line prints: query rows as a table, CSV, JSON or JSON lines, streamed; run summaries.

Rows are fetched a chunk at a time, so printing a query's result takes the memory
of one chunk, whatever its size. JSON columns (DuckDB type JSON) are written as
JSON values, not as strings holding JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
from collections.abc import Iterator
from typing import TextIO

FORMATS = ("table", "csv", "json", "jsonl")
CHUNK = 1000  # rows fetched at a time
WIDTH = 60  # widest table cell, in characters


def _default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def dumps(value, indent: int | None = None) -> str:
    """JSON text of a record: dates as ISO 8601, decimals as numbers, bytes as hex, anything else as text."""
    return json.dumps(value, default=_default, ensure_ascii=False, indent=indent)


def _rows(cur, limit: int | None) -> Iterator[tuple]:
    """The cursor's rows, a chunk at a time, at most `limit`; then one more (None) marker if rows were left over."""
    left = limit
    while True:
        chunk = cur.fetchmany(CHUNK if left is None else min(CHUNK, left + 1))
        if not chunk:
            return
        for row in chunk:
            if left is not None:
                if left == 0:
                    yield None
                    return
                left -= 1
            yield row


def write(cur, fmt: str, limit: int | None, out: TextIO) -> int:
    """Print the rows of an executed cursor in `fmt`; returns how many were printed."""
    if cur.description is None:  # a statement without a result (SET, PRAGMA ...)
        return 0
    columns = [d[0] for d in cur.description]
    is_json = [str(d[1]) == "JSON" for d in cur.description]

    def record(row: tuple) -> dict:
        return {c: (json.loads(v) if j and v is not None else v) for c, v, j in zip(columns, row, is_json, strict=True)}

    rows = _rows(cur, limit)
    n = 0
    if fmt == "table":
        return _table(columns, rows, limit, out)
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(columns)
    elif fmt == "json":
        out.write("[")
    for row in rows:
        if row is None:  # past --limit: csv and JSON carry no footer
            break
        if fmt == "csv":
            w.writerow(["" if v is None else dumps(v) if isinstance(v, (list, dict)) else v for v in row])
        elif fmt == "json":
            out.write(("," if n else "") + "\n  " + dumps(record(row)))
        else:
            out.write(dumps(record(row)) + "\n")
        n += 1
    if fmt == "json":
        out.write("\n]\n" if n else "]\n")
    return n


def _cell(value, width: int) -> str:
    s = "" if value is None else (dumps(value) if isinstance(value, (list, dict)) else str(value)).replace("\n", " ")
    return s if len(s) <= width else s[: width - 1] + "…"


def _table(columns: list[str], rows: Iterator[tuple | None], limit: int | None, out: TextIO) -> int:
    """An aligned text table; column widths are set by the first chunk of rows (cells cut at WIDTH characters)."""
    first, more = [], False
    for row in rows:
        if row is None:
            more = True
            break
        first.append(row)
        if len(first) == CHUNK:
            break
    widths = [min(WIDTH, max([len(c)] + [len(_cell(r[i], WIDTH)) for r in first])) for i, c in enumerate(columns)]

    def line(values) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip() + "\n"

    out.write(line(columns) + line(["-" * w for w in widths]))
    n = 0
    for row in first:
        out.write(line([_cell(v, w) for v, w in zip(row, widths, strict=True)]))
        n += 1
    if len(first) == CHUNK and not more:
        for row in rows:
            if row is None:
                more = True
                break
            out.write(line([_cell(v, w) for v, w in zip(row, widths, strict=True)]))
            n += 1
    tail = f"; more with a higher --limit than {limit}" if more else ""
    out.write(f"({n} row{'s' if n != 1 else ''}{tail})\n")
    return n


def run_line(run: dict) -> str:
    """One run as a line: when, which flow, how long, and its counts."""
    s = run.get("summary") or {}
    when = run["started_at"].strftime("%Y-%m-%d %H:%M:%S") if run.get("started_at") else "?"
    head = f"{when}  {run['flow']:<9} {run['run_id']}"
    if run.get("finished_at") is None:
        return f"{head}  did not finish"
    took = f"{s.get('seconds', 0):.1f} s" + (" (interrupted)" if s.get("interrupted") else "")
    analysis = f"analysed {s.get('analysed', 0)}, failed {s.get('analysis_failed', 0)}, left {s.get('analysis_left', 0)}"
    if run["flow"] == "analyze":
        return f"{head}  {took}  {analysis}"
    feeds = (f"feeds {s.get('feeds_read', 0)} read, {s.get('feeds_not_modified', 0)} not modified, {s.get('feeds_failed', 0)} failed; "
             if run["flow"] == "ingest" else "")
    return (f"{head}  {took}  {feeds}articles {s.get('new', 0)} new, {s.get('updated', 0)} updated, "
            f"{s.get('unchanged', 0)} unchanged, {s.get('rejected', 0)} rejected" + (f"; {analysis}" if "analysed" in s else ""))

"""Every table and view written out for the tools analysts already use: Parquet, CSV or JSON lines.

Articles in Parquet are partitioned by publication month (hive style,
`articles/published_month=2021-09/`), so readers can skip months they do not need.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FORMATS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true", "jsonl": "FORMAT json"}
MONTH = "published_month"  # the partition column added to exported articles


def objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the warehouse's tables and views, tables first."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY table_name").fetchall()]
    views = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name").fetchall()]
    return tables + views


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(con: duckdb.DuckDBPyConnection, out_dir: str | Path, fmt: str) -> dict[str, int]:
    """Write each table and view to `out_dir`; returns rows written per name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = FORMATS[fmt]
    written = {}
    for name in objects(con):
        if name == "articles" and fmt == "parquet":
            source = f"(SELECT *, coalesce(strftime(published_at, '%Y-%m'), 'unknown') AS {MONTH} FROM articles)"
            target, options_here = out_dir / name, f"{options}, PARTITION_BY ({MONTH}), OVERWRITE true"
        else:
            source, target, options_here = f'"{name}"', out_dir / f"{name}.{fmt}", options
        written[name] = con.execute(f"COPY {source} TO {_literal(target)} ({options_here})").fetchone()[0]
    return written


"""What the warehouse holds: its tables and views with their row counts, and the runs that filled it."""

from __future__ import annotations

import json

import duckdb

# Tables that serve newsflow itself (the search index and its character map, schema versions), not questions about the news.
INTERNAL = frozenset({"search_docs", "search_postings", "search_compat_map", "schema_migrations"})


def objects(con: duckdb.DuckDBPyConnection, internal: bool = False) -> list[str]:
    """Names of the warehouse's tables, then views, each alphabetical; `internal` adds the INTERNAL tables."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY table_name").fetchall()]
    views = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name").fetchall()]
    return [n for n in tables if internal or n not in INTERNAL] + views


def counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(name, "table" or "view", rows) for every user-facing table and view."""
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return [
        (name, "view" if name in views else "table", con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
        for name in objects(con)
    ]


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict]:
    """The newest `limit` runs: run_id, flow, started_at, finished_at (None: it did not finish) and summary (a dict)."""
    cur = con.execute("SELECT run_id, flow, started_at, finished_at, summary FROM runs ORDER BY started_at DESC LIMIT ?", [limit])
    columns = [d[0] for d in cur.description]
    runs = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    for run in runs:
        run["summary"] = json.loads(run["summary"]) if run["summary"] else {}
    return runs

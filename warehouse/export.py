"""The tables and views written out for the tools analysts already use: Parquet, CSV or JSON lines.

Articles in Parquet are partitioned by publication month (hive style,
`articles/published_month=2021-09/`), so readers can skip months they do not need.

An export never deletes what it did not write. It goes to a new or empty folder;
`force` replaces an earlier export in the same folder, found by the list of files
that export left there (`.newsflow-export.json`), and refuses if any file it would
write over is not on that list.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from schemas.errors import ConfigError
from warehouse.catalog import objects
from warehouse.db import sql_literal

FORMATS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true", "jsonl": "FORMAT json"}
MONTH = "published_month"  # the partition column added to exported articles
MANIFEST = ".newsflow-export.json"  # the files an export wrote, relative to its folder


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return [p for p in path.rglob("*") if not p.is_dir()]
    return [path] if path.exists() or path.is_symlink() else []


def _previous(out_dir: Path) -> set[str]:
    try:
        return set(json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _targets(names: list[str], out_dir: Path, fmt: str) -> dict[str, Path]:
    return {n: out_dir / n if (n == "articles" and fmt == "parquet") else out_dir / f"{n}.{fmt}" for n in names}


def _clear_previous(out_dir: Path, targets: dict[str, Path], force: bool) -> None:
    """Check that writing `targets` overwrites only files an earlier export wrote, and remove those files."""
    present = [p for p in out_dir.iterdir()] if out_dir.is_dir() else []
    if present and not force:
        raise ConfigError(
            f"{out_dir} is not empty: export to a new or empty folder, or pass --force to replace "
            "the export newsflow wrote there (files newsflow did not write are never touched)"
        )
    previous = _previous(out_dir)
    for target in targets.values():
        for f in _files(target):
            if f.relative_to(out_dir).as_posix() not in previous:
                raise ConfigError(f"{f} was not written by newsflow export: move it, or export to another folder")
    for rel in sorted(previous):
        f = out_dir / rel
        if f.is_file() and not f.is_symlink():
            f.unlink()
        for parent in f.parents:  # folders the earlier export made and that are now empty
            if parent == out_dir or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()


def export(con: duckdb.DuckDBPyConnection, out_dir: str | Path, fmt: str, force: bool = False, internal: bool = False) -> dict[str, int]:
    """Write each table and view to `out_dir`; returns rows written per name.

    Raises `ConfigError` when `out_dir` is not empty (without `force`), or would lose
    a file an earlier export did not write.
    """
    out_dir = Path(out_dir)
    targets = _targets(objects(con, internal), out_dir, fmt)
    _clear_previous(out_dir, targets, force)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot make the folder {out_dir}: {e.strerror}") from None
    written: dict[str, int] = {}
    for name, target in targets.items():
        if target.is_dir():  # an empty partition folder left behind
            target.rmdir()
        if name == "articles" and fmt == "parquet":
            source = f"(SELECT *, coalesce(strftime(published_at, '%Y-%m'), 'unknown') AS {MONTH} FROM articles)"
            options = f"{FORMATS[fmt]}, PARTITION_BY ({MONTH})"
        else:
            source, options = f'"{name}"', FORMATS[fmt]
        written[name] = con.execute(f"COPY {source} TO {sql_literal(target)} ({options})").fetchone()[0]
    files = sorted(f.relative_to(out_dir).as_posix() for target in targets.values() for f in _files(target))
    (out_dir / MANIFEST).write_text(json.dumps({"format": fmt, "files": files}, indent=1), encoding="utf-8")
    return written

"""Every error newsflow raises on purpose, in one family (modelled on httpx's `_exceptions.py`).

    NewsflowError                 catch this one: its message is one line that names the problem and the fix
    ├── ConfigError               the feeds file, a command-line option or a NEWSFLOW_* variable cannot be used
    ├── FetchError                a URL newsflow will not fetch (the address guard), or no feed could be read
    ├── UnusableDocument          a fetched or saved body that is not an article page (empty, binary, a feed, no text)
    ├── FeedError                 a feed document that cannot be read as RSS, Atom, JSON Feed, sitemap or OPML
    ├── WarehouseError            the warehouse file cannot be opened, read or written (missing, not DuckDB, disk)
    │   ├── WarehouseLocked       another process held the file longer than we were willing to wait
    │   └── QueryError            a SQL statement given by the user failed
    └── JudgementError            an entity merge or split that cannot be made

The command line catches `NewsflowError` only and prints its message; anything else is a
bug and keeps its traceback. Lower layers raise these (every layer may import `schemas`);
`warehouse/` turns DuckDB's own errors into `WarehouseError`s at its door, so no caller
needs to import `duckdb` to handle them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class NewsflowError(Exception):
    """Base of every error newsflow raises on purpose; `str(error)` is one line for the user."""


class ConfigError(NewsflowError):
    """The feeds file, a command-line option or an environment variable cannot be used."""


class FetchError(NewsflowError):
    """A URL newsflow will not fetch, or a run in which no feed could be read."""


class UnusableDocument(NewsflowError):
    """A body that is not an article page; the message is the reject reason."""


class FeedError(NewsflowError):
    """A feed document that cannot be parsed; the message is the reject reason."""


class WarehouseError(NewsflowError):
    """The warehouse file cannot be opened, read or written."""


class WarehouseLocked(WarehouseError):
    """Another process held the warehouse file for longer than we were willing to wait."""


class QueryError(WarehouseError):
    """A SQL statement given by the user failed (syntax, unknown column, ...)."""


class JudgementError(NewsflowError):
    """An entity merge or split that cannot be made; the message says why."""


def problem(err: Mapping[str, Any]) -> str:
    """One pydantic validation error (`ValidationError.errors()` item) in words: "must be at least 1 (got 0)"."""
    ctx, got, kind = err.get("ctx") or {}, err.get("input"), err["type"]
    if kind == "missing":
        return "is required"
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        return "is not a known key"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))} (got {got!r})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_type":
        return f"must be text in quotes (got {got!r})"
    if kind.startswith("int"):
        return f"must be a whole number (got {got!r})"
    if kind == "finite_number":
        return f"must be a finite number (got {got!r})"
    if kind.startswith("float"):
        return f"must be a number (got {got!r})"
    if kind.startswith("bool"):
        return f"must be true or false (got {got!r})"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg'][0].lower()}{err['msg'][1:]} (got {got!r})"


__all__ = [
    "ConfigError",
    "FeedError",
    "FetchError",
    "JudgementError",
    "NewsflowError",
    "QueryError",
    "UnusableDocument",
    "WarehouseError",
    "WarehouseLocked",
    "problem",
]

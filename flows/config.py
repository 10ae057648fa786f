"""Configuration: the feeds file (TOML), default paths, and Prefect's quiet defaults.

Settings given by flag or environment variable are wired in `flows.cli`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "newsflow.duckdb"
DEFAULT_FEEDS = "feeds.toml"
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

# Quiet by default: no telemetry, and room for a slow ephemeral Prefect server to start.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def quiet_prefect() -> None:
    """Set Prefect's privacy and startup defaults unless the user chose otherwise."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


class ConfigError(ValueError):
    """The feeds file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class FeedConfig:
    """One configured feed: an RSS/Atom/JSON feed, a sitemap or an OPML list of feeds."""

    name: str
    url: str
    schedule: str | None = None  # cron, used by `newsflow serve`
    max_entries: int = 500  # entries taken from one feed document
    max_pages: int = 1  # feed documents followed per configured feed (rel=next, OPML, sitemap index)
    respect_robots: bool = True  # switch off only for one's own sites


@dataclass(frozen=True)
class FeedsFile:
    feeds: list[FeedConfig]


_FEED_KEYS = {f for f in FeedConfig.__dataclass_fields__}


def load_feeds(path: str | Path) -> FeedsFile:
    """Read a feeds file: `[[feeds]]` tables with name, url and optional schedule and limits."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"feeds file not found: {path} (pass --feeds or set NEWSFLOW_FEEDS)") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    feeds = []
    for i, raw in enumerate(data.get("feeds", []), 1):
        unknown = set(raw) - _FEED_KEYS
        if unknown:
            raise ConfigError(f"{path}: feed #{i}: unknown keys {sorted(unknown)}")
        if "name" not in raw or "url" not in raw:
            raise ConfigError(f"{path}: feed #{i}: needs both name and url")
        feeds.append(FeedConfig(**raw))
    names = [f.name for f in feeds]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: feed names must be unique")
    if not feeds:
        raise ConfigError(f"{path}: no [[feeds]] entries")
    return FeedsFile(feeds=feeds)

"""Configuration: the feeds file (TOML), validated whole; the bundled sample; Prefect's quiet, private defaults.

Defaults and environment variables live in `schemas.settings`; this module reads the
feeds file with the same kind of record and the same one-line errors.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from schemas.errors import ConfigError, problem
from schemas.settings import DEFAULTS, Settings

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

# Quiet by default: no telemetry, room for a slow ephemeral Prefect server to start, and only Prefect's warnings and
# errors on the terminal (newsflow prints its progress and summary; every log line still reaches the Prefect UI).
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}
# Any of these means the user has configured Prefect: newsflow then leaves its home alone.
PREFECT_CONFIGURED = ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_PROFILES_PATH")


def quiet_prefect(settings: Settings = DEFAULTS) -> None:
    """Set Prefect's privacy and startup defaults, and a Prefect home of newsflow's own, unless the user chose otherwise.

    Call before Prefect is imported. Without a home of its own, newsflow's runs share
    `~/.prefect/prefect.db` (SQLite) with every other Prefect process of the user, whose
    writes then fail with "database is locked".
    """
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    configured = any(os.environ.get(k) for k in PREFECT_CONFIGURED) or (Path.home() / ".prefect" / "profiles.toml").exists()
    if not configured:
        home = Path(settings.prefect_home).expanduser()
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class FeedConfig:
    """One `[[feeds]]` table: an RSS/Atom/JSON feed, a sitemap or an OPML list of feeds."""

    name: str = Field(min_length=1, strict=True)  # unique; used by --feed and in the warehouse
    url: str = Field(strict=True)
    schedule: str | None = Field(None, strict=True)  # cron, used by `newsflow serve` (default: DEFAULTS.schedule)
    max_entries: int = Field(DEFAULTS.max_entries, ge=1, strict=True)  # entries taken from one feed document
    max_pages: int = Field(DEFAULTS.max_pages, ge=1, strict=True)  # feed documents followed (rel=next)
    respect_robots: bool = Field(True, strict=True)  # switch off only for one's own sites

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL with a host (got {url!r})")
        return url

    @field_validator("schedule")
    @classmethod
    def _cron(cls, schedule: str | None) -> str | None:
        if schedule is not None:
            from prefect.client.schemas.schedules import CronSchedule  # the validator `serve` itself applies

            try:
                CronSchedule(cron=schedule)
            except ValidationError:
                raise ValueError(f"must be a cron expression such as '*/15 * * * *' (got {schedule!r})") from None
        return schedule


@dataclass(frozen=True)
class FeedsFile:
    feeds: list[FeedConfig]

    def select(self, names: list[str] | None) -> list[FeedConfig]:
        """The feeds named (all when `names` is empty); raises `ConfigError` naming any unknown name."""
        if not names:
            return list(self.feeds)
        known = [f.name for f in self.feeds]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"no feed named {', '.join(map(repr, unknown))} in the feeds file; its feeds are: {', '.join(known)}")
        return [f for f in self.feeds if f.name in names]


_FEED = TypeAdapter(FeedConfig)


def load_feeds(path: str | Path) -> FeedsFile:
    """Read and validate a feeds file: `[[feeds]]` tables with name, url and optional schedule and limits.

    Raises `ConfigError` listing every problem, one line each, with the feed's name and key.
    """
    path = Path(path)
    data = _read_toml(path)
    problems = [f"unknown top-level key {k!r}: a feeds file holds [[feeds]] tables only" for k in data if k != "feeds"]
    tables = data.get("feeds", [])
    if not isinstance(tables, list):
        tables, problems = [], [*problems, "feeds must be [[feeds]] tables"]
    feeds = []
    for i, raw in enumerate(tables, 1):
        label = f"feed #{i}" + (f" ({raw['name']!r})" if isinstance(raw, dict) and isinstance(raw.get("name"), str) else "")
        if not isinstance(raw, dict):
            problems.append(f"{label}: must be a [[feeds]] table with name and url (got {raw!r})")
            continue
        try:
            feeds.append(_FEED.validate_python(raw))
        except ValidationError as e:
            problems += [f"{label}: {err['loc'][0] if err['loc'] else 'table'} {problem(err)}" for err in e.errors()]
    names = [f.name for f in feeds]
    problems += [f"feed name {n!r} is used twice: names must be unique" for n in sorted({n for n in names if names.count(n) > 1})]
    if not tables and not problems:
        problems.append("no [[feeds]] tables: add one with name and url (see feeds.example.toml)")
    if problems:
        raise ConfigError("\n".join(f"{path}: {p}" for p in problems))
    return FeedsFile(feeds=feeds)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"feeds file not found: {path} (pass --feeds or set NEWSFLOW_FEEDS)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, not a feeds file (pass --feeds FILE)") from None
    except PermissionError:
        raise ConfigError(f"{path}: not allowed to read it") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.object[e.start]:#04x} at offset {e.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None


def check_addresses(feeds: list[FeedConfig], allow_local: bool) -> None:
    """Refuse, before any run, feeds the fetcher's address guard would refuse; `ConfigError` names each and the fix.

    A feed on this machine (127.0.0.1, ::1, localhost) needs `--allow-local`; private,
    link-local and reserved addresses are never fetched. Names are not resolved here:
    the fetcher checks the address it connects to.
    """
    from flows.http import FetchPolicy, check_url_allowed

    strict, local_ok = FetchPolicy(allow_loopback=False), FetchPolicy(allow_loopback=True)
    problems = []
    for f in feeds:
        host = (urlsplit(f.url).hostname or "").lower()
        refused = check_url_allowed(f.url, strict)
        local = host == "localhost" or host.endswith(".localhost") or (refused is not None and check_url_allowed(f.url, local_ok) is None)
        if local and not allow_local:
            problems.append(f"feed {f.name!r} is on this machine ({f.url}): pass --allow-local (or set NEWSFLOW_ALLOW_LOCAL=1) "
                            "to fetch from 127.0.0.1/localhost")
        elif refused is not None and not local:
            problems.append(f"feed {f.name!r} ({f.url}): {refused}; newsflow never fetches from private, link-local or reserved addresses")
    if problems:
        raise ConfigError("\n".join(problems))

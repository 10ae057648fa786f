"""The settings: every default newsflow has, set once, and the one place environment variables are read.

A setting comes from, in order: a command-line flag, its `NEWSFLOW_*` variable, the
default here. `Settings.from_env()` reads the variables; the command line validates its
flags with the same record (`Settings.with_options`), so a bad value gets the same
one-line error whichever way it came. Fetching (`flows.http.FetchPolicy`), the feeds
file (`flows.config.FeedConfig`), feed parsing and the warehouse take their defaults
from `DEFAULTS`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.errors import ConfigError, problem

ENV_PREFIX = "NEWSFLOW_"
# A size as DuckDB's memory_limit takes it: a number and a unit of 1000s (K, KB, M, MB, G, GB, T, TB) or 1024s (KiB, MiB,
# GiB, TiB), or a share of the machine's memory (80%).
MEMORY_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:(i)B|B)?|(%))\s*", re.I)
STORAGE_VERSION = re.compile(r"v\d+\.\d+\.\d+")  # as DuckDB's ATTACH ... (STORAGE_VERSION '...') takes it
# Bounds of NEWSFLOW_MEMORY_LIMIT: at 64 MiB an analysis of 300 articles ran out on a 2,000-article warehouse, while 128 MiB
# served loads into a 60,000-article one (docs/operations.md, "Memory"); above the most, DuckDB refuses it.
LEAST_MEMORY, MOST_MEMORY = 128 * 2**20, 2**50


class Settings(BaseModel):
    """What a run may be told. Durations in seconds, finite: `inf` and `nan` are refused for every number."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    db: str = Field("newsflow.duckdb", min_length=1, description="the warehouse file")
    feeds: str = Field("feeds.toml", min_length=1, description="the feeds file")
    concurrency: int = Field(32, ge=1, description="requests in flight overall")
    per_host: int = Field(4, ge=1, description="requests in flight per host")
    delay: float = Field(1.0, ge=0, description="seconds between request starts to one host (robots.txt Crawl-delay raises it)")
    user_agent: str = Field("newsflow/0.1 (+https://github.com/newsflow/newsflow)", min_length=1, description="identify yourself")
    allow_local: bool = Field(False, description="also fetch from 127.0.0.1 / localhost; private networks stay refused")
    lock_wait: float = Field(30.0, ge=0, description="seconds to wait for a warehouse another process holds")
    memory_limit: str = Field("512MiB",
                              description="DuckDB's memory_limit in a process that writes the warehouse (loads, analysis, "
                                          "migrations); read-only queries keep DuckDB's default, 80 % of RAM")
    prefect_home: str = Field("~/.local/state/newsflow/prefect", min_length=1,
                              description="Prefect's home (its database of runs) when Prefect is not configured otherwise")
    dask_address: str = Field("", description="the Dask cluster batch tasks run on: tcp://HOST:PORT, local or local:N; "
                                              "empty: none (flows/cluster.py)")
    progress_every: float = Field(10.0, gt=0, description="seconds between progress lines when stderr is not a terminal")
    staging: str = Field("", description="where batches for a Dask cluster are staged: a directory or an fsspec URL; "
                                         "empty: NAME.staging beside the warehouse NAME.duckdb (flows/staging.py)")
    snapshot_storage: str = Field("v1.4.0", description="DuckDB storage version of the published snapshot (warehouse/snapshot.py): "
                                                        "v1.4.0 opens in DuckDB 1.4 and later, and is rewritten in full after each "
                                                        "run; the warehouse's own, v2.0.0, is a copy of its bytes, for DuckDB 2.0 and later")

    # Feed defaults, for `[[feeds]]` tables that leave them out (not read from the environment).
    max_entries: int = Field(500, ge=1, description="entries taken from one feed document")
    max_pages: int = Field(1, ge=1, description="rel=next feed pages followed")
    schedule: str = Field("0 * * * *", description="cron of `newsflow serve` for feeds without one: hourly")

    @field_validator("memory_limit")
    @classmethod
    def _a_size(cls, value: str) -> str:
        size = memory_bytes(value)
        if size is None:
            raise ValueError(f"must be a size such as 512MiB, 2GB or 25% (got {value!r})")
        if not LEAST_MEMORY <= size <= MOST_MEMORY:
            raise ValueError(f"must be between 128MiB and 1024TiB, or a share of memory up to 100% (got {value!r})")
        return value.strip()

    @field_validator("snapshot_storage")
    @classmethod
    def _a_storage_version(cls, value: str) -> str:
        if not STORAGE_VERSION.fullmatch(value) or not writable_storage_version(value):
            raise ValueError(f"must be a DuckDB storage version this DuckDB writes, such as v1.4.0 or v2.0.0 (got {value!r})")
        return value

    @property
    def memory_limit_bytes(self) -> int:
        """`memory_limit` in bytes."""
        return memory_bytes(self.memory_limit) or 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults overridden by `NEWSFLOW_<NAME>` variables; raises `ConfigError`, one line per bad variable."""
        environ = os.environ if environ is None else environ
        given = {name: environ[env_name(name)] for name in ENVIRONMENT if env_name(name) in environ}
        return _validated(cls, given, env_name)

    def with_options(self, **options: Any) -> Settings:
        """These settings with the command-line options that were given (None: not given); raises `ConfigError`."""
        given = {k: v for k, v in options.items() if v is not None}
        return _validated(type(self), {**self.model_dump(), **given}, flag_name) if given else self


# Settings a NEWSFLOW_* variable may set: the rest are feed defaults.
ENVIRONMENT = ("db", "feeds", "concurrency", "per_host", "delay", "user_agent", "allow_local", "lock_wait", "memory_limit", "prefect_home",
               "dask_address", "progress_every", "staging", "snapshot_storage")


def memory_bytes(text: str) -> int | None:
    """A size in DuckDB's words ("512MiB", "2 GB", "1G", "25%" of this machine's physical memory) in bytes; None if it is not one."""
    found = MEMORY_SIZE.fullmatch(text)
    if not found:
        return None
    number, unit, binary, percent = found.groups()
    if percent:
        if float(number) > 100:  # more than all of it: too large, whatever the machine
            return MOST_MEMORY + 1
        return int(float(number) / 100 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    return int(float(number) * (1024 if binary else 1000) ** ("KMGT".index(unit.upper()) + 1))


@functools.cache  # asked again by every validation of the settings (the environment's, then with the flags)
def writable_storage_version(version: str) -> bool:
    """Whether this DuckDB writes files in storage version `version` ("v1.4.0"): it knows the versions up to its own."""
    import duckdb

    with duckdb.connect() as con:
        try:
            con.execute(f"ATTACH ':memory:' AS probe (STORAGE_VERSION '{version}')")
        except duckdb.Error:
            return False
    return True


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def _validated(cls: type[Settings], values: dict[str, Any], name_of: Callable[[str], str]) -> Settings:
    try:
        return cls.model_validate(values)
    except ValidationError as e:
        raise ConfigError("; ".join(f"{name_of(str(err['loc'][0]))} {problem(err)}" for err in e.errors())) from None


DEFAULTS = Settings()

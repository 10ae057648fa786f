"""Staged batch results: workers write them, one loader reads them into the warehouse.

A staging location is a local directory or any fsspec URL (`s3://bucket/prefix`,
`gs://...`, `memory://...`; remote protocols need their fsspec package, such as `s3fs`,
on every worker and on the loader). One batch is one folder named by its batch id:

    LOCATION/
      BATCH_ID/
        articles.ATTEMPT.parquet       one Parquet file per table of one write attempt
        mentions.ATTEMPT.parquet
        ...
        _SUCCESS                       JSON commit marker, written last: the attempt, its files, the writer's notes

A batch is ready when its `_SUCCESS` exists; the marker names the files of the attempt that
wrote it, so files left by a writer that died half-way (or by a second, racing attempt of
the same batch) are never read. The marker itself is written under a temporary name and
renamed into place (an atomic rename on a local disk; a single object write on object
stores), so a reader never sees half a marker. `remove` deletes the marker first, so a
batch disappears from `list_ready` at once and is never read half-deleted.

Tables are any `name -> pyarrow.Table`; their schemas are not this module's business.
Parquet (zstd) rather than Arrow IPC: DuckDB reads Parquet natively and offline (reading
Arrow IPC files needs an extension that is downloaded on first use), so the loader, an
operator or a later warehouse on object storage can query staged batches as they are,
and Parquet is the format object-storage tools expect. Writing and reading a batch of
200 pages costs a few milliseconds either way, against ~100 ms of analysis per article.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from flows.config import ConfigError
from flows.faults import pause_point

MARKER = "_SUCCESS"
_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_TABLE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def beside(db: str | os.PathLike) -> str:
    """The default staging location of a warehouse: a directory next to it, `newsflow.staging` for `newsflow.duckdb`."""
    return str(Path(db).with_suffix(".staging"))


def _check(kind: str, value: str, pattern: re.Pattern) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{kind} {value!r} is not usable as a file name (letters, digits, '_', '-' and, in batch ids, '.')")
    return value


class Staging:
    """A staging location for batch results (see the module docstring for the layout).

    `location`: a directory path or an fsspec URL. Raises `ConfigError` for a URL whose
    protocol is unknown or whose fsspec package is not installed.
    """

    def __init__(self, location: str | os.PathLike):
        self.location = str(location)
        try:
            self._fs, root = fsspec.core.url_to_fs(self.location)
        except (ImportError, ValueError) as e:
            raise ConfigError(f"staging location {self.location!r}: {e} (on every worker and on the loader)") from None
        self._root = root.rstrip("/")

    def __repr__(self) -> str:
        return f"Staging({self.location!r})"

    @property
    def url(self) -> str:
        """The location as an absolute URL (a relative directory made absolute), for processes with another working directory."""
        return self._fs.unstrip_protocol(self._root)

    def part(self, name: str) -> Staging:
        """The staging location `name` inside this one (a sub-directory or key prefix)."""
        return Staging(f"{self.url}/{_check('part name', name, _TABLE_NAME)}")

    def _path(self, *parts: str) -> str:
        return "/".join((self._root, *parts))

    def _marker(self, batch_id: str) -> dict | None:
        """The commit marker of a batch, or None when the batch is not (or no longer) ready."""
        try:
            return json.loads(self._fs.cat_file(self._path(batch_id, MARKER)))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def write(self, batch_id: str, tables: Mapping[str, pa.Table], notes: Mapping[str, str] | None = None) -> bool:
        """Stage one batch: every table as Parquet, then the commit marker, which keeps `notes` (for `notes`).

        Returns True when this call committed the batch, False when the batch was already
        ready (a retried task whose first attempt finished): the staged copy stays as it is.
        Raises `ValueError` for a batch id or table name that cannot be a file name.
        """
        _check("batch id", batch_id, _BATCH_ID)
        for name in tables:
            _check("table name", name, _TABLE_NAME)
        if self._marker(batch_id) is not None:
            return False
        attempt = uuid.uuid4().hex
        self._fs.makedirs(self._path(batch_id), exist_ok=True)
        files = {}
        for name, table in tables.items():
            files[name] = f"{name}.{attempt}.parquet"
            with self._fs.open(self._path(batch_id, files[name]), "wb") as f:
                pq.write_table(table, f, compression="zstd")
            pause_point("stage")
        marker = {
            "batch_id": batch_id,
            "attempt": attempt,
            "tables": files,
            "rows": {name: table.num_rows for name, table in tables.items()},
            "written_at": dt.datetime.now(dt.UTC).isoformat(),
            "notes": dict(notes or {}),
        }
        temporary = self._path(batch_id, f"{MARKER}.{attempt}.tmp")
        self._fs.pipe_file(temporary, json.dumps(marker).encode())
        self._fs.mv(temporary, self._path(batch_id, MARKER))
        return True

    def list_ready(self) -> list[str]:
        """The ids of the batches that are ready to load, sorted; [] when the location is empty or absent."""
        try:
            found = self._fs.find(self._root, maxdepth=2)
        except FileNotFoundError:
            return []
        suffix = "/" + MARKER
        return sorted(p.rstrip("/")[: -len(suffix)].rsplit("/", 1)[-1] for p in found if p.rstrip("/").endswith(suffix))

    def ready(self, batch_id: str) -> bool:
        """True when the batch is committed and not removed."""
        return self._marker(_check("batch id", batch_id, _BATCH_ID)) is not None

    def notes(self, batch_id: str) -> dict[str, str]:
        """The `notes` the writer committed with a ready batch. Raises `FileNotFoundError` if the batch is not ready."""
        marker = self._marker(_check("batch id", batch_id, _BATCH_ID))
        if marker is None:
            raise FileNotFoundError(f"no staged batch {batch_id!r} ready in {self.location}")
        return marker.get("notes", {})

    def batches(self) -> list[str]:
        """The ids of every batch here, ready or not (a writer may have died half-way), sorted."""
        try:
            found = self._fs.ls(self._root, detail=True)
        except FileNotFoundError:
            return []
        return sorted(e["name"].rstrip("/").rsplit("/", 1)[-1] for e in found if e["type"] == "directory")

    def read(self, batch_id: str) -> dict[str, pa.Table]:
        """The tables of a ready batch, by name, as written. Raises `FileNotFoundError` if the batch is not ready."""
        marker = self._marker(_check("batch id", batch_id, _BATCH_ID))
        if marker is None:
            raise FileNotFoundError(f"no staged batch {batch_id!r} ready in {self.location}")
        tables = {}
        for name, file in marker["tables"].items():
            with self._fs.open(self._path(batch_id, file), "rb") as f:
                tables[name] = pq.read_table(f)
        return tables

    def remove(self, batch_id: str) -> None:
        """Delete a batch (marker first, so it is never seen half-deleted); a batch already gone is fine."""
        _check("batch id", batch_id, _BATCH_ID)
        for path in (self._path(batch_id, MARKER), self._path(batch_id)):
            try:
                self._fs.rm(path, recursive=True)
            except FileNotFoundError:
                pass

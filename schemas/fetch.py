"""The outcome of one HTTP fetch, success or failure."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cached_property

from pydantic import BaseModel, Field


class FetchResult(BaseModel):
    """A fetched body, a 304, or an error. `error` is set when nothing usable came back.

    `body` holds the decoded-from-transfer (gunzipped) bytes exactly as served;
    character decoding is the extractors' job.

    Times in milliseconds, over every try and redirect hop: `queued_ms` is the wait for a
    request slot (overall and per host) and for the host's pacing (delay, Crawl-delay,
    Retry-After); `elapsed_ms` is the rest of the fetch: the requests themselves, retry
    back-off, DNS and the robots.txt check. Together they are the fetch's wall time.
    """

    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    body: bytes | None = None
    fetched_at: dt.datetime
    elapsed_ms: float = 0.0
    queued_ms: float = 0.0
    attempts: int = 1
    error: str | None = None
    transient: bool = False  # the error may pass: a later run should try again (5xx, 429, timeouts, connection trouble)

    @cached_property
    def sha256(self) -> str | None:
        """Content key of the body: raw documents are stored and deduplicated by it."""
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

"""Input that could not be used: kept with its reason, never silently dropped."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Stage = Literal["feed", "entry", "fetch", "decode", "parse", "load", "analysis"]


class Reject(BaseModel):
    stage: Stage
    reason: str
    url: str | None = None
    raw_sha256: str | None = None
    detail: str | None = None

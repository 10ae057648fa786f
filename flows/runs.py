"""What every flow run does around its work: record it in `runs`, time it, show its progress, publish its
summary, and start the warehouse's upkeep (snapshot, compaction) when it ends."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from prefect import get_run_logger
from prefect.artifacts import acreate_markdown_artifact

from extractors import EXTRACTOR_VERSION
from flows import interrupt, progress
from flows.summary import RunSummary, artifact_key
from schemas.settings import Settings
from warehouse import load, maintenance, read
from warehouse.db import connect

BATCH = 200  # articles per batch of a stage: coarse enough that Prefect's overhead is noise

T = TypeVar("T")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, in order."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


@asynccontextmanager
async def recorded_run(db: str, flow_name: str, newest: bool = True) -> AsyncIterator[RunSummary]:
    """Record the run in `runs`, time it, log and publish its summary (with the `newest` articles' titles),
    and start the upkeep (snapshot, compaction) of the warehouse."""
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], flow=flow_name)
    t0 = time.monotonic()
    with connect(db) as con:
        load.start_run(con, summary.run_id, flow_name, EXTRACTOR_VERSION, now())
    async with progress.tracking(flow_name, artifact_key(f"{flow_name}-progress", db), Settings.from_env().progress_every) as counts:
        yield summary
        summary.interrupted, summary.pages_left = interrupt.requested(), counts.left()
    summary.seconds = time.monotonic() - t0
    with connect(db) as con:
        summary.newest = read.newest_titles(con) if newest else []
        load.finish_run(con, summary.run_id, now(), summary.as_dict())
    if not summary.interrupted:  # a stopped run starts nothing more; the next run's upkeep catches up
        maintenance.after_run(db)  # the snapshot, and compaction when due, in a process the run does not wait for
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    await acreate_markdown_artifact(summary.markdown(), key=artifact_key(flow_name, db), description=f"newsflow {flow_name} summary of {db}")

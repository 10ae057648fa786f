"""What every flow run does around its work: record it in `runs`, time it, publish its summary and a snapshot."""

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
from flows.summary import RunSummary, artifact_key
from warehouse import load, read, snapshot
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
    """Record the run in `runs`, time it, log and publish its summary (with the `newest` articles' titles)
    and a read-only snapshot of the warehouse."""
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], flow=flow_name)
    t0 = time.monotonic()
    with connect(db) as con:
        load.start_run(con, summary.run_id, flow_name, EXTRACTOR_VERSION, now())
    yield summary
    summary.seconds = time.monotonic() - t0
    with connect(db) as con:
        summary.newest = read.newest_titles(con) if newest else []
        load.finish_run(con, summary.run_id, now(), summary.as_dict())
    snapshot.publish(db)
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    await acreate_markdown_artifact(summary.markdown(), key=artifact_key(flow_name, db), description=f"newsflow {flow_name} summary of {db}")

"""Progress of a run: counts the flow feeds in as it goes, shown on the terminal and as a Prefect progress artifact.

The flow says what it knows where it knows it: feeds read after polling (`add`), the pages it
takes up (`begin`), each page fetched or parsed (`add`, from `flows.pipeline`), each batch
committed (`settled`). A reporter thread draws the line: redrawn in place every second when
stderr is a terminal, one log line every `Settings.progress_every` seconds (10 s) otherwise.
The flow run's progress artifact (Prefect UI, Artifacts) moves with each committed batch.

Rate and time left count committed pages only, since the run began its pages: the rate is
what the whole pipeline (fetch, parse, load) delivers, so the time left holds.
"""

from __future__ import annotations

import contextvars
import shutil
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TextIO
from uuid import UUID

from flows import interrupt

LIVE_EVERY_S = 1.0  # redraw of the line on a terminal


@dataclass
class Progress:
    """What a run has done so far. Counts are pages unless named otherwise; `total` is None until known."""

    flow: str
    feeds_read: int = 0
    feeds_failed: int = 0
    total: int | None = None  # pages the run takes up
    fetched: int = 0
    parsed: int = 0
    loaded: int = 0  # articles written, new or updated
    analysed: int = 0  # articles analysed (stage 2; for the analyze flow, `total` and `settled` count articles)
    rejected: int = 0
    settled: int = 0  # pages whose batch is committed: loaded, unchanged, rejected, or the page of another entry
    began: float | None = None  # time.monotonic() when the pages began
    artifact_key: str | None = None  # of the run's progress artifact
    artifact_id: UUID | None = None  # once created

    def add(self, **counts: int) -> None:
        for name, n in counts.items():
            setattr(self, name, getattr(self, name) + n)

    def left(self) -> int | None:
        """Pages not committed yet (None before the run knows its pages)."""
        return None if self.total is None else max(self.total - self.settled, 0)

    def rate(self, now: float) -> float | None:
        """Committed pages per second since the pages began; None before the first batch is committed."""
        if self.began is None or not self.settled or now <= self.began:
            return None
        return self.settled / (now - self.began)

    def seconds_left(self, now: float) -> float | None:
        rate, left = self.rate(now), self.left()
        return None if rate is None or left is None else left / rate

    def percent(self) -> float:
        """0-100, for the progress artifact."""
        return 100.0 * self.settled / self.total if self.total else 0.0

    def line(self, now: float, final: bool = False) -> str:
        """The progress as one line, e.g. "ingest: 2 feeds read · 3,000 pages: 1,234 fetched, 1,200 parsed, 1,000 loaded,
        12 rejected · 8.1 pages/s, 3 min 38 s left"; "stopping" once a stop is requested, "interrupted" in the `final` line."""
        parts = []
        if self.flow == "ingest":
            parts.append(f"{self.feeds_read:,} feed{'' if self.feeds_read == 1 else 's'} read"
                         + (f", {self.feeds_failed:,} failed" if self.feeds_failed else "")
                         if self.total is not None or self.feeds_read or self.feeds_failed else "reading the feeds")
        unit = "articles" if self.flow == "analyze" else "pages"
        if self.total is not None:
            if self.flow == "analyze":
                steps = [f"{self.analysed:,} analysed", f"{self.rejected:,} failed"]
            else:
                steps = ([f"{self.fetched:,} fetched"] if self.flow == "ingest" else []) + [
                    f"{self.parsed:,} parsed", f"{self.loaded:,} loaded", f"{self.rejected:,} rejected"]
                steps += [f"{self.analysed:,} analysed"] if self.analysed else []
            parts.append(f"{self.total:,} {unit}: " + ", ".join(steps))
            rate, left = self.rate(now), self.seconds_left(now)
            if rate is not None and left is not None:
                parts.append(f"{rate:.1f} {unit}/s, {duration(left)} left")
        if interrupt.requested():
            parts.append("interrupted" if final else "stopping")
        return f"{self.flow}: " + " · ".join(parts)


def duration(seconds: float) -> str:
    """A duration for people: "42 s", "3 min 38 s", "2 h 05 min"."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class Reporter:
    """Writes a run's progress to a stream: in place on a terminal (`live`), else a timestamped line every `every_s`."""

    def __init__(self, progress: Progress, stream: TextIO, live: bool, every_s: float):
        self.progress, self.stream, self.live = progress, stream, live
        self.every_s = LIVE_EVERY_S if live else every_s
        self._last: float | None = None
        self._drawn = False

    def tick(self, now: float) -> None:
        """Write the line if it is due at `now` (time.monotonic())."""
        if self._last is not None and now - self._last < self.every_s:
            return
        if self._last is None and not self.live:  # the first log line after a full period, not at the start
            self._last = now
            return
        self._last = now
        text = self.progress.line(now)
        if self.live:
            width = shutil.get_terminal_size((120, 24)).columns - 1
            self.stream.write("\r" + text[:width] + "\x1b[K")
            self._drawn = True
        else:
            self.stream.write(time.strftime("%H:%M:%S ") + text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear a live line, so what is printed next starts on a clean line."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


@contextmanager
def showing(text: str, stream: TextIO | None = None) -> Iterator[None]:
    """On a terminal, `text` as the live line while the block runs (a wait before any progress: a server starting)."""
    stream = stream or sys.stderr
    live = stream.isatty()
    if live:
        stream.write(f"\r{text}\x1b[K")
        stream.flush()
    try:
        yield
    finally:
        if live:
            stream.write("\r\x1b[K")
            stream.flush()


_current: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("newsflow_progress", default=None)


def add(**counts: int) -> None:
    """Add to the counts of the run in progress (nothing outside a run): `add(fetched=1)`."""
    if (p := _current.get()) is not None:
        p.add(**counts)


async def begin(total: int) -> None:
    """The run now knows how many pages it takes up: the rate and time left start here."""
    if (p := _current.get()) is not None:
        p.total, p.began = total, time.monotonic()
        await _publish(p)


async def settled(pages: int, loaded: int, rejected: int) -> None:
    """A batch of `pages` was committed, writing `loaded` articles and `rejected` rejects."""
    if (p := _current.get()) is not None:
        p.add(settled=pages, loaded=loaded, rejected=rejected)
        await _publish(p)


@asynccontextmanager
async def tracking(flow: str, artifact_key: str, every_s: float, stream: TextIO | None = None) -> AsyncIterator[Progress]:
    """Count a run's progress and report it on `stream` (stderr) and as a progress artifact keyed `artifact_key`,
    from a reporter thread, until the block ends."""
    stream = stream or sys.stderr
    progress = Progress(flow, artifact_key=artifact_key)
    reporter = Reporter(progress, stream, live=stream.isatty(), every_s=every_s)
    done = threading.Event()

    def report() -> None:
        while not done.wait(min(reporter.every_s, LIVE_EVERY_S)):
            reporter.tick(time.monotonic())

    thread = threading.Thread(target=report, name="newsflow-progress", daemon=True)
    token = _current.set(progress)
    thread.start()
    try:
        yield progress
    finally:
        done.set()
        thread.join()
        reporter.close()
        _current.reset(token)
    if progress.total is not None:
        await _publish(progress, final=True)


async def _publish(p: Progress, final: bool = False) -> None:
    """Create the run's progress artifact, or move it: percent of pages committed, the line as its description."""
    from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact

    description = p.line(time.monotonic(), final)
    if p.artifact_id is None:
        p.artifact_id = await acreate_progress_artifact(p.percent(), key=p.artifact_key, description=description)
    else:
        await aupdate_progress_artifact(p.artifact_id, p.percent(), description=description)

"""Where a run's CPU and memory go, sampled from threads of the bench process that runs the flow in-process.

`TreeSampler` (every 50 ms; the tree listed again every 0.5 s): each process of the bench's tree (the farm excluded) by its role
(`role`, read once per process): its CPU (user + system, counted from the sampler's start for processes that were already
there, wholly for those started later; the last sample of a process that ended) and the tree's peak
RSS with each role's part at the peak (and the peak without the upkeep's part). A direct child the bench process reaped meanwhile
is counted exactly, by the bench process's children times, not by its samples: the Prefect server a command starts and stops
(inside `TreeSampler.reaping`), and the run's upkeep (`warehouse.maintenance.wait`: every other child reaped).

`ThreadSampler` (every `PERIOD_S`): the CPU of each Python thread of the bench process (its own CPU
clock, `time.pthread_getcpuclockid`), charged to an owner:

- a thread whose target (or class) is Prefect's code (Prefect's event-loop, log, event and
  cancellation threads): all its CPU is Prefect's ("Prefect's threads");
- any other thread (the main thread, which runs the flow's event loop; `asyncio.to_thread` workers,
  "asyncio_N"; executor threads): each interval's CPU goes to the owner of the thread's innermost
  frame that is Prefect's (the installed `prefect` package) or the project's (a file of this
  repository outside `bench/` and `.venv/`), as seen at the end of the interval; library frames
  (pydantic, httpx, asyncio, ...) go to the nearest such frame below them. No such frame: "other"
  (the event loop's own bookkeeping under the bench's `asyncio.run`).

Threads that are not Python's (DuckDB's, ...) are the process's CPU less its Python threads'.
The samplers' own CPU is left out of every total. A sampled share is an estimate: a 10 ms sample
charges the whole interval to what runs at its end.

It also samples the parse workers' pool (`flows.parallel._pool`, a `ProcessPoolExecutor`): idle
share of a sample = max(0, workers - outstanding work items) / workers, where outstanding counts the
chunks submitted and not finished (`_pending_work_items`); samples are kept by the stage running
(`stage`, set by the bench) between the first and the last sample with work of that stage. A worker
starved of CPU by another process is busy, not idle: the idle share is the workers waiting for work
(on the network, on DuckDB, on the flow's process).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
PERIOD_S = 0.01
_OWNERS = ("prefect", "project", "other")


def role(p: psutil.Process, me: psutil.Process) -> str:
    """main, prefect server, upkeep, forkserver, workers (the forkserver's children), resource tracker or other."""
    if p.pid == me.pid:
        return "main"
    cmd = " ".join(p.cmdline())
    if "forkserver" in cmd:
        return "forkserver" if p.ppid() == me.pid else "workers"
    if "warehouse.maintenance" in cmd:
        return "upkeep"
    if "prefect" in cmd or "uvicorn" in cmd:
        return "prefect server"
    if "resource_tracker" in cmd:
        return "resource tracker"
    return "other"


def _process_cpu(t) -> float:
    return t.user + t.system


class TreeSampler(threading.Thread):
    """CPU seconds by role over the sampling, and the peak RSS by role (module docstring)."""

    def __init__(self, exclude: set[int], period_s: float = 0.05, list_s: float = 0.5):
        super().__init__(daemon=True, name="bench-tree-sampler")
        self.exclude, self.period_s, self.list_s, self._halt = exclude, period_s, list_s, threading.Event()
        self._procs: list[psutil.Process] = []
        self._listed_at = 0.0
        self.me = psutil.Process()
        self.peak, self.parts, self.peak_without_upkeep = 0, {}, 0
        self.first: dict[tuple[int, float], float] = {}
        self._roles: dict[tuple[int, float], str] = {}
        self.last: dict[tuple[int, float], tuple[str, float]] = {}
        self.own_cpu = 0.0
        self.reaped: dict[str, float] = defaultdict(float)  # exact CPU of children of a role reaped inside `reaping`
        self._reaped0 = self._children_cpu()
        self._sample(start=True)

    def _children_cpu(self) -> float:
        t = self.me.cpu_times()
        return t.children_user + t.children_system

    @contextlib.contextmanager
    def reaping(self, of_role: str) -> Iterator[None]:
        """Around code that stops and reaps this process's children of `of_role` (a Prefect server the command started):
        their exact CPU, from the OS's count of reaped children, is that role's instead of its samples, and not the upkeep's."""
        before = self._children_cpu()
        try:
            yield
        finally:
            self.reaped[of_role] += self._children_cpu() - before

    def _sample(self, start: bool = False) -> None:
        if start or time.monotonic() - self._listed_at >= self.list_s:  # listing the tree reads every process of the machine
            self._procs, self._listed_at = [self.me, *self.me.children(recursive=True)], time.monotonic()
        parts: dict[str, int] = {}
        for p in self._procs:
            if p.pid in self.exclude:
                continue
            try:
                with p.oneshot():
                    key, cpu, rss = (p.pid, p.create_time()), _process_cpu(p.cpu_times()), p.memory_info().rss
                    r = self._role(p, key)
            except psutil.Error:
                continue
            if start:
                self.first[key] = cpu
            self.last[key] = (r, cpu)
            parts[r] = parts.get(r, 0) + rss
        total = sum(parts.values())
        if total > self.peak:
            self.peak, self.parts = total, parts
        self.peak_without_upkeep = max(self.peak_without_upkeep, total - parts.get("upkeep", 0))

    def _role(self, p: psutil.Process, key: tuple[int, float]) -> str:
        """`role(p)`, kept once known. "other" is read again: a child seen between its fork and its exec still shows its
        parent's command line (a 20,000-article run counted Prefect's server as "other" that way)."""
        if self._roles.get(key, "other") == "other":
            self._roles[key] = role(p, self.me)
        return self._roles[key]

    def cpu_now(self, of_role: str) -> float:
        """CPU seconds the processes of one role have used so far (since the start for those already there)."""
        total = 0.0
        for p in self.me.children(recursive=True):
            try:
                key = (p.pid, p.create_time())
                if self._role(p, key) == of_role:
                    total += _process_cpu(p.cpu_times()) - self.first.get(key, 0.0)
            except psutil.Error:
                continue
        return total

    def run(self) -> None:
        while not self._halt.wait(self.period_s):
            self._sample()
        self._sample()
        self.own_cpu = time.thread_time()

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds of each role since the start (after `stop`). "upkeep" is the exact CPU of the children reaped
        outside `reaping`; the roles reaped inside it have their exact CPU too."""
        out: dict[str, float] = defaultdict(float)
        for key, (r, cpu) in self.last.items():
            if r != "upkeep" and r not in self.reaped:
                out[r] += cpu - self.first.get(key, 0.0)
        out |= self.reaped
        out["upkeep"] = self._children_cpu() - self._reaped0 - sum(self.reaped.values())
        out["main"] -= self.own_cpu
        return dict(out)


def _owner_of_file(filename: str, prefect_dir: str) -> str | None:
    if filename.startswith(prefect_dir):
        return "prefect"
    root = str(ROOT) + os.sep
    if filename.startswith(root) and not filename.startswith((root + "bench" + os.sep, root + ".venv" + os.sep)):
        return "project"
    return None


def _prefect_thread(t: threading.Thread) -> bool:
    target = getattr(t, "_target", None)
    module = getattr(target, "__module__", None) or type(t).__module__
    return module.startswith("prefect")


class ThreadSampler(threading.Thread):
    """CPU seconds of the bench process's Python threads by owner, and the worker pool's idle share (module docstring)."""

    def __init__(self, period_s: float = PERIOD_S):
        super().__init__(daemon=True, name="bench-thread-sampler")
        import prefect

        self.prefect_dir = str(Path(prefect.__file__).parent) + os.sep
        self.period_s, self._halt = period_s, threading.Event()
        self.main_ident = threading.main_thread().ident
        self.spent: dict[str, float] = defaultdict(float)  # "main prefect", "threads project", "prefect threads", ...
        self.stage = "parse"  # set by the bench when stage 2 starts
        self.pool: dict[str, list[tuple[float, float, int]]] = defaultdict(list)  # stage -> [(time, idle share, outstanding)]
        self.own_cpu = 0.0
        self._cpu: dict[int, float] = {}
        self._owners: dict[object, str | None] = {}

    def _owner(self, frame) -> str:
        while frame is not None:
            code = getattr(frame, "f_code", None)
            if code is None:  # the thread moved on while we walked its stack: CPython 3.11 then hands back what its frame held
                return "other"
            if code not in self._owners:
                self._owners[code] = _owner_of_file(code.co_filename, self.prefect_dir)
            if (found := self._owners[code]) is not None:
                return found
            frame = frame.f_back
        return "other"

    def _threads(self) -> None:
        frames = None
        for t in threading.enumerate():
            if t is self or t.name.startswith("bench-") or t.ident is None:
                continue
            try:
                cpu = time.clock_gettime(time.pthread_getcpuclockid(t.ident))
            except OSError:  # it ended
                continue
            delta, self._cpu[t.ident] = cpu - self._cpu.get(t.ident, cpu), cpu
            if delta <= 0:
                continue
            if _prefect_thread(t):
                self.spent["prefect threads"] += delta
                continue
            frames = frames if frames is not None else sys._current_frames()
            where = "main" if t.ident == self.main_ident else "threads"
            self.spent[f"{where} {self._owner(frames.get(t.ident))}"] += delta

    def _pool(self) -> None:
        import flows.parallel

        pool = flows.parallel._pool
        if pool is None:
            return
        workers, outstanding = pool._max_workers, len(pool._pending_work_items)
        self.pool[self.stage].append((time.monotonic(), max(0, workers - outstanding) / workers, outstanding))

    def run(self) -> None:
        self._threads()  # the first reading of each thread's clock
        self.spent.clear()
        while not self._halt.wait(self.period_s):
            self._threads()
            self._pool()
        self._threads()
        self.own_cpu = time.thread_time()

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def idle_share(self, stage: str | None = None) -> float | None:
        """Mean idle share of the pool's samples between the first and last with work, of one stage or of all; None without any."""
        kept: list[float] = []
        for name, samples in self.pool.items():
            if stage is not None and name != stage:
                continue
            busy = [i for i, (_, _, outstanding) in enumerate(samples) if outstanding]
            if busy:
                kept += [idle for _, idle, _ in samples[busy[0] : busy[-1] + 1]]
        return sum(kept) / len(kept) if kept else None

    def python_threads_cpu(self) -> float:
        return sum(self.spent.values())

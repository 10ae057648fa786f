"""A real Dask cluster on 127.0.0.1: `dask scheduler` and `dask worker` processes of this venv.

Workers run without a nanny, so the PID a task reports is the worker process a test may
kill, and no process restarts behind the test's back. Each process leads its own process
group, and stopping checks that no process of any group is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client

from flows.config import PREFECT_DEFAULTS

DASK = Path(sys.executable).with_name("dask")
TESTS = Path(__file__).resolve().parent


class DaskCluster:
    """A running scheduler and its workers; `address` is what `--cluster` takes."""

    def __init__(self, address: str, scheduler: subprocess.Popen, workers: list[subprocess.Popen], tmp_path: Path, env: dict[str, str]):
        self.address = address
        self.scheduler = scheduler
        self.workers = workers
        self.tmp_path, self.env = tmp_path, env
        self.started = 0  # workers started, dead ones included: names them

    @property
    def worker_pids(self) -> set[int]:
        """The PIDs of the workers that are running."""
        return {w.pid for w in self.workers if w.poll() is None}

    def start_worker(self) -> None:
        """Start one more single-threaded worker, without a nanny (the PID a task reports is the worker's)."""
        name = f"worker-{self.started}"
        self.started += 1
        self.workers.append(
            _start(["worker", self.address, "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                    "--name", name, "--local-directory", str(self.tmp_path / name)], self.tmp_path / f"{name}.log", self.env)
        )

    def wait_for_workers(self, timeout_s: float = 60) -> None:
        """Wait until the scheduler knows exactly the running workers."""
        with Client(self.address, timeout=timeout_s) as client:
            deadline = time.monotonic() + timeout_s
            while len(client.scheduler_info(n_workers=-1)["workers"]) != len(self.worker_pids):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the scheduler never saw {len(self.worker_pids)} workers; see {self.tmp_path}")
                time.sleep(0.1)

    def revive(self) -> None:
        """Replace every worker that has died (a test killed it), so the cluster has as many as it started with."""
        dead = [w for w in self.workers if w.poll() is not None]
        self.workers = [w for w in self.workers if w not in dead]
        for _ in dead:
            self.start_worker()
        if dead:
            self.wait_for_workers()

    def stop(self, grace_s: float = 10) -> None:
        """Stop the workers, then the scheduler (SIGTERM, SIGKILL after `grace_s`); raise if any process is left."""
        for group in (self.workers, [self.scheduler]):  # all workers at once, then the scheduler
            for proc in group:
                proc.terminate()  # a no-op for a process already reaped
            for proc in group:
                try:
                    proc.wait(grace_s)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(grace_s)
        left = []
        for proc in (*self.workers, self.scheduler):
            deadline = time.monotonic() + grace_s
            while True:
                try:
                    os.killpg(proc.pid, 0)  # anyone left in the group this process led?
                except ProcessLookupError:
                    break
                if time.monotonic() > deadline:
                    os.killpg(proc.pid, signal.SIGKILL)
                    left.append(proc.pid)
                    break
                time.sleep(0.05)
        assert not left, f"processes left running in the groups of {left}"


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen([str(DASK), *args], stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


@contextlib.contextmanager
def dask_cluster_running(tmp_path: Path, workers: int = 2, timeout_s: float = 60) -> Iterator[DaskCluster]:
    """Start a scheduler on a free loopback port and `workers` single-threaded workers; stop them all at the end.

    Workers get this venv's environment without Prefect's quiet defaults (newsflow's worker
    setup must bring them) and with tests/ on PYTHONPATH (tasks defined in test modules are
    pickled by reference, as newsflow's are on a real cluster where it is installed).
    """
    env = {k: v for k, v in os.environ.items() if k not in PREFECT_DEFAULTS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = _start(
        ["scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
        tmp_path / "scheduler.log",
        env,
    )
    cluster = DaskCluster("", scheduler, [], tmp_path, env)
    try:
        deadline = time.monotonic() + timeout_s
        while not cluster.address:
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dask scheduler did not start; see {tmp_path / 'scheduler.log'}")
            time.sleep(0.05)
            with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):  # written while we look
                cluster.address = json.loads(scheduler_file.read_text())["address"]
        for _ in range(workers):
            cluster.start_worker()
        cluster.wait_for_workers(timeout_s)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory) -> Iterator[DaskCluster]:
    """A scheduler and two workers for one test module; a module whose tasks report to Prefect
    should start its Prefect server before this fixture, so the workers stop while it still answers."""
    with dask_cluster_running(tmp_path_factory.mktemp("dask")) as cluster:
        yield cluster

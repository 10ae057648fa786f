"""Tasks and flows that tests run on a real Dask cluster (tests/test_cluster.py).

They live apart from the tests so that workers, which import this module by name (tests/ is
on their PYTHONPATH), import Prefect's task engine only, not pytest and Prefect's test server.
"""

import os
import time

from prefect import flow, task
from prefect.context import get_run_context

WARMED: list[int] = []  # filled in a worker process by its setup


def warm_up() -> None:
    WARMED.append(os.getpid())


def warmed() -> list[int]:
    """What the setup left in this process. A task's own function travels by value with copies
    of its globals (the module name holds the Task, not the function), so it must ask a module function."""
    return list(WARMED)


@task
def where(seconds: float) -> dict:
    """Runs on a worker: its PID, what its setup left, and one of Prefect's quiet settings."""
    time.sleep(seconds)
    return {"pid": os.getpid(), "warmed": warmed(), "do_not_track": os.environ.get("DO_NOT_TRACK")}


@task
def slow_batch(marker: str, seconds: float) -> int:
    """A batch that records each attempt (start, end) with the PID of the worker that ran it."""
    with open(marker, "a") as f:
        f.write(f"start {os.getpid()}\n")
    time.sleep(seconds)
    with open(marker, "a") as f:
        f.write(f"end {os.getpid()}\n")
    return os.getpid()


@flow
def two_places() -> list[dict]:
    futures = [where.submit(0.5) for _ in range(2)]
    return [f.result() for f in futures]


@flow
def one_batch(marker: str, seconds: float) -> tuple[list[int], str]:
    futures = [slow_batch.submit(marker, seconds)]
    return [f.result() for f in futures], str(get_run_context().flow_run.id)


def set_environment(values: dict[str, str | None]) -> None:
    """Set (or, for None, remove) environment variables in the worker process this runs on (`Client.run`)."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@task
def dask_settings(names: list[str]) -> dict:
    """The Dask settings the worker this runs on was started with."""
    import dask

    return {name: dask.config.get(name) for name in names}


@flow
def settings_on_a_worker(names: list[str]) -> dict:
    return dask_settings.submit(names).result()

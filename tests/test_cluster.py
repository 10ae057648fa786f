"""Prefect flows on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1.

The flows and tasks are in tests/cluster_tasks.py. The test that kills a worker comes last:
the module's cluster has one worker left after it.
"""

import os
import signal
import threading
import time

import pytest
from cluster_tasks import one_batch, two_places
from distributed import Client
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.testing.utilities import prefect_test_harness

from flows.cluster import WorkerSetup, parse_cluster, task_runner
from flows.config import ConfigError


@pytest.fixture(scope="module")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def cluster(prefect_api, dask_cluster):
    """The Prefect server starts before the cluster and stops after it."""
    return dask_cluster


def test_tasks_run_on_both_workers_each_prepared_once(cluster):
    runner = task_runner(parse_cluster(cluster.address), warm=["cluster_tasks.warm_up"])
    results = two_places.with_options(task_runner=runner)()
    assert {r["pid"] for r in results} == cluster.worker_pids  # one task on each worker
    for r in results:
        assert r["warmed"] == [r["pid"]]  # the warm-up ran once in that worker process
        assert r["do_not_track"] == "1"  # quiet Prefect defaults, though the worker was started without them


def test_a_worker_that_cannot_be_prepared_stops_the_run_in_one_line(cluster):
    runner = task_runner(parse_cluster(cluster.address), warm=["cluster_tasks.no_such_function"])
    with pytest.raises(ConfigError, match="a Dask worker could not be prepared: AttributeError: .*no_such_function") as e:
        two_places.with_options(task_runner=runner)()
    assert "\n" not in str(e.value)
    with Client(cluster.address) as client, pytest.raises(ConnectionError, match="cannot reach the Prefect API at http://127.0.0.1:9/api"):
        client.register_plugin(WorkerSetup("http://127.0.0.1:9/api"))


def test_a_batch_whose_worker_dies_is_run_again_on_the_other_worker_and_delivered_once(cluster, tmp_path):
    marker = tmp_path / "attempts.txt"
    killed = []

    def kill_the_worker_running_it():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = marker.read_text() if marker.exists() else ""  # the file exists a moment before its line
            if line.endswith("\n"):
                pid = int(line.split()[1])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_worker_running_it, daemon=True)
    killer.start()
    runner = task_runner(parse_cluster(cluster.address))
    results, flow_run_id = one_batch.with_options(task_runner=runner)(str(marker), 3.0)
    killer.join(5)
    (dead,) = killed
    (survivor,) = cluster.worker_pids - {dead}
    assert results == [survivor]
    assert marker.read_text().split("\n") == [f"start {dead}", f"start {survivor}", f"end {survivor}", ""]
    # One task run, completed once: Dask re-ran the same run. Workers report states as events,
    # which the server records a moment later; the dead attempt's own may be missing (a killed
    # worker cannot send its last ones).
    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + 30
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            states = [s.type.value for run in runs for s in client.read_task_run_states(run.id)]
            if states[-1:] == ["COMPLETED"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert len(runs) == 1 and runs[0].state.is_completed()
    assert states[-1] == "COMPLETED" and states.count("COMPLETED") == 1, states

"""Cluster specs: what `--cluster` / NEWSFLOW_DASK_ADDRESS accept, the task runner each gives, and what a
flow sends to workers. No connections."""

import cloudpickle
import dask
import pytest
from click.testing import CliRunner
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows import cluster_batches, ingest
from flows.cli import main
from flows.cluster import EXTRACTOR_VERSION, NLP_WARMUP, ClusterSpec, NewsflowTaskRunner, _resolve, cluster_runner, parse_cluster, task_runner
from flows.config import ConfigError
from schemas.settings import env_name

ENV = env_name("dask_address")  # NEWSFLOW_DASK_ADDRESS, read through schemas/settings.py


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("tcp://127.0.0.1:8786", ClusterSpec(address="tcp://127.0.0.1:8786")),
        (" tcp://scheduler.example:8786 ", ClusterSpec(address="tcp://scheduler.example:8786")),
        ("tcp://[::1]:8786/", ClusterSpec(address="tcp://[::1]:8786")),
        ("local:3", ClusterSpec(local_workers=3)),
    ],
)
def test_specs_that_name_a_cluster_or_none(spec, expected):
    assert parse_cluster(spec) == expected


def test_local_means_one_worker_per_core(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert parse_cluster("local") == ClusterSpec(local_workers=6)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("127.0.0.1:8786", "did you mean tcp://127.0.0.1:8786?"),
        ("http://127.0.0.1:8786", "expected tcp://HOST:PORT"),
        ("tcp://127.0.0.1", "expected tcp://HOST:PORT"),
        ("tcp://127.0.0.1:99999", "expected tcp://HOST:PORT"),
        ("tcp://:8786", "expected tcp://HOST:PORT"),
        ("tcp://host:8786/path", "expected tcp://HOST:PORT"),
        ("local:0", "at least 1"),
        ("local:two", "at least 1"),
        ("locals", "expected tcp://HOST:PORT"),
    ],
)
def test_bad_specs_get_one_line_saying_what_is_expected(spec, says):
    with pytest.raises(ConfigError) as e:
        parse_cluster(spec)
    assert says in str(e.value) and repr(spec) in str(e.value) and "\n" not in str(e.value)


def test_loopback_schedulers_and_local_clusters_are_on_this_machine():
    assert ClusterSpec(local_workers=2).on_this_machine
    for address in ("tcp://127.0.0.1:1", "tcp://127.8.0.1:1", "tcp://localhost:1", "tcp://[::1]:1"):
        assert ClusterSpec(address=address).on_this_machine, address
    for address in ("tcp://10.0.0.5:1", "tcp://scheduler.example:1"):
        assert not ClusterSpec(address=address).on_this_machine, address


def test_task_runners_connect_or_start_a_loopback_local_cluster():
    remote = task_runner(ClusterSpec(address="tcp://10.0.0.5:8786"), warm=[NLP_WARMUP])
    assert isinstance(remote, NewsflowTaskRunner) and remote.address == "tcp://10.0.0.5:8786"
    assert remote.duplicate().warm == (NLP_WARMUP,)  # Prefect runs each flow on a duplicate
    local = task_runner(ClusterSpec(local_workers=2))
    assert local.address is None and local.cluster_class == "distributed.LocalCluster"
    assert local.cluster_kwargs["n_workers"] == 2 and local.cluster_kwargs["threads_per_worker"] == 1
    assert local.cluster_kwargs["host"] == "127.0.0.1" and local.cluster_kwargs["dashboard_address"].startswith("127.0.0.1:")
    assert callable(_resolve(NLP_WARMUP))  # the warm-up name still names the model loader


def test_cluster_runner_reads_the_environment_and_needs_a_reachable_prefect_api(monkeypatch):
    assert ENV == "NEWSFLOW_DASK_ADDRESS"
    monkeypatch.delenv(ENV, raising=False)
    with cluster_runner() as runner:
        assert runner is None  # no cluster: the flow keeps its own runner
    monkeypatch.setenv(ENV, "tcp://10.0.0.5:8786")
    with temporary_settings({PREFECT_API_URL: "http://10.0.0.9:4200/api"}), cluster_runner(analysis=True) as runner:
        assert runner.address == "tcp://10.0.0.5:8786" and runner.warm == (NLP_WARMUP,)
    with cluster_runner("") as runner:
        assert runner is None  # an explicit empty flag beats the environment
    with temporary_settings(restore_defaults={PREFECT_API_URL}), pytest.raises(ConfigError, match="set PREFECT_API_URL"):
        with cluster_runner():
            pass


def test_no_scheduler_at_the_address_is_one_line():
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), task_runner(parse_cluster("tcp://127.0.0.1:9")) as runner:
        with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9: ") as e:
            _ = runner.client  # connects on first use, as a flow's first submit does
    assert "\n" not in str(e.value)


def test_the_flows_and_the_worker_task_can_be_sent_to_workers():
    """A flow run on Dask sends the flow (its function by value, with every global it names) with each task."""
    for sent in (ingest.ingest, ingest.reprocess, cluster_batches.parse_staged):
        assert cloudpickle.loads(cloudpickle.dumps(sent)).name == sent.name


def test_analysing_workers_must_run_the_coordinators_extractor_version():
    from extractors import EXTRACTOR_VERSION as version

    with temporary_settings({PREFECT_API_URL: "http://10.0.0.9:4200/api"}), cluster_runner("tcp://10.0.0.5:8786", analysis=True) as runner:
        assert runner.expect == {EXTRACTOR_VERSION: version} and _resolve(EXTRACTOR_VERSION) == version
        assert runner.duplicate().expect == runner.expect


@pytest.mark.parametrize(("todo", "workers", "size"), [(40, 2, 25), (400, 2, 100), (10_000, 2, 200), (10_000, 100, 50), (3, 8, 25)])
def test_batches_are_coarse_but_give_every_worker_two(todo, workers, size):
    assert cluster_batches.batch_size(todo, workers, largest=200) == size


def test_a_bad_cluster_or_staging_location_stops_ingest_in_one_line_before_the_warehouse_is_made(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "here"\nurl = "http://127.0.0.1:9/rss.xml"\n')
    db = tmp_path / "w.duckdb"
    for options, words in (
        (["--cluster", "127.0.0.1:8786"], "did you mean tcp://127.0.0.1:8786?"),
        (["--cluster", "local:0"], "at least 1"),
        (["--staging", "nosuch://bucket/x"], "staging location 'nosuch://bucket/x'"),
    ):
        result = CliRunner().invoke(main, ["ingest", "--allow-local", "--feeds", str(feeds), "--db", str(db), *options])
        assert result.exit_code == 2 and words in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not db.exists()

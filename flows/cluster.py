"""Running a flow's batch tasks on a Dask cluster, through Prefect's `DaskTaskRunner`.

A cluster is named by a spec, from `--cluster` or `NEWSFLOW_DASK_ADDRESS`:

    tcp://HOST:PORT   the scheduler of a running cluster (`dask scheduler`, `dask worker ADDRESS`)
    local             a `distributed.LocalCluster` with one worker process per core, for this run
    local:N           the same with N worker processes

No spec (or an empty one) means no cluster: the flow keeps its own task runner.

Tasks submitted with `.submit()` run on the workers; each task run there reports to the
Prefect API the coordinator uses, so the workers must reach it. Without `PREFECT_API_URL`
Prefect would start a private server in every worker process, so `cluster_runner` starts
one on 127.0.0.1 for a local or loopback cluster, and asks for `PREFECT_API_URL` otherwise.

Every worker is prepared once, when the flow first submits work (`WorkerSetup`): Prefect's
quiet defaults, a check that it reaches the Prefect API, a check that it runs the extractor
version the coordinator runs (same code, reference data and model), and the warm-up functions
(the spaCy model for analysis), so a worker that cannot do the work fails the run at once with
a one-line message instead of failing each batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import ipaddress
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import dask
import httpx
from distributed.diagnostics.plugin import WorkerPlugin
from prefect_dask import DaskTaskRunner

from flows.config import ConfigError, quiet_prefect
from schemas.settings import Settings

NLP_WARMUP = "extractors.entities.nlp.load_nlp"  # loads the spaCy pipeline once per process
# Dask settings for the processes of a local cluster, and what docs/operations.md gives `dask worker`: Dask's
# sampling profiler looks at the running task every 10 ms and the event loop ticks every 20 ms, which costs a
# worker running CPU-bound Python about 10 % of its CPU (a batch of 100 farm pages, parse and analysis: 129 ms an
# article with Dask's defaults, 117 with these, 107 outside Dask).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "200ms"}
EXTRACTOR_VERSION = "extractors.EXTRACTOR_VERSION"  # must be the coordinator's on every worker that analyses
_USAGE = "expected tcp://HOST:PORT (a running Dask scheduler), local or local:N (N worker processes here)"


@dataclass(frozen=True)
class ClusterSpec:
    """A parsed cluster spec: the address of a running scheduler, or a number of local worker processes."""

    address: str | None = None
    local_workers: int | None = None

    @property
    def on_this_machine(self) -> bool:
        """True for a local cluster or a scheduler on a loopback address (no name is resolved)."""
        if self.address is None:
            return True
        host = urlsplit(self.address).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


def parse_cluster(spec: str | None) -> ClusterSpec | None:
    """`tcp://HOST:PORT`, `local` or `local:N` as a `ClusterSpec`; None or "" as None (no cluster).

    Raises `ConfigError` with a one-line message for anything else.
    """
    spec = (spec or "").strip()
    if not spec:
        return None
    if spec == "local":
        return ClusterSpec(local_workers=os.cpu_count() or 1)
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"cluster {spec!r}: the number of local workers must be a whole number of at least 1")
        return ClusterSpec(local_workers=int(count))
    parts = urlsplit(spec)
    if parts.scheme != "tcp":
        hint = f"; did you mean tcp://{spec}?" if "://" not in spec else ""
        raise ConfigError(f"cluster {spec!r}: {_USAGE}{hint}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or port < 1 or parts.path.strip("/") or parts.query or parts.username:
        raise ConfigError(f"cluster {spec!r}: {_USAGE}")
    return ClusterSpec(address=f"tcp://{parts.netloc}")


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [""])[0]


def _resolve(name: str):
    """The object named `package.module.name`."""
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


class WorkerSetup(WorkerPlugin):
    """Prepares a Dask worker process once, before it runs newsflow's tasks.

    `api_url`: the Prefect API the coordinator uses (checked for reachability; any HTTP
    answer counts). `expect`: names of values (`package.module.name`) and the values the
    coordinator has; a worker with another value refuses to start work. `warm`: names of
    functions (`package.module.function`) to call once. Registered under one name, so a later
    run's registration replaces an earlier one.
    """

    name = "newsflow-worker-setup"

    def __init__(self, api_url: str | None, warm: Sequence[str] = (), expect: Mapping[str, str] | None = None):
        self.api_url = api_url
        self.warm = tuple(warm)
        self.expect = dict(expect or {})

    def setup(self, worker) -> None:
        quiet_prefect()
        if self.api_url:
            try:
                httpx.get(self.api_url.rstrip("/") + "/health", timeout=10)
            except httpx.TransportError as e:
                raise ConnectionError(
                    f"cannot reach the Prefect API at {self.api_url} ({type(e).__name__}); set PREFECT_API_URL to an address the workers can reach"
                ) from None
        for name, value in self.expect.items():
            if (found := _resolve(name)) != value:
                raise RuntimeError(f"{name} is {found} on this worker but {value} on the coordinator; "
                                   "install the same newsflow commit and spaCy model on every machine")
        for name in self.warm:
            _resolve(name)()


class NewsflowTaskRunner(DaskTaskRunner):
    """A `DaskTaskRunner` that registers `WorkerSetup` when it first connects.

    Prefect enters a duplicate of the runner for each flow run (and on workers, for task
    runs, where it never connects), so `duplicate` carries `warm` and `expect` along.
    """

    def __init__(self, *, warm: Sequence[str] = (), expect: Mapping[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.warm = tuple(warm)
        self.expect = dict(expect or {})
        self._workers_prepared = False

    @property
    def client(self):
        try:
            with dask.config.set(WORKER_CONFIG):  # read by a local cluster's processes when they start
                client = super().client
        except OSError as e:  # no scheduler at that address, or a local cluster that cannot start
            where = f"the Dask scheduler at {self.address}" if self.address else "a local Dask cluster"
            raise ConfigError(f"cannot reach {where}: {_first_line(e)}") from e
        if not self._workers_prepared:
            from prefect.settings import PREFECT_API_URL

            try:
                client.register_plugin(WorkerSetup(PREFECT_API_URL.value(), self.warm, self.expect))
            except Exception as e:  # whatever the worker raised, for the user in one line
                raise ConfigError(f"a Dask worker could not be prepared: {type(e).__name__}: {_first_line(e)}") from e
            self._workers_prepared = True
        return client

    def duplicate(self):
        copy = super().duplicate()
        copy.warm, copy.expect = self.warm, self.expect
        return copy


def task_runner(spec: ClusterSpec, warm: Sequence[str] = (), expect: Mapping[str, str] | None = None) -> NewsflowTaskRunner:
    """The Prefect task runner for a parsed spec: connect to its scheduler, or start a LocalCluster for the run.

    A LocalCluster has one thread per worker process (the work is CPU-bound Python) and
    listens, dashboard included, on 127.0.0.1 only.
    """
    if spec.address:
        return NewsflowTaskRunner(address=spec.address, warm=warm, expect=expect)
    return NewsflowTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": spec.local_workers,
            "threads_per_worker": 1,
            "processes": True,
            "host": "127.0.0.1",
            "dashboard_address": "127.0.0.1:8787",
        },
        warm=warm,
        expect=expect,
    )


@contextlib.contextmanager
def cluster_runner(spec: str | None = None, *, analysis: bool = False) -> Iterator[NewsflowTaskRunner | None]:
    """The task runner for `spec` (None: the `dask_address` setting, `NEWSFLOW_DASK_ADDRESS`), or None when no
    cluster is asked for.

    Use as `flow.with_options(task_runner=runner)` inside the block. `analysis`: workers load
    the spaCy pipeline before their first task, and must run the coordinator's extractor
    version. Without `PREFECT_API_URL`, a Prefect server
    is started on 127.0.0.1 for the block when the cluster is on this machine; for a remote
    scheduler that raises `ConfigError` (the workers could not reach it).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.prefect_server import local_server

    parsed = parse_cluster(Settings.from_env().dask_address if spec is None else spec)
    if parsed is None:
        yield None
        return
    if analysis:
        from extractors import EXTRACTOR_VERSION as version

        runner = task_runner(parsed, warm=(NLP_WARMUP,), expect={EXTRACTOR_VERSION: version})
    else:
        runner = task_runner(parsed)
    check_reachable(parsed)
    if PREFECT_API_URL.value():
        yield runner
        return
    with local_server(ui=True) as api_url, temporary_settings({PREFECT_API_URL: api_url}):
        yield runner


def check_reachable(parsed: ClusterSpec) -> None:
    """Raise `ConfigError` for a remote cluster when no Prefect server is configured: its workers
    report to one, and could not reach a server started on this machine's 127.0.0.1."""
    from prefect.settings import PREFECT_API_URL

    if not parsed.on_this_machine and not PREFECT_API_URL.value():
        raise ConfigError(
            f"cluster {parsed.address}: its workers report to a Prefect server they must reach; start one "
            "(`prefect server start --host 0.0.0.0`) and set PREFECT_API_URL=http://THAT_HOST:4200/api"
        )


def run_flow(flow, cluster: str | None, *, analysis: bool = True, **parameters):
    """Run an async Prefect flow to its end, on the cluster `cluster` names (None: `NEWSFLOW_DASK_ADDRESS`;
    "": none, the flow's own task runner), and return what it returns."""
    with cluster_runner(cluster, analysis=analysis) as runner:
        return asyncio.run((flow.with_options(task_runner=runner) if runner else flow)(**parameters))

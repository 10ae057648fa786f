"""Shared fixtures: real servers on 127.0.0.1 and temporary DuckDB files. No mocks."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpcore
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Prefect runs of the tests keep their database in a home of their own, never the user's ~/.prefect.
if "PREFECT_HOME" not in os.environ:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="newsflow-tests-prefect-")
    atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], True)
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Under CI the shared corpus, scorers and web farm must be there: a test that skips for want of
# them is a test that did not run, so CI fails instead (locally they skip, with the reason).
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not SHARED.is_dir():
        raise pytest.UsageError(f"CI=true but the shared data is missing: {SHARED} (check out shared/ beside the "
                                "repository or set NEWSFLOW_SHARED)")


def need_shared(*paths: Path) -> None:
    """Skip the calling test when one of these shared files is missing; fail it under CI=true."""
    missing = next((p for p in paths if not p.exists()), None)
    if missing is not None:
        message = f"shared data not found: {missing} (set NEWSFLOW_SHARED)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def shared_files(folder: Path, pattern: str) -> list[Path]:
    """The shared files that parametrize a test; under CI=true none found is an error at collection."""
    files = sorted(folder.glob(pattern))
    if not files and IN_CI:
        raise pytest.UsageError(f"CI=true but no shared files {pattern} under {folder}")
    return files

pytest_plugins = ["cluster_fixtures"]  # a real Dask scheduler and workers on 127.0.0.1


class Farm:
    """A running `shared/webfarm/farm.py`: a loopback news site plus hostile endpoints."""

    def __init__(self, port: int, proc: subprocess.Popen):
        self.port = port
        self.proc = proc
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def stats(self) -> dict:
        return httpx.get(self.url("/_stats"), timeout=10).json()

    def reset(self) -> None:
        httpx.get(self.url("/_reset"), timeout=10)


def start_farm(tmp_path: Path, *args: str) -> Farm:
    farm_py = SHARED / "webfarm" / "farm.py"
    need_shared(farm_py)
    ready = tmp_path / "farm-ready.json"
    proc = subprocess.Popen(
        [sys.executable, str(farm_py), "--port", "0", "--ready-file", str(ready), "--stall-max", "90", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("webfarm did not start")
        time.sleep(0.05)
    return Farm(json.loads(ready.read_text())["port"], proc)


@pytest.fixture(scope="session")
def farm(tmp_path_factory) -> Farm:
    """A small farm (200 articles on 2 sites) shared by the whole session; /_reset between uses."""
    f = start_farm(tmp_path_factory.mktemp("farm"), "--articles", "200", "--sites", "2", "--page-size", "50")
    yield f
    f.proc.terminate()
    f.proc.wait(10)


@pytest.fixture(autouse=True)
def _upkeep_ends_with_its_test():
    """The upkeep processes a test's runs start (warehouse.maintenance) end before the next test: none outlives the session."""
    yield
    from warehouse import maintenance

    maintenance.wait()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.duckdb"


def older_warehouse(path: Path, applied: Callable[[int], bool]):
    """A warehouse file as an older newsflow left it: only the migrations whose version `applied` accepts, recorded as
    applied. Returns the open duckdb connection (no newsflow session): the caller adds its rows and closes it."""
    import duckdb

    from warehouse.db import migrations

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
    for version, name, sql in migrations():
        if applied(version):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    return con


class LoopbackOnly(httpcore.AsyncNetworkBackend):
    """The sockets of a test fetcher: records every connection and opens only those to 127.0.0.1.

    The fetcher hands its network backend checked addresses only; this one makes sure that a
    guard that fails its test still sends nothing beyond this machine.
    """

    def __init__(self):
        self.connects: list[tuple[str, int]] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout=None, local_address=None, socket_options=None):
        self.connects.append((host, port))
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test network: {host} is not loopback")
        return await self._inner.connect_tcp(host, port, timeout=timeout, local_address=local_address, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@contextlib.asynccontextmanager
async def scripted_server(responses: dict[str, bytes]) -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback HTTP server in the running event loop that answers a path with its raw response bytes.

    Yields its base URL and the request paths it received, in order; unknown paths get a 404.
    """
    seen: list[str] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        path = request_line.split(b" ")[1].decode() if request_line.count(b" ") >= 2 else ""
        seen.append(path)
        writer.write(responses.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", seen


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The warehouse `newsflow demo` makes, made once per session by the real command; copy it before writing to it."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    run = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return db

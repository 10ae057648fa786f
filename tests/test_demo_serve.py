"""`newsflow demo --serve`: the bundled sample on its own, for `ingest`, `serve` and notebooks, until stopped."""

import os
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from flows.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _venv_env(on_path: bool) -> dict[str, str]:
    """The environment with this venv's bin folder on PATH, or (as after `make demo`) without it."""
    bin_dir = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != Path(bin_dir).resolve()]
    return {**os.environ, "PATH": os.pathsep.join([bin_dir, *path] if on_path else path)}


def test_the_sample_is_served_with_its_feed_urls_and_the_printed_command_ingests_it_as_is(tmp_path):
    """Started as `make demo` starts it (.venv/bin/newsflow, the venv not on PATH), the printed command runs as printed."""
    script = os.path.relpath(Path(sys.executable).parent / "newsflow", tmp_path)
    env = _venv_env(on_path=False)
    proc = subprocess.Popen([script, "demo", "--serve", "--port", "0"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().rstrip() for _ in range(5)]
        assert lines[0].startswith("serving the bundled sample on http://127.0.0.1:") and lines[0].endswith("until stopped (Ctrl-C); its feeds:")
        feeds = [line.strip() for line in lines[1:3]]
        assert [u.rsplit("/", 1)[1] for u in feeds] == ["rss.xml", "atom.xml"] and all(u.startswith("http://127.0.0.1:") for u in feeds)
        rss = httpx.get(feeds[0], timeout=10).text
        origin = feeds[0].rsplit("/", 1)[0]
        assert f"<link>{origin}/articles/cns-central-soes-tibet.html" in rss and "sample.newsflow.test" not in rss
        feeds_file = Path(lines[3].split(": ", 1)[1])
        command = shlex.split(lines[4].removeprefix("try: "))
        assert command[:4] == [script, "ingest", "--allow-local", "--feeds"] and feeds_file.is_file()
        ingest = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert ingest.returncode == 0, ingest.stderr[-2000:]
        assert "6 new" in ingest.stdout and "1 rejected" in ingest.stdout and (tmp_path / "sample.duckdb").is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGINT and out.strip().endswith("stopped") and not feeds_file.exists()  # it leaves by the signal


@pytest.mark.parametrize(("argv", "on_path", "expected"), [
    (["newsflow"], True, ["newsflow"]),  # installed on PATH: its name
    ([sys.executable, "-m", "flows.cli"], False, [sys.executable, "-m", "flows.cli"]),
])
def test_the_printed_command_is_how_newsflow_was_started_when_not_by_its_name_on_path(argv, on_path, expected):
    proc = subprocess.Popen([*argv, "demo", "--serve", "--port", "0"], cwd=ROOT, env=_venv_env(on_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().rstrip() for _ in range(5)]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert shlex.split(lines[4].removeprefix("try: "))[:len(expected) + 1] == [*expected, "ingest"], lines


def test_a_port_in_use_is_one_line_naming_the_fix():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = CliRunner().invoke(main, ["demo", "--serve", "--port", str(taken.getsockname()[1])])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "pass --port N (0 for any free port)" in result.output


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_terminal_closing_or_a_service_stop_removes_the_feeds_folder_too(signum):
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "demo", "--serve", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))  # as from a terminal, even under nohup
    try:
        lines = [proc.stdout.readline().rstrip() for _ in range(4)]
        folder = Path(lines[3].split(": ", 1)[1]).parent
        assert folder.is_dir()
    finally:
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == -signum and out.strip().endswith("stopped") and not folder.exists()

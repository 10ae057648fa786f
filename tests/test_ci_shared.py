"""Under CI a missing shared corpus fails the run; on a laptop the tests that need it skip, saying why."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def _run(tmp_path, ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": ci, "NEWSFLOW_SHARED": str(tmp_path / "no-shared")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_agreements.py", "-k", "seed"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_ci_fails_without_the_shared_data(tmp_path):
    run = _run(tmp_path, "true")
    assert run.returncode != 0
    assert f"CI=true but the shared data is missing: {tmp_path / 'no-shared'}" in run.stdout + run.stderr


def test_a_laptop_skips_what_needs_the_shared_data(tmp_path):
    run = _run(tmp_path, "")
    assert run.returncode == 0, run.stdout
    assert "skipped" in run.stdout and "shared data not found" in run.stdout

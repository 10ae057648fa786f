"""A real install: the wheel holds every data file, and the installed `newsflow demo` works from another directory.

The wheel is built from a copy of the source and installed with --no-deps into a fresh
venv that borrows this environment's dependencies (a path line in a .pth file, which
does not bring this worktree's editable install along), so the test costs seconds.
"""

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("schemas", "extractors", "warehouse", "flows")


def data_files() -> set[str]:
    """Every file of our packages that is not Python source."""
    return {
        p.relative_to(ROOT).as_posix()
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--quiet", "-w", str(out)], check=True, timeout=300)
    (whl,) = out.glob("newsflow-*.whl")
    return whl


def test_the_wheel_holds_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"schemas/reference/places.tsv", "schemas/reference/stopwords.txt", "flows/sample/site/rss.xml"} <= names
    assert data_files() - names == set()


def test_the_installed_demo_runs_from_another_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # a path line: its .pth files stay unread
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([venv / "bin" / "python", "-c", "import flows, schemas.reference; print(flows.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site)), where  # the installed copy, not this worktree

    newsflow = venv / "bin" / "newsflow"
    demo = subprocess.run([newsflow, "demo", "--db", "demo.duckdb"], cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "6 new, 0 updated, 0 unchanged, 1 rejected" in demo.stdout  # only the withdrawn sample page is rejected
    rejects = subprocess.run([newsflow, "sql", "select stage, reason from rejects", "--db", "demo.duckdb", "--format", "csv"],
                             cwd=elsewhere, capture_output=True, text=True, check=True).stdout.splitlines()
    assert rejects == ["stage,reason", "fetch,not found (404)"]
    page = ROOT / "tests" / "fixtures" / "pages" / "seed-figures.html"
    extract = subprocess.run([newsflow, "extract", str(page)], cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert extract.returncode == 0 and '"Lhasa"' in extract.stdout, extract.stderr[-2000:]

"""Every command of the README and the docs runs, so the docs cannot drift from the code.

Shell lines run in a folder holding the demo warehouse as ./newsflow.duckdb, in the order
written; `python` and `sql` blocks run there too (the cookbook is `tests/test_cookbook.py`).
What cannot run here is named and checked another way: commands that go to the internet
or run until stopped are parsed by the real command line; installs and make targets are
what `tests/test_install.py` and `make test` run.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from warehouse.db import _locked_message, connect

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "docs" / "warehouse.md", ROOT / "docs" / "operations.md"]
PARSE_ONLY = ("ingest", "serve")  # these go to the internet or run until stopped
RUN_FOREVER = ("--serve",)
ELSEWHERE = {  # not newsflow's command line: what checks each
    "make": "the Makefile has the target",
    "pipx": "tests/test_install.py installs the wheel into a fresh environment",
    "python3": "tests/test_install.py installs the wheel into a fresh environment",
    "export": "a shell variable for Prefect",
    ".venv/bin/prefect": "Prefect's own command",
}


def blocks(doc: Path) -> list[tuple[str, str]]:
    """(language, code) of every fenced block, in order; the cookbook's sql is left to test_cookbook."""
    text = doc.read_text(encoding="utf-8")
    if "## Cookbook" in text:
        text = text[: text.index("## Cookbook")]
    return [(lang, textwrap.dedent(code)) for lang, code in re.findall(r"^ *```(\w*)\n(.*?)^ *```", text, re.S | re.M)]


def shell_lines(code: str) -> list[list[str]]:
    out = []
    for line in code.splitlines():
        line = re.split(r"\s{2,}#", line)[0].strip()  # comments stand two spaces or more after the command
        if line:
            out.append(shlex.split(line))
    return out


@pytest.fixture
def workdir(demo_warehouse, tmp_path, monkeypatch):
    shutil.copy(demo_warehouse, tmp_path / "newsflow.duckdb")
    with connect(tmp_path / "newsflow.duckdb"):
        pass
    from warehouse.snapshot import publish

    publish(tmp_path / "newsflow.duckdb")
    shutil.copy(ROOT / "feeds.example.toml", tmp_path / "feeds.example.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSFLOW_DB", raising=False)
    return tmp_path


def newsflow(args: list[str]) -> None:
    if args[0] in PARSE_ONLY or any(a in RUN_FOREVER for a in args):
        command = main.get_command(None, args[0])
        assert command is not None, args
        command.make_context(args[0], args[1:], parent=click.Context(main, info_name="newsflow"))  # raises on a bad option
        return
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (args, result.output)
    assert result.output.strip(), args


def run_shell(args: list[str], workdir: Path) -> None:
    if args[0].endswith("newsflow"):
        newsflow(args[1:])
    elif args[0] == "make":
        assert re.search(rf"^{args[1]}:", (ROOT / "Makefile").read_text(), re.M), args
    elif args[0] == "cp":
        shutil.copy(workdir / args[1], workdir / args[2])
    elif args[0] == "duckdb":  # the DuckDB CLI is not installed here: the same open with the Python package
        assert args[1] == "-readonly"
        with duckdb.connect(args[2], read_only=True) as con:
            assert con.execute("select count(*) from articles").fetchone()[0] == 6
    else:
        assert args[0] in ELSEWHERE, f"{args}: run it in this test, or say in ELSEWHERE what checks it"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_command_of_the_doc_runs(doc, workdir):
    ran = 0
    for lang, code in blocks(doc):
        if lang == "sh":
            for args in shell_lines(code):
                run_shell(args, workdir)
                ran += 1
        elif lang == "python":
            exec(compile(code, f"{doc.name}:python", "exec"), {})
            ran += 1
        elif lang == "sql":
            with duckdb.connect("newsflow.duckdb", read_only=True) as con:
                con.execute(code)
            ran += 1
    assert ran >= 3


def test_the_lock_message_in_the_docs_is_the_one_newsflow_prints():
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    shown = re.search(r"```\n\s*Error: (.*?)```", text, re.S)[1]
    printed = _locked_message(Path("newsflow.duckdb"), RuntimeError("held in /usr/bin/python3.11 (PID 4242)"), 30)
    assert " ".join(shown.split()) == printed


def test_the_reject_stages_in_the_docs_are_the_ones_newsflow_records():
    code = "".join(p.read_text(encoding="utf-8") for pkg in ("flows", "warehouse", "extractors") for p in (ROOT / pkg).rglob("*.py"))
    emitted = set(re.findall(r'Reject\(stage="(\w+)"', code))
    text = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(\w+)`: ", re.search(r"\| `rejects` \|.*", text)[0]))
    assert documented == emitted and {"feed", "entry", "fetch", "parse"} <= emitted


def test_every_table_and_column_of_the_warehouse_is_in_the_table_reference(tmp_path):
    text = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    with connect(tmp_path / "new.duckdb") as con:
        columns = con.execute("SELECT table_name, column_name FROM information_schema.columns JOIN information_schema.tables "
                              "USING (table_schema, table_name) WHERE table_type = 'BASE TABLE'").fetchall()
    undocumented = []
    for table, column in columns:
        row = re.search(rf"^\| `{table}` \|.*$", text, re.M)
        if row is None or f"`{column}`" not in row[0]:
            undocumented.append(f"{table}.{column}")
    assert not undocumented


def test_the_retry_schedule_in_the_docs_is_the_one_the_frontier_keeps():
    from warehouse.frontier import Backoff

    def said(seconds: float) -> str:
        h, m = divmod(round(seconds / 60), 60)
        return "1 day" if seconds == 86_400 else " ".join(([f"{h} h"] if h else []) + ([f"{m} min"] if m else []))

    text = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    row = re.search(r"^\| next try after \|(.*)\|$", text, re.M)[1]
    backoff = Backoff()
    expected = [said(backoff.delay(n)) for n in range(1, backoff.max_tries)] + ["never: `failed`"]
    assert [cell.strip() for cell in row.split("|")] == expected

"""The command line a user types: help on every command, output formats, and one-line errors with honest exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from warehouse.db import connect

PAGES = Path(__file__).parent / "fixtures" / "pages"


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def one_line_error(result, exit_code: int, *words: str) -> None:
    """The command failed with `exit_code` and said so in one line naming the problem (no traceback)."""
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for w in words:
        assert w in lines[0], (w, lines[0])


@pytest.mark.parametrize("command", [c for c in main.commands] + ["entities show", "entities merge", "entities split"])
def test_every_command_has_help(command):
    result = run(*command.split(), "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.fixture
def small_db(db_path):
    with connect(db_path) as con:
        con.execute("INSERT INTO rejects VALUES ('fetch', 'http://a.test/x', 'not found (404)', NULL, NULL, 'r', now(), now(), 1)")
        con.execute("""INSERT INTO runs VALUES ('r1', 'ingest', 'v', TIMESTAMPTZ '2026-11-25 10:00:00+00', TIMESTAMPTZ '2026-11-25 10:00:09+00',
                    '{"feeds_read": 2, "feeds_not_modified": 1, "feeds_failed": 0, "new": 6, "updated": 0, "unchanged": 1,
                      "rejected": 1, "seconds": 9.5}'), ('r2', 'ingest', 'v', TIMESTAMPTZ '2026-11-25 11:00:00+00', NULL, NULL)""")
    return str(db_path)


def test_sql_prints_table_csv_json_and_jsonl(small_db):
    q = "select stage, reason from rejects"
    table = run("sql", q, "--db", small_db)
    assert "not found (404)" in table.output and "(1 row)" in table.output
    assert run("sql", q, "--db", small_db, "--format", "csv").output.splitlines() == ["stage,reason", "fetch,not found (404)"]
    assert json.loads(run("sql", q, "--db", small_db, "--format", "json").output) == [{"stage": "fetch", "reason": "not found (404)"}]
    lines = run("sql", "select * from range(3) r(n)", "--db", small_db, "--format", "jsonl").output.splitlines()
    assert [json.loads(x) for x in lines] == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_json_columns_are_json_not_strings_holding_json(small_db):
    out = run("sql", "select run_id, summary from runs where run_id = 'r1'", "--db", small_db, "--format", "json")
    (row,) = json.loads(out.output)
    assert row["summary"]["new"] == 6 and isinstance(row["summary"], dict)
    csv = run("sql", "select [1, 2] as l, {'a': 1} as s", "--db", small_db, "--format", "csv").output.splitlines()
    assert csv[1] == '"[1, 2]","{""a"": 1}"'


def test_limit_stops_the_rows_and_says_so(small_db):
    table = run("sql", "select * from range(2500) r(n)", "--db", small_db, "--limit", "3")
    assert table.output.splitlines()[-1] == "(3 rows; more with a higher --limit than 3)" and table.output.count("\n") == 6
    whole = run("sql", "select * from range(2500) r(n)", "--db", small_db)
    assert whole.output.splitlines()[-1] == "(2500 rows)"  # more than one chunk, streamed
    assert len(run("sql", "select * from range(2500) r(n)", "--db", small_db, "--format", "jsonl", "--limit", "2").output.splitlines()) == 2


def test_sql_errors_are_one_clear_line(small_db, tmp_path):
    one_line_error(run("sql", "select nope from rejects", "--db", small_db), 1, "nope")
    one_line_error(run("sql", "", "--db", small_db), 1, "the query is empty")
    one_line_error(run("sql", "create table t (x int)", "--db", small_db), 1, "read-only")
    one_line_error(run("sql", "select 1", "--db", tmp_path / "none.duckdb"), 1, "no warehouse at", "--db", "newsflow demo")
    one_line_error(run("sql", "select 1", "--db", "/proc/x/y.duckdb"), 1, "no warehouse at /proc/x/y.duckdb")
    one_line_error(run("sql", "select 1", "--db", tmp_path), 2, "is a folder, not a warehouse file")
    assert not (tmp_path / "none.duckdb").exists()


def test_a_foreign_file_is_refused_without_going_online(tmp_path):
    lite = tmp_path / "notes.db"
    lite.write_bytes(b"SQLite format 3\x00" + bytes(4080))
    one_line_error(run("sql", "select 1", "--db", lite), 1, "is not a DuckDB warehouse file")
    one_line_error(run("tables", "--db", lite), 1, "is not a DuckDB warehouse file")


@pytest.mark.parametrize("command", [["snapshot"], ["compact"], ["reprocess"], ["analyze"], ["sql", "select 1"], ["tables"], ["runs"],
                                     ["export", "out"],
                                     ["entities", "show", "x"], ["entities", "merge", "1", "2", "--reason", "r"], ["search", "x"]])
def test_a_mistyped_db_never_creates_a_warehouse(tmp_path, command):
    typo = tmp_path / "newsflwo.duckdb"
    one_line_error(run(*command, "--db", typo), 1, "no warehouse at", "--db")
    assert list(tmp_path.iterdir()) == []


def test_bad_settings_name_the_option_or_variable(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "a"\nurl = "https://a.test/rss"\n[[feeds]]\nname = "b"\nurl = "https://b.test/rss"\n')
    db = tmp_path / "w.duckdb"
    one_line_error(run("ingest", "--feeds", feeds, "--db", db, "--concurrency", "0"), 2, "--concurrency must be at least 1 (got 0)")
    one_line_error(run("ingest", "--feeds", feeds, "--db", db, "--per-host", "-1"), 2, "--per-host must be at least 1 (got -1)")
    one_line_error(run("ingest", "--feeds", feeds, "--db", db, "--delay", "-2"), 2, "--delay must be at least 0")
    one_line_error(run("ingest", "--feeds", feeds, "--db", db, "--feed", "nosuch"), 2, "no feed named 'nosuch'", "a, b")
    one_line_error(run("tables", "--db", db, env={"NEWSFLOW_LOCK_WAIT": "soon"}), 2, "NEWSFLOW_LOCK_WAIT must be a number (got 'soon')")
    assert not db.exists()


def test_a_feed_on_this_machine_needs_allow_local_and_the_message_names_it(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "mine"\nurl = "http://127.0.0.1:9/rss.xml"\n')
    result = run("ingest", "--feeds", feeds, "--db", tmp_path / "w.duckdb")
    one_line_error(result, 2, "feed 'mine' is on this machine", "--allow-local")
    assert not (tmp_path / "w.duckdb").exists()


def test_ingest_cannot_create_a_warehouse_where_no_file_can_be(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feeds]]\nname = "a"\nurl = "https://a.test/rss"\n')
    one_line_error(run("ingest", "--feeds", feeds, "--db", "/proc/x/w.duckdb"), 1, "cannot open /proc/x/w.duckdb")
    one_line_error(run("ingest", "--feeds", feeds, "--db", "/sys/w.duckdb"), 1, "cannot open /sys/w.duckdb", "Permission denied")


def test_extract_prints_the_contract_for_a_page(tmp_path):
    result = run("extract", PAGES / "seed-figures.html", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record) >= {"source", "article", "persons", "organizations", "places", "agreements"}
    a = record["article"]
    assert a["dateline"] == {"agency": "China News Service", "place": "Lhasa", "date": "2021-09-20"}
    assert len(a["captions"]) == 5 and a["body"] == "\n\n".join(a["paragraphs"])


def test_extract_reads_plain_text_and_fails_on_files_that_are_not_articles(tmp_path):
    text = tmp_path / "wire.txt"
    text.write_text("BEIJING, Nov. 19 (Xinhua) -- China and Chile signed a trade agreement on Tuesday.\n")
    empty, binary = tmp_path / "empty.html", tmp_path / "photo.jpg"
    empty.write_bytes(b"")
    binary.write_bytes(bytes(range(256)) * 8)
    result = run("extract", text, empty, binary, "--format", "jsonl")
    first, second, third = map(json.loads, result.stdout.splitlines())
    assert first["article"]["dateline"]["agency"] == "Xinhua"
    assert first["article"]["body"].startswith("China and Chile signed")
    assert second["article"] is None and second["error"] == "empty body"
    assert third["article"] is None and third["error"].startswith("unsupported content: binary")
    one_line_error(result, 1, f"{empty}: empty body", f"{binary}: unsupported content: binary")


def test_entity_commands_say_what_is_wrong(small_db, tmp_path):
    one_line_error(run("entities", "merge", "1", "1", "--reason", "same", "--db", small_db), 1, "cannot merge entity 1 into itself")
    one_line_error(run("entities", "merge", "1", "2", "--reason", "same", "--db", small_db), 1, "no entity 1", "entities show")
    one_line_error(run("entities", "show", "nobody", "--db", small_db), 1, "no entity matches 'nobody'")
    one_line_error(run("entities", "show", "x", "--db", tmp_path / "missing.duckdb"), 1, "no warehouse at")


def test_tables_and_runs_answer_the_first_questions(small_db):
    tables = run("tables", "--db", small_db)
    assert tables.exit_code == 0, tables.output
    counts = {line.split()[0]: (line.split()[1], line.split()[2]) for line in tables.output.splitlines()}
    assert counts["rejects"] == ("table", "1") and counts["runs"] == ("table", "2") and counts["article_view"] == ("view", "0")
    assert "search_postings" not in counts and "schema_migrations" not in counts
    runs = run("runs", "--db", small_db).output.splitlines()
    assert runs[0].startswith("2026-11-25 11:00:00  ingest    r2  did not finish")
    assert runs[1] == ("2026-11-25 10:00:00  ingest    r1  9.5 s  feeds 2 read, 1 not modified, 0 failed; "
                       "articles 6 new, 0 updated, 1 unchanged, 1 rejected")
    assert len(run("runs", "--db", small_db, "--limit", "1").output.splitlines()) == 1


def test_ingest_says_so_when_no_feed_could_be_read(tmp_path):
    import subprocess
    import sys

    from flows.static_server import StaticServer

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "site").mkdir()
    with StaticServer(tmp_path / "site") as server:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feeds]]\nname = "gone"\nurl = "http://{server.address}/rss.xml"\nrespect_robots = false\n')
        args = ["ingest", "--allow-local", "--feeds", str(feeds), "--db", str(tmp_path / "w.duckdb")]
        run = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=root, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr[-2000:]
    assert "feeds:    0 read, 0 not modified, 1 failed" in run.stdout
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith("Error: no feed could be read (1 failed); the reasons: newsflow sql")


def test_connections_never_install_or_load_extensions_nor_draw_progress_bars(small_db):
    with connect(small_db, read_only=True) as con:
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings() "
                                    "WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions', 'enable_progress_bar')").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false", "enable_progress_bar": "false"}


@pytest.mark.parametrize("query", ["install httpfs", "FORCE INSTALL httpfs FROM 'http://127.0.0.1:9/'", "select 1; install spatial",
                                   "load httpfs", "set custom_extension_repository = 'http://127.0.0.1:9/'",
                                   "reset autoinstall_known_extensions"])
def test_sql_refuses_to_install_an_extension_or_load_one_not_on_disk(small_db, query):
    result = run("sql", query, "--db", small_db)
    one_line_error(result, 2, "newsflow", "online")


def test_a_built_in_extension_still_loads(small_db):
    result = run("sql", "load json", "--db", small_db)
    assert result.exit_code == 0, result.output


def test_an_install_that_reaches_duckdb_fails_at_once_from_a_local_folder(small_db):
    """Below the refusal, the connection's extension repository is a local folder with no extensions in it."""
    import duckdb

    with connect(small_db, read_only=True) as con:
        assert not con.execute("SELECT current_setting('custom_extension_repository')").fetchone()[0].startswith("http")
        with pytest.raises(duckdb.IOException, match="no access to the file"):
            con.execute("INSTALL httpfs")


def test_extract_refuses_a_file_over_the_page_cap_ingest_applies(tmp_path):
    from flows.http import FetchPolicy

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(FetchPolicy.max_bytes + 1)  # sparse: nothing is written, nothing need be read
    result = run("extract", huge, "--format", "jsonl")
    record = json.loads(result.stdout)
    assert record["article"] is None and "page limit ingest applies" in record["error"]
    one_line_error(result, 1, str(huge), f"{FetchPolicy.max_bytes:,}-byte page limit")


def test_snapshot_to_a_missing_folder_names_the_to_path_and_its_folder(small_db, tmp_path):
    target = tmp_path / "nowhere" / "x.duckdb"
    result = run("snapshot", "--db", small_db, "--to", target)
    one_line_error(result, 2, f"--to {target}", f"the folder {target.parent} does not exist")
    assert ".partial" not in result.output and "--db" not in result.output


def test_output_piped_to_a_reader_that_stops_early_ends_quietly_with_exit_0(small_db):
    import subprocess
    import sys

    for args in (["sql", "select range from range(200000)", "--format", "csv"], ["tables"]):
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args, "--db", str(small_db)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout.readline()  # `| head -1`: one line read, then the pipe is closed
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, stderr
        assert "Error" not in stderr and "Traceback" not in stderr and "BrokenPipe" not in stderr



def test_the_run_summary_counts_in_words_that_agree_with_the_number():
    from flows.summary import RunSummary

    def articles_line(same_page: int) -> str:
        return RunSummary(run_id="r", flow="ingest", new=3, same_page=same_page).lines()[2]

    assert articles_line(1).endswith("; 1 entry was the page of another")
    assert articles_line(2).endswith("; 2 entries were the page of another")
    assert "page of another" not in articles_line(0)

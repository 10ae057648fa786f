"""The feeds file and the settings: what a user writes, and the one-line errors they get for mistakes."""

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.config import SAMPLE_DIR, check_addresses, load_feeds
from schemas.errors import ConfigError
from schemas.settings import DEFAULTS, Settings


def test_bundled_sample_and_example_feeds_files_load():
    assert [f.name for f in load_feeds(SAMPLE_DIR / "feeds.toml").feeds] == ["sample-rss", "sample-atom"]
    example = load_feeds(SAMPLE_DIR.parents[1] / "feeds.example.toml").feeds
    assert len(example) >= 5 and all(f.url.startswith("https://") and f.schedule for f in example)


def test_feed_defaults_come_from_the_settings(tmp_path):
    (feed,) = load_feeds_text('[[feeds]]\nname = "a"\nurl = "https://a.test/rss"\n', tmp_path).feeds
    assert (feed.max_entries, feed.max_pages, feed.schedule, feed.respect_robots) == (DEFAULTS.max_entries, 1, None, True)


def load_feeds_text(text, tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    return load_feeds(path)


GOOD = 'name = "bbc"\nurl = "https://a.test/rss"\n'


@pytest.mark.parametrize(
    "text, message",
    [
        ("feeds = [1, 2]", "feed #1: must be a [[feeds]] table with name and url (got 1)"),
        (b'[[feeds]]\nname = "caf\xe9"\nurl = "https://a.test/"\n', "not UTF-8 text (byte 0xe9 at offset 21); save it as UTF-8"),
        ('[[feeds]]\nname = "bbc"\nurl = 123\n', "feed #1 ('bbc'): url must be text in quotes (got 123)"),
        ('[[feeds]]\nname = 123\nurl = "https://a.test/rss"\n', "feed #1: name must be text in quotes (got 123)"),
        (f'[[feeds]]\n{GOOD}max_entries = "many"\n', "feed #1 ('bbc'): max_entries must be a whole number (got 'many')"),
        (f"[[feeds]]\n{GOOD}max_entries = -5\n", "feed #1 ('bbc'): max_entries must be at least 1 (got -5)"),
        (f'[[feeds]]\n{GOOD}respect_robots = "no"\n', "feed #1 ('bbc'): respect_robots must be true or false (got 'no')"),
        (f'[[feeds]]\n{GOOD}schedule = "every tuesday"\n', "schedule must be a cron expression such as '*/15 * * * *' (got 'every tuesday')"),
        ('[[feeds]]\nname = "a"\n', "feed #1 ('a'): url is required"),
        ('[[feeds]]\nname = "a"\nurl = "ftp://x/feed"\n', "url must be an http:// or https:// URL with a host (got 'ftp://x/feed')"),
        (f"[[feeds]]\n{GOOD}every = 5\n", "feed #1 ('bbc'): every is not a known key"),
        (f"[[feeds]]\n{GOOD}[[feeds]]\n{GOOD}", "feed name 'bbc' is used twice"),
        ("feeds = [", "not valid TOML"),
        ("", "no [[feeds]] tables"),
        (f"[[feed]]\n{GOOD}", "unknown top-level key 'feed'"),
    ],
)
def test_mistakes_in_the_feeds_file_are_named_with_the_feed_and_key(tmp_path, text, message):
    path = tmp_path / "feeds.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as raised:
        load_feeds(path)
    assert message in str(raised.value)
    result = CliRunner().invoke(main, ["ingest", "--feeds", str(path), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2 and "Traceback" not in result.output and message in result.output
    assert not (tmp_path / "w.duckdb").exists()  # nothing started


def test_every_problem_of_a_file_is_listed_one_line_each(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text('[[feeds]]\nname = "a"\nurl = 1\nmax_pages = 0\n[[feeds]]\nname = "b"\n')
    with pytest.raises(ConfigError) as raised:
        load_feeds(path)
    lines = str(raised.value).splitlines()
    assert lines == [
        f"{path}: feed #1 ('a'): url must be text in quotes (got 1)",
        f"{path}: feed #1 ('a'): max_pages must be at least 1 (got 0)",
        f"{path}: feed #2 ('b'): url is required",
    ]


def test_a_directory_or_a_missing_file_says_what_to_pass(tmp_path):
    with pytest.raises(ConfigError, match="is a directory, not a feeds file"):
        load_feeds(tmp_path)
    with pytest.raises(ConfigError, match="NEWSFLOW_FEEDS"):
        load_feeds(tmp_path / "nope.toml")


def test_settings_come_from_the_environment_in_one_place_and_are_checked():
    s = Settings.from_env({"NEWSFLOW_CONCURRENCY": "8", "NEWSFLOW_ALLOW_LOCAL": "yes", "NEWSFLOW_LOCK_WAIT": "2.5", "HOME": "/x"})
    assert (s.concurrency, s.allow_local, s.lock_wait, s.per_host, s.delay) == (8, True, 2.5, 4, 1.0)
    with pytest.raises(ConfigError, match=r"NEWSFLOW_PER_HOST must be at least 1 \(got '-1'\)"):
        Settings.from_env({"NEWSFLOW_PER_HOST": "-1"})
    assert Settings.from_env({"NEWSFLOW_DASK_ADDRESS": "local:2"}).dask_address == "local:2"
    assert DEFAULTS.dask_address == ""  # no cluster unless asked for
    with pytest.raises(ConfigError, match="--concurrency must be at least 1 .got 0."):
        DEFAULTS.with_options(concurrency=0)


def test_one_default_for_each_setting():
    import inspect

    from extractors.feeds import parse_feed
    from flows.config import FeedConfig
    from flows.http import FetchPolicy

    policy = FetchPolicy()
    assert (policy.delay_s, policy.concurrency, policy.per_host, policy.user_agent) == (1.0, 32, 4, DEFAULTS.user_agent)
    parse_default = inspect.signature(parse_feed).parameters["max_entries"].default
    assert parse_default == DEFAULTS.max_entries == FeedConfig("a", "https://a.test/").max_entries == 500


def test_feeds_the_address_guard_refuses_are_named_before_a_run():
    from flows.config import FeedConfig

    local = [FeedConfig("mine", "http://127.0.0.1:8765/rss.xml"), FeedConfig("dev", "http://localhost/feed")]
    with pytest.raises(ConfigError) as raised:
        check_addresses(local, allow_local=False)
    assert str(raised.value).count("pass --allow-local") == 2 and "'mine'" in str(raised.value)
    check_addresses(local, allow_local=True)
    with pytest.raises(ConfigError, match="'lan'.*never fetches from private"):
        check_addresses([FeedConfig("lan", "http://10.0.0.7/rss")], allow_local=True)


@pytest.mark.parametrize("url", ["http://10.0.0.1/rss", "http://169.254.169.254/latest/", "http://localhost:8080/feed"])
def test_a_feed_the_address_guard_refuses_is_a_bad_feeds_file_exit_2(tmp_path, url):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feeds]]\nname = "x"\nurl = "{url}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--feeds", str(feeds), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2, result.output
    assert "feed 'x'" in result.output and not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "nan"])
def test_infinite_or_nan_numbers_are_refused_for_every_float_setting(value):
    result = CliRunner().invoke(main, ["ingest", "--delay", value])
    assert result.exit_code == 2 and "--delay must be" in result.output and "Traceback" not in result.output
    with pytest.raises(ConfigError, match="NEWSFLOW_LOCK_WAIT must be"):
        Settings.from_env({"NEWSFLOW_LOCK_WAIT": value})
    with pytest.raises(ConfigError, match="NEWSFLOW_DELAY must be"):
        Settings.from_env({"NEWSFLOW_DELAY": value})


def test_a_folder_given_as_db_is_a_bad_setting_exit_2(tmp_path):
    for args in (["sql", "select 1"], ["tables"], ["reprocess"]):
        result = CliRunner().invoke(main, [*args, "--db", str(tmp_path)])
        assert result.exit_code == 2, (args, result.output)
        assert "is a folder, not a warehouse file" in result.output

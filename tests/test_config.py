"""The feeds file: what a user writes, and the errors they get for mistakes."""

import pytest

from flows.config import SAMPLE_DIR, ConfigError, load_feeds


def test_bundled_sample_and_example_feeds_files_load():
    assert [f.name for f in load_feeds(SAMPLE_DIR / "feeds.toml").feeds] == ["sample-rss", "sample-atom"]
    example = load_feeds(SAMPLE_DIR.parents[1] / "feeds.example.toml").feeds
    assert len(example) >= 5 and all(f.url.startswith("https://") and f.schedule for f in example)


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[feeds]]\nname = "a"\n', "needs both name and url"),
        ('[[feeds]]\nname = "a"\nurl = "http://x"\nevery = 5\n', "unknown keys"),
        ('[[feeds]]\nname = "a"\nurl = "http://x"\n[[feeds]]\nname = "a"\nurl = "http://y"\n', "unique"),
        ("feeds = [", "not valid TOML"),
        ("", r"no \[\[feeds\]\]"),
    ],
)
def test_mistakes_in_the_feeds_file_are_named(tmp_path, text, message):
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_missing_feeds_file_tells_how_to_point_at_one(tmp_path):
    with pytest.raises(ConfigError, match="NEWSFLOW_FEEDS"):
        load_feeds(tmp_path / "nope.toml")

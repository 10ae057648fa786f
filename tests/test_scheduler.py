"""`newsflow serve`: one Prefect deployment per schedule, each running ingest on its feeds."""

from flows.config import FeedConfig
from flows.http import FetchPolicy
from flows.scheduler import DEFAULT_SCHEDULE, deployments


def test_feeds_are_grouped_by_schedule_and_unscheduled_ones_run_hourly(tmp_path):
    feeds = [
        FeedConfig("bbc", "https://a.test/rss", schedule="*/15 * * * *"),
        FeedConfig("guardian", "https://b.test/rss", schedule="*/15 * * * *"),
        FeedConfig("cns", "https://c.test/rss"),
    ]
    deps = deployments(str(tmp_path / "w.duckdb"), str(tmp_path / "feeds.toml"), feeds, FetchPolicy(delay_s=2.0))
    by_feeds = {tuple(d.parameters["only"]): d for d in deps}
    assert set(by_feeds) == {("bbc", "guardian"), ("cns",)}
    crons = {names: d.schedules[0].schedule.cron for names, d in by_feeds.items()}
    assert crons == {("bbc", "guardian"): "*/15 * * * *", ("cns",): DEFAULT_SCHEDULE}
    params = by_feeds[("cns",)].parameters
    assert params["db"] == str(tmp_path / "w.duckdb") and params["policy"]["delay_s"] == 2.0

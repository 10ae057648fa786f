"""Progress of a run as a user sees it: the line's counts, rate and time left, a live line on a terminal, a log line
otherwise; and the one line an interrupted run ends with. Plain functions; `tests/test_interrupt.py` runs the real command."""

import datetime as dt
import io
from pathlib import Path

import pytest

from flows import interrupt, output
from flows.progress import Progress, Reporter, duration
from flows.summary import RunSummary


@pytest.fixture(autouse=True)
def no_stop():
    interrupt.reset()
    yield
    interrupt.reset()


def test_durations_read_as_people_say_them():
    assert [duration(s) for s in (0.4, 42, 59.6, 218, 3599, 7500)] == ["0 s", "42 s", "1 min 00 s", "3 min 38 s", "59 min 59 s", "2 h 05 min"]


def test_the_line_counts_each_step_then_the_rate_and_time_left_once_a_batch_is_committed():
    p = Progress("ingest")
    assert p.line(0.0) == "ingest: reading the feeds"
    p.add(feeds_read=2, feeds_failed=1)
    p.total, p.began = 3000, 100.0
    p.add(fetched=250, parsed=180)
    assert p.line(110.0) == "ingest: 2 feeds read, 1 failed · 3,000 pages: 250 fetched, 180 parsed, 0 loaded, 0 rejected"
    assert p.rate(110.0) is None and p.seconds_left(110.0) is None  # nothing committed yet: no rate to promise
    p.add(settled=200, loaded=190, rejected=10)
    assert p.rate(150.0) == pytest.approx(4.0) and p.left() == 2800 and p.seconds_left(150.0) == pytest.approx(700.0)
    assert p.line(150.0).endswith("190 loaded, 10 rejected · 4.0 pages/s, 11 min 40 s left")
    assert p.percent() == pytest.approx(200 / 3000 * 100)
    interrupt.request()
    assert p.line(150.0).endswith(" · stopping") and p.line(150.0, final=True).endswith(" · interrupted")


def test_reprocess_has_no_feeds_and_fetches_nothing():
    p = Progress("reprocess", total=40, began=0.0)
    p.add(parsed=12)
    assert p.line(1.0) == "reprocess: 40 pages: 12 parsed, 0 loaded, 0 rejected"


def test_on_a_terminal_the_line_is_redrawn_in_place_and_cleared_at_the_end():
    out = io.StringIO()
    p = Progress("ingest", feeds_read=1, total=10, began=0.0)
    r = Reporter(p, out, live=True, every_s=10)
    r.tick(0.0)
    r.tick(0.5)  # redrawn at most once a second
    p.add(fetched=4)
    r.tick(1.0)
    r.close()
    assert out.getvalue().split("\r") == [
        "", "ingest: 1 feed read · 10 pages: 0 fetched, 0 parsed, 0 loaded, 0 rejected\x1b[K",
        "ingest: 1 feed read · 10 pages: 4 fetched, 0 parsed, 0 loaded, 0 rejected\x1b[K", "\x1b[K"]


def test_elsewhere_a_timestamped_line_every_period_and_nothing_to_clear():
    out = io.StringIO()
    p = Progress("reprocess", total=10, began=0.0)
    r = Reporter(p, out, live=False, every_s=10)
    for t in (0.0, 5.0, 10.0, 15.0, 20.5):  # the first line after a full period, not at the start
        r.tick(t)
    r.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(line[:9].count(":") == 2 and line[9:].startswith("reprocess: 10 pages:") for line in lines)


def test_an_interrupted_run_says_in_one_line_what_it_kept():
    s = RunSummary(run_id="r", flow="ingest", new=380, updated=20, interrupted=True, pages_left=1600)
    assert s.interrupted_line() == "interrupted: 400 articles loaded, 1,600 pages left for the next run"
    assert RunSummary(run_id="r", flow="ingest", interrupted=True).interrupted_line().startswith("interrupted while reading the feeds")
    assert s.lines()[0] == "ingest run r in 0.0 s (interrupted)" and "(interrupted)" in s.markdown().splitlines()[0]
    run = {"run_id": "r", "flow": "ingest", "started_at": dt.datetime(2026, 11, 25, 10), "finished_at": dt.datetime(2026, 11, 25, 10, 1),
           "summary": s.as_dict()}
    assert output.run_line(run).startswith("2026-11-25 10:00:00  ingest    r  0.0 s (interrupted)  feeds 0 read")  # newsflow runs
    r = RunSummary(run_id="r", flow="reprocess", updated=3, unchanged=97, interrupted=True, pages_left=900)
    assert r.interrupted_line() == "interrupted: 100 articles reprocessed, 900 pages not reached; the next reprocess goes through them all"


def test_the_lines_the_readme_shows_are_the_ones_newsflow_prints():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    p = Progress("ingest", feeds_read=2, total=3000, fetched=1234, parsed=1200, loaded=1000, rejected=12, settled=1000, began=0.0)
    line = p.line(1000 / 8.1)
    assert line == "ingest: 2 feeds read · 3,000 pages: 1,234 fetched, 1,200 parsed, 1,000 loaded, 12 rejected · 8.1 pages/s, 4 min 07 s left"
    assert f"\n{line}\n" in readme
    interrupted = RunSummary(run_id="r", flow="ingest", new=400, interrupted=True, pages_left=1600).interrupted_line()
    assert f"\n{interrupted}\n" in readme

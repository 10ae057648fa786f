"""When a date read from a feed or a page is believable; one rule for every extractor."""

from __future__ import annotations

import datetime as dt

# 1970-01-01 is the epoch placeholder of broken CMSs, not a date; archives of real news
# (Reuters 1987) are older than the web, so the window opens just after it.
EARLIEST = dt.datetime(1971, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=2)  # time zones and embargoed stories


def plausible(date: dt.datetime, now: dt.datetime | None = None) -> bool:
    """True when `date` (naive taken as UTC) lies between EARLIEST and now plus the slack."""
    aware = date if date.tzinfo else date.replace(tzinfo=dt.UTC)
    latest = (now or dt.datetime.now(dt.UTC)) + FUTURE_SLACK
    return EARLIEST <= aware <= latest

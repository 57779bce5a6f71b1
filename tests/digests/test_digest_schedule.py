"""When a digest is due: weekly and daily schedules in a person's own time zone, quiet hours, catching up."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from digests.schedule import QuietHours, Schedule, ScheduleError, check_zone, due, latest_occurrence, zone

UTC = dt.timezone.utc
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
MONDAY_9 = Schedule.parse("mon 09:00")
DAY = dt.timedelta(hours=12)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_a_weekly_digest_is_due_from_nine_local_on_monday_in_each_zone():
    # Monday 30 Nov 2026: 09:00 in Berlin is 08:00 UTC; in New York it is 14:00 UTC.
    assert due(utc(2026, 11, 30, 7, 59), MONDAY_9, BERLIN, None, DAY) is None
    berlin = due(utc(2026, 11, 30, 8, 0), MONDAY_9, BERLIN, None, DAY)
    assert berlin is not None and berlin.period_key == "2026-W49"
    assert berlin.since == utc(2026, 11, 23, 8, 0)  # the week before
    assert due(utc(2026, 11, 30, 13, 59), MONDAY_9, NEW_YORK, None, DAY) is None
    assert due(utc(2026, 11, 30, 14, 0), MONDAY_9, NEW_YORK, None, DAY).period_key == "2026-W49"


def test_late_by_more_than_the_catch_up_it_waits_for_the_next_week():
    assert due(utc(2026, 11, 30, 20, 1), MONDAY_9, BERLIN, None, DAY) is None  # 21:01 Berlin, 12 h 1 min late
    assert due(utc(2026, 12, 5, 12, 0), MONDAY_9, BERLIN, None, DAY) is None  # Saturday
    nxt = due(utc(2026, 12, 7, 8, 0), MONDAY_9, BERLIN, None, DAY)
    assert nxt is not None and nxt.period_key == "2026-W50"


def test_quiet_hours_push_a_digest_to_when_they_end_and_hold_it_meanwhile():
    quiet = QuietHours.parse("08:00-12:00")
    assert due(utc(2026, 11, 30, 8, 0), MONDAY_9, BERLIN, quiet, DAY) is None  # 09:00 local is quiet
    assert due(utc(2026, 11, 30, 10, 59), MONDAY_9, BERLIN, quiet, DAY) is None
    pushed = due(utc(2026, 11, 30, 11, 0), MONDAY_9, BERLIN, quiet, DAY)  # 12:00 local
    assert pushed is not None and pushed.due_at == dt.datetime(2026, 11, 30, 12, 0, tzinfo=BERLIN)


def test_quiet_hours_may_wrap_midnight():
    quiet = QuietHours.parse("20:00-08:00")
    daily_7 = Schedule.parse("daily 07:00")
    assert quiet.covers(dt.datetime(2026, 12, 1, 23, 0, tzinfo=UTC)) and quiet.covers(dt.datetime(2026, 12, 1, 7, 59, tzinfo=UTC))
    assert not quiet.covers(dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert due(utc(2026, 12, 1, 7, 0), daily_7, ZoneInfo("UTC"), quiet, DAY) is None
    d = due(utc(2026, 12, 1, 8, 0), daily_7, ZoneInfo("UTC"), quiet, DAY)
    assert d is not None and d.period_key == "2026-12-01" and d.since == utc(2026, 11, 30, 7, 0)


def test_a_daily_period_is_the_local_date_of_the_occurrence():
    daily = Schedule.parse("daily 08:00")
    # 23:30 UTC on 1 Dec is 08:30 on 2 Dec in Tokyo.
    d = due(utc(2026, 12, 1, 23, 30), daily, ZoneInfo("Asia/Tokyo"), None, DAY)
    assert d is not None and d.period_key == "2026-12-02"
    occurrence, key = latest_occurrence(dt.datetime(2026, 12, 2, 7, 0, tzinfo=UTC), daily)
    assert key == "2026-12-01" and occurrence.hour == 8


def test_schedules_and_quiet_hours_as_typed():
    assert Schedule.parse("Monday 9:30").text() == "mon 09:30"
    assert Schedule.parse("daily 08:00").weekday is None
    assert not Schedule.parse("off").enabled and due(utc(2026, 11, 30, 8, 0), Schedule.parse("off"), BERLIN, None, DAY) is None
    for bad in ("mon", "funday 09:00", "mon 25:00", "mon 9"):
        with pytest.raises(ScheduleError):
            Schedule.parse(bad)
    assert QuietHours.parse("none") is None
    for bad in ("20:00", "08:00-08:00", "8-9"):
        with pytest.raises(ScheduleError):
            QuietHours.parse(bad)


def test_time_zones():
    assert zone("Europe/Berlin", "UTC").key == "Europe/Berlin"
    assert zone("Mars/Olympus", "America/New_York").key == "America/New_York"  # a bad record falls back
    assert zone(None, "nonsense").key == "UTC"
    with pytest.raises(ScheduleError):
        check_zone("Europe/Atlantis")

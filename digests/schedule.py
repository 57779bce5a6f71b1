"""When a digest is due for one person: their schedule, their time zone and their quiet hours. Pure functions.

A schedule is weekly ("mon 09:00": that local day and time) or daily ("daily 08:00"). For a moment ``now`` the
latest occurrence at or before it names the period ("2026-W49" for a week, "2026-12-02" for a day); the digest of
that period is due from the occurrence on — pushed to the end of the person's quiet hours when it falls inside
them — until ``catch_up`` later, and never while quiet hours last.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class DigestKind(str, enum.Enum):
    manager = "manager"  # weekly: decisions, validations, team progress, readiness
    employee = "employee"  # weekly, opt-in: path progress, next step, opportunities
    learning = "learning"  # overnight, for L&D and HR: enrolments, completions, drop-off, demand, open questions


WORDS = {DigestKind.manager: "managers' weekly digest", DigestKind.employee: "employees' weekly digest (opt-in)",
         DigestKind.learning: "L&D and HR digest"}


class ScheduleError(ValueError):
    """What is wrong with a schedule, quiet hours or time zone as typed, in words a person can act on."""


def _clock(text: str) -> dt.time:
    match = _TIME.match(text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ScheduleError(f"“{text}” is not a time of day: use HH:MM, e.g. 09:00")
    return dt.time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Schedule:
    weekday: int | None  # 0 = Monday; None: every day
    at: dt.time
    enabled: bool = True

    @classmethod
    def parse(cls, text: str) -> "Schedule":
        """'mon 09:00', 'monday 9:00', 'daily 08:00', 'off'."""
        words = text.strip().lower().split()
        if words == ["off"]:
            return cls(None, dt.time(9, 0), enabled=False)
        if len(words) != 2:
            raise ScheduleError(f"“{text}” is not a schedule: use a day and a time (“mon 09:00”), “daily 08:00” or “off”")
        day, at = words
        if day in ("daily", "day", "everyday", "every-day"):
            return cls(None, _clock(at))
        for number, name in enumerate(DAYS):
            if day.startswith(name) and name.startswith(day[:3]):
                return cls(number, _clock(at))
        raise ScheduleError(f"“{day}” is not a day: use mon, tue, wed, thu, fri, sat, sun or daily")

    def text(self) -> str:
        if not self.enabled:
            return "off"
        day = "daily" if self.weekday is None else DAYS[self.weekday]
        return f"{day} {self.at:%H:%M}"

    def words(self) -> str:
        if not self.enabled:
            return "off"
        if self.weekday is None:
            return f"every day at {self.at:%H:%M} local time"
        return f"every {_DAY_NAMES[self.weekday]} at {self.at:%H:%M} local time"

    @property
    def period(self) -> dt.timedelta:
        return dt.timedelta(days=1 if self.weekday is None else 7)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class QuietHours:
    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str | None) -> "QuietHours | None":
        """'20:00-08:00' (may wrap midnight) or 'none' (None)."""
        if text is None or text.strip().lower() in ("none", "off", ""):
            return None
        start, sep, end = text.strip().partition("-")
        if not sep:
            raise ScheduleError(f"“{text}” are not quiet hours: use HH:MM-HH:MM, e.g. 20:00-08:00, or “none”")
        quiet = cls(_clock(start), _clock(end))
        if quiet.start == quiet.end:
            raise ScheduleError("quiet hours that start when they end would cover nothing: use “none” instead")
        return quiet

    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def covers(self, local: dt.datetime) -> bool:
        t = local.timetz().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def first_moment_after(self, local: dt.datetime) -> dt.datetime:
        """``local`` itself when outside quiet hours, else the moment they end."""
        if not self.covers(local):
            return local
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end = _at(local.date() + dt.timedelta(days=1), self.end, local.tzinfo)
        return end


def zone(name: str | None, default: str) -> ZoneInfo:
    """The person's zone; their record's when it names a real one, else the default (UTC if that is bad too)."""
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"“{name}” is not a time zone I know: use an IANA name such as Europe/Berlin or "
                            "America/New_York") from exc
    return name


def _at(day: dt.date, at: dt.time, tz) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=tz)


@dataclass(frozen=True)
class Due:
    period_key: str
    due_at: dt.datetime  # local, after quiet hours
    since: dt.datetime  # the period the digest covers starts here (UTC)


def latest_occurrence(now_local: dt.datetime, schedule: Schedule) -> tuple[dt.datetime, str]:
    """The latest scheduled moment at or before ``now_local`` and the key of its period."""
    tz = now_local.tzinfo
    if schedule.weekday is None:
        day = now_local.date()
        if _at(day, schedule.at, tz) > now_local:
            day -= dt.timedelta(days=1)
        return _at(day, schedule.at, tz), day.isoformat()
    day = now_local.date() - dt.timedelta(days=(now_local.weekday() - schedule.weekday) % 7)
    if _at(day, schedule.at, tz) > now_local:
        day -= dt.timedelta(days=7)
    year, week, _ = day.isocalendar()
    return _at(day, schedule.at, tz), f"{year}-W{week:02d}"


def due(now: dt.datetime, schedule: Schedule, tz: ZoneInfo, quiet: QuietHours | None,
        catch_up: dt.timedelta) -> Due | None:
    """The period whose digest should go out at ``now`` (UTC), or None (not yet, too late, quiet, or off)."""
    if not schedule.enabled:
        return None
    local = now.astimezone(tz)
    if quiet is not None and quiet.covers(local):
        return None
    occurrence, key = latest_occurrence(local, schedule)
    due_at = quiet.first_moment_after(occurrence) if quiet is not None else occurrence
    if local < due_at or local - due_at > catch_up:
        return None
    return Due(key, due_at, (occurrence - schedule.period).astimezone(dt.timezone.utc))

"""Times as Ladder stores and shows them: always UTC."""

from __future__ import annotations

import datetime as dt


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything Ladder stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


def when(value: dt.datetime | None) -> str:
    value = aware(value)
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"

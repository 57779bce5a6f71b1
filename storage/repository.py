"""The base every repository shares: it works inside one unit of work's session and never commits.

A repository answers the questions its part of Ladder asks, by name, and performs its writes. Committing is
the unit of work's job (``storage.uow``), so a use case's changes land together or not at all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without their zone; they are stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


class Repository:
    def __init__(self, session: Session) -> None:
        self._session = session

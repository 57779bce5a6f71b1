"""Repository: token buckets for per-sender rate limits, in the database so that every web process shares them.

``take`` runs in its own short transaction: the bucket's row is locked (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite serialises writers) while it is refilled for the time gone by and, when a token is left, one is taken.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import RateBucket
from storage.repository import Repository


class RateBuckets(Repository):
    def take(self, key: str, now: dt.datetime, *, capacity: float, per_second: float) -> bool:
        """One token from ``key``'s bucket (full at first): True when there was one."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self._session.execute(insert(RateBucket).values(key=key, tokens=float(capacity), updated_at=now)
                              .on_conflict_do_nothing(index_elements=["key"]))
        row = self._session.scalar(select(RateBucket).where(RateBucket.key == key).with_for_update())
        assert row is not None
        last = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.timezone.utc)
        elapsed = max(0.0, (now - last).total_seconds())  # a clock that goes back refills nothing
        tokens = min(float(capacity), row.tokens + elapsed * per_second)
        allowed = tokens >= 1.0
        row.tokens = tokens - 1.0 if allowed else tokens
        row.updated_at = max(now, last)
        return allowed

"""What every use case may use: settings, the database, caches and the clock. Built in app.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from settings import Settings
from storage.db import Database
from storage.queries import RoleIndexCache


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Ladder:
    settings: Settings
    db: Database
    roles: RoleIndexCache = field(default_factory=RoleIndexCache)
    now: Callable[[], dt.datetime] = _utcnow

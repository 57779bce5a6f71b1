"""Slack delivers events at least once (retries after a slow ack, app_mention + message for one post):
each delivery is claimed in the ProcessedEvent table; only the first claim does any work."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ProcessedEvent

KEY_MAX = 200


def event_key(event_id: str) -> str:
    return f"slack:event:{event_id}"[:KEY_MAX]


def message_key(channel: str, ts: str) -> str:
    return f"slack:msg:{channel}:{ts}"[:KEY_MAX]


def click_key(user: str, action_ts: str, action_id: str) -> str:
    return f"slack:click:{user}:{action_ts}:{action_id}"[:KEY_MAX]


def view_key(view_id: str, view_hash: str) -> str:
    return f"slack:view:{view_id}:{view_hash}"[:KEY_MAX]


def claim(db: Database, keys: list[str]) -> bool:
    """True if none of ``keys`` was seen before (and now all are recorded); False for a duplicate."""
    keys = list(dict.fromkeys(k for k in keys if k))
    if not keys:
        return True
    try:
        with db.unit_of_work() as session:
            session.execute(insert(ProcessedEvent), [{"key": key} for key in keys])
    except IntegrityError:
        return False
    return True

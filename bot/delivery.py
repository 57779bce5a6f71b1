"""Every channel delivers at least once: an event retried after a slow ack, one post seen as two events, a
click sent twice. Each delivery is named by keys and claimed in the database; only the first claim does work."""

from __future__ import annotations

from collections.abc import Iterable

from conversation import Channel
from storage import Database


def delivery_key(channel: Channel, kind: str, *parts: str) -> str:
    """``<channel>:<kind>:<part>:…`` — e.g. ``slack:event:Ev123``, ``teams:message:<conversation>:<activity id>``."""
    return ":".join((channel.value, kind, *parts))


def claim_once(db: Database, keys: Iterable[str]) -> bool:
    """True for the first delivery carrying any of ``keys`` (all are recorded then); False for a repeat."""
    with db.unit_of_work() as uow:
        return uow.chat.claim(keys)

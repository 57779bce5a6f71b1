"""Every channel delivers at least once: an event retried after a slow ack, one post seen as two events, a
click sent twice, a task redelivered after its worker died. Each delivery is named by keys and claimed in the
database; only the first claim does work — and the task that made it, if it is delivered again before its work
was done (``TASK_HOLDER``)."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterable

from conversation import Channel
from storage import Database

# The id of the task whose work is running (set by bot.tasks.runner on the event loop; read there and passed on).
TASK_HOLDER: contextvars.ContextVar[str | None] = contextvars.ContextVar("ladder_task_holder", default=None)


def delivery_key(channel: Channel, kind: str, *parts: str) -> str:
    """``<channel>:<kind>:<part>:…`` — e.g. ``slack:event:Ev123``, ``teams:message:<conversation>:<activity id>``."""
    return ":".join((channel.value, kind, *parts))


def claim_once(db: Database, keys: Iterable[str], holder: str | None = None) -> bool:
    """True for the first delivery carrying any of ``keys`` (all are recorded then), or for the task ``holder``
    that claimed them and has not finished; False for a repeat."""
    with db.unit_of_work() as uow:
        return uow.chat.claim(keys, holder)


def claim_for_task(db: Database, keys: Iterable[str], holder: str | None) -> str:
    """``first``, ``resumed`` (this task claimed it before and was cut off: its reply may or may not be out) or
    ``duplicate``."""
    with db.unit_of_work() as uow:
        return uow.chat.claim_state(keys, holder)


def mark_done(db: Database, keys: Iterable[str], now: dt.datetime | None = None) -> None:
    """The delivery's reply is out: a redelivery of its task sends nothing again."""
    with db.unit_of_work() as uow:
        uow.chat.done(keys, now or dt.datetime.now(dt.timezone.utc))

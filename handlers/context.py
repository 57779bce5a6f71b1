"""What every use case may use: settings, the database, caches, the clock and notifiers. Built in app.py."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from settings import Settings
from storage.db import Database
from storage.queries import RoleIndexCache

if TYPE_CHECKING:
    from conversation import Reply

log = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Notifier(Protocol):
    """Delivers a message to a person without them writing first (a channel adapter implements it).

    Returns True when the person was reached. Slack and Teams adapters register one each.
    """

    def notify(self, person_email: str, reply: "Reply") -> bool: ...


@dataclass
class Ladder:
    settings: Settings
    db: Database
    roles: RoleIndexCache = field(default_factory=RoleIndexCache)
    now: Callable[[], dt.datetime] = _utcnow
    notifiers: list[Notifier] = field(default_factory=list)
    # The knowledge base (Chroma client, BM25, embedding model) is built on first use: commands
    # that never answer a policy question don't pay for loading a model.
    knowledge_base: Any = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def notify(self, person_email: str, reply: "Reply") -> bool:
        """Try every channel; a failing channel never stops the others (or the caller)."""
        delivered = False
        for notifier in self.notifiers:
            try:
                delivered = notifier.notify(person_email, reply) or delivered
            except Exception:  # noqa: BLE001 - a notification failure must not undo the decision
                log.exception("notification failed", extra={"notifier": type(notifier).__name__})
        return delivered

"""What every use case may use: settings, the database, caches, the clock and notifiers. Built in app.py."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conversation import Notifiers, Reply
from settings import Settings
from skills_engine.indexes import TaxonomyIndexes
from storage.db import Database


log = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Ladder:
    settings: Settings
    db: Database
    # Role and skill names and the role graph, built from the taxonomy once and shared by every use case.
    indexes: TaxonomyIndexes = field(default_factory=TaxonomyIndexes)
    now: Callable[[], dt.datetime] = _utcnow
    notifiers: Notifiers = field(default_factory=Notifiers)
    # The knowledge base (Chroma client, BM25, embedding model) is built on first use: commands
    # that never answer a policy question don't pay for loading a model.
    knowledge_base: Any = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def notify(self, person_email: str, reply: Reply) -> bool:
        """Try every channel; a failing channel never stops the others (or the caller)."""
        return self.notifiers.notify(person_email, reply)

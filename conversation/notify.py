"""Reaching a person without them writing first (an approval card for a manager, a nudge).

Each channel that can reach people (Slack, Teams) provides a ``Notifier``; the composition root hands the
domain one ``Notifiers`` that tries them all. The domain never knows which channels exist.
"""

from __future__ import annotations

import logging
from typing import Protocol

from conversation.messages import Reply

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def notify(self, person_email: str, reply: Reply) -> bool:
        """Deliver ``reply`` to the person; True when they were reached."""
        ...


class Notifiers:
    """Every configured channel's notifier, tried in turn; a failing channel never stops the others."""

    def __init__(self, notifiers: list[Notifier] | None = None) -> None:
        self._notifiers: list[Notifier] = list(notifiers or [])

    def add(self, notifier: Notifier) -> None:
        self._notifiers.append(notifier)

    def put(self, notifier: Notifier) -> None:
        """Add a channel's notifier in place of one of the same type (a rebuilt channel keeps one notifier)."""
        self._notifiers = [n for n in self._notifiers if type(n) is not type(notifier)] + [notifier]

    def replace_all(self, notifiers: list[Notifier]) -> None:
        self._notifiers = list(notifiers)

    def __bool__(self) -> bool:
        return bool(self._notifiers)

    def __iter__(self):
        return iter(list(self._notifiers))

    def __len__(self) -> int:
        return len(self._notifiers)

    def notify(self, person_email: str, reply: Reply) -> bool:
        delivered = False
        for notifier in list(self._notifiers):
            try:
                delivered = notifier.notify(person_email, reply) or delivered
            except Exception:  # noqa: BLE001 - a notification failure must not undo the decision that caused it
                log.exception("notification failed", extra={"notifier": type(notifier).__name__})
        return delivered

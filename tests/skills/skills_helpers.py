"""Helpers shared by the skills tests: talking to the router, a recording notifier, a fixed clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from conversation import Notifiers, ActionRef, Channel, Message, Reply
from handlers.router import Router
from handlers.context import Ladder

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)


def ask(ladder: Ladder, text: str, email: str = MAYA, conversation: str = "skills") -> Reply:
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id=conversation, text=text))


def click(ladder: Ladder, ref: str, email: str = MAYA) -> Reply:
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="skills",
                                         action=ActionRef.decode(ref)))


@dataclass
class RecordingNotifier:
    """A real Notifier (the protocol the channel adapters implement) that keeps what it was given."""

    sent: list[tuple[str, Reply]] = field(default_factory=list)

    def notify(self, person_email: str, reply: Reply) -> bool:
        self.sent.append((person_email, reply))
        return True

    def to(self, email: str) -> list[Reply]:
        return [r for e, r in self.sent if e == email]


def at_fixed_time(ladder: Ladder, now: dt.datetime = NOW) -> Ladder:
    """The same company and database, seen at a fixed moment (the shared fixture stays untouched)."""
    return Ladder(settings=ladder.settings, db=ladder.db, indexes=ladder.indexes, now=lambda: now, notifiers=Notifiers(list(ladder.notifiers)))

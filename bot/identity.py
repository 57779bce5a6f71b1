"""Who is this chat user? A channel's account (Slack user id, Teams AAD object id) linked to a person in the
directory, remembered in the database so lookups by id and proactive messages work later.

Channels find the email themselves (Slack's users.info, Teams' roster); linking by it, looking up a linked
account and keeping how to reach someone are the same everywhere and live here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conversation import Channel
from storage import Database, UnitOfWork
from storage.chat import ChatUser


class ChatUsers:
    """One channel's accounts. ``remember`` notes in-process which accounts it has already linked, so a busy
    person costs no database write per message."""

    def __init__(self, db: Database, channel: Channel) -> None:
        self.db = db
        self.channel = channel
        self._linked: set[tuple[str, str]] = set()

    def recognise(self, uow: UnitOfWork, external_id: str) -> ChatUser | None:
        """The linked, active person behind ``external_id`` (None: not linked yet, or no longer active)."""
        return uow.chat.user(self.channel.value, external_id)

    def link(self, uow: UnitOfWork, external_id: str, email: str) -> ChatUser | None:
        """Link ``external_id`` to the directory person with ``email`` (None when there is nobody active)."""
        return uow.chat.link(self.channel.value, external_id, email)

    def remembered(self, external_id: str, email: str) -> bool:
        """Whether ``remember`` already linked this account to this email in this process."""
        return (external_id, email) in self._linked

    def remember(self, external_id: str, email: str) -> None:
        """``link`` in a transaction of its own, once per account and email for the life of this process."""
        if self.remembered(external_id, email):
            return
        with self.db.unit_of_work() as uow:
            self.link(uow, external_id, email)
        self._linked.add((external_id, email))

    def forget(self, external_ids: Sequence[str], email: str | None) -> int:
        """An erased person: this process no longer remembers linking their accounts."""
        gone = {pair for pair in self._linked if pair[0] in external_ids or (email is not None and pair[1] == email)}
        self._linked -= gone
        return len(gone)

    def reachable(self, email: str) -> list[ChatUser]:
        """The person's accounts in this channel that carry a reference to reach them by."""
        with self.db.unit_of_work() as uow:
            return uow.chat.reachable(self.channel.value, email)

    def set_reference(self, identity_id: int, reference: dict[str, Any]) -> None:
        with self.db.unit_of_work() as uow:
            uow.chat.set_reference(identity_id, reference)

"""Repository: what channels remember: de-duplication claims, who a chat user is (and how to reach them
later), and small things kept between two steps of an interaction (the message a Slack modal was opened from).

Every channel delivers at least once, and two deliveries of one event can race on two machines: the claims and
the identity links are written with ``INSERT … ON CONFLICT DO NOTHING``, so the loser of a race is told so by a
return value instead of an IntegrityError at commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Base, ChatIdentity, ConversationState, Person, ProcessedEvent
from storage.people import People
from storage.repository import Repository

CLAIM_KEY_MAX = 200  # ProcessedEvent.key's length


@dataclass(frozen=True)
class ChatUser:
    """A chat account linked to an active person in the directory."""

    identity_id: int
    person_id: int
    email: str
    reference: dict[str, Any] | None  # how the channel reaches them later (a Teams conversation reference)


class ChatRecords(Repository):
    # ------------------------------------------------------------------ deliveries

    def claim(self, keys: Iterable[str], holder: str | None = None) -> bool:
        """Record the keys of one delivery; True when none was recorded before (the first delivery) — or, with a
        ``holder`` (a task's id), when every key already recorded is held by that same task and not done yet (the
        task redelivered after its worker died: it may finish its work)."""
        return self.claim_state(keys, holder) != "duplicate"

    def claim_state(self, keys: Iterable[str], holder: str | None = None) -> str:
        """``first`` (newly claimed), ``resumed`` (held by ``holder`` already, its work not done) or ``duplicate``."""
        keys = _claim_keys(keys)
        if not keys:
            return "first"
        if self._insert_new(ProcessedEvent, [{"key": k, "holder": holder} for k in keys], ["key"]) == len(keys):
            return "first"
        if holder is None:
            return "duplicate"
        rows = self._session.execute(select(ProcessedEvent.holder, ProcessedEvent.done_at)
                                     .where(ProcessedEvent.key.in_(keys))).all()
        return "resumed" if all(h == holder and done is None for h, done in rows) else "duplicate"

    def holder(self, key: str) -> str | None:
        """The task that claimed ``key`` (None: unclaimed, or claimed by a delivery that was not a task)."""
        return self._session.execute(select(ProcessedEvent.holder).where(ProcessedEvent.key.in_(_claim_keys([key])))).scalar()

    def done(self, keys: Iterable[str], at: dt.datetime) -> None:
        """The delivery's work is finished: a redelivery of its task changes nothing now."""
        keys = _claim_keys(keys)
        if keys:
            self._session.execute(update(ProcessedEvent).where(ProcessedEvent.key.in_(keys), ProcessedEvent.done_at.is_(None))
                                  .values(done_at=at).execution_options(synchronize_session=False))

    # ------------------------------------------------------------------ identities

    def user(self, channel: str, external_id: str) -> ChatUser | None:
        """The active person behind a chat account, when the account is linked."""
        row = self._session.execute(
            select(ChatIdentity, Person).join(Person, Person.id == ChatIdentity.person_id)
            .where(ChatIdentity.channel == channel, ChatIdentity.external_id == external_id, Person.active.is_(True))
        ).first()
        return _chat_user(*row) if row is not None else None

    def link(self, channel: str, external_id: str, email: str) -> ChatUser | None:
        """Link a chat account to the directory person with this email (new, or re-pointed from someone else).
        None when nobody active has that email."""
        person = People(self._session).by_email(email)
        if person is None:
            return None
        self._insert_new(ChatIdentity, [{"person_id": person.id, "channel": channel, "external_id": external_id}],
                         ["channel", "external_id"])
        identity = self._session.scalar(select(ChatIdentity).where(ChatIdentity.channel == channel,
                                                                   ChatIdentity.external_id == external_id))
        assert identity is not None  # inserted above, or there already
        if identity.person_id != person.id:
            identity.person_id = person.id
        return _chat_user(identity, person)

    def reachable(self, channel: str, email: str) -> list[ChatUser]:
        """The person's accounts in ``channel`` that carry a reference to reach them by, oldest first."""
        person = People(self._session).by_email(email)
        if person is None:
            return []
        identities = self._session.scalars(
            select(ChatIdentity).where(ChatIdentity.person_id == person.id, ChatIdentity.channel == channel,
                                       ChatIdentity.conversation_ref.is_not(None)).order_by(ChatIdentity.id))
        return [_chat_user(i, person) for i in identities if i.conversation_ref]

    def set_reference(self, identity_id: int, reference: dict[str, Any]) -> None:
        identity = self._session.get(ChatIdentity, identity_id)
        if identity is not None and identity.conversation_ref != reference:
            identity.conversation_ref = reference

    # ------------------------------------------------------------------ between two steps

    def keep(self, key: str, data: dict[str, Any]) -> None:
        """Keep ``data`` under ``key`` until ``take`` (replacing what was kept there)."""
        self._session.merge(ConversationState(key=key, data=data))

    def take(self, key: str) -> dict[str, Any] | None:
        """What was kept under ``key``, forgotten as it is handed out."""
        state = self._session.get(ConversationState, key)
        if state is None:
            return None
        data = dict(state.data or {})
        self._session.delete(state)
        return data

    # ------------------------------------------------------------------ helpers

    def _insert_new(self, model: type[Base], rows: list[dict[str, Any]], unique: list[str]) -> int:
        """Insert the rows whose ``unique`` columns are not taken yet; how many were inserted."""
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (dialect.insert(model).values(rows).on_conflict_do_nothing(index_elements=unique)
                     .returning(*model.__table__.primary_key.columns))
        # RETURNING names the rows inserted on both databases (psycopg reports no rowcount for this statement).
        return len(self._session.execute(statement).all())


def _claim_keys(keys: Iterable[str]) -> list[str]:
    """A delivery's keys as stored: non-empty, cut to the column's length, each once, in order."""
    return list(dict.fromkeys(k[:CLAIM_KEY_MAX] for k in keys if k))


def _chat_user(identity: ChatIdentity, person: Person) -> ChatUser:
    reference = dict(identity.conversation_ref) if identity.conversation_ref else None
    return ChatUser(identity_id=identity.id, person_id=person.id, email=person.email, reference=reference)

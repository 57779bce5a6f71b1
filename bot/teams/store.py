"""What the Teams channel keeps in the database: who a Teams user is, how to reach them later, and
which activities were already handled. Synchronous (run in a worker thread); no SDK types here —
conversation references arrive and leave as plain JSON dicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from handlers.context import Ladder
from storage import queries
from storage.models import ChatIdentity, Person, ProcessedEvent

CHANNEL = "teams"


@dataclass(frozen=True)
class Contact:
    """One inbound activity, as far as identity and proactive reach are concerned."""

    aad_object_id: str | None
    conversation_ref: dict
    personal: bool
    dedupe_key: str | None = None


@dataclass(frozen=True)
class Seen:
    email: str | None  # the directory email, when the Teams user is already linked
    duplicate: bool  # this activity id was handled before


def _identity(session, aad_object_id: str) -> ChatIdentity | None:
    return session.scalar(select(ChatIdentity).where(ChatIdentity.channel == CHANNEL,
                                                     ChatIdentity.external_id == aad_object_id))


def _remember_ref(identity: ChatIdentity, contact: Contact) -> None:
    # A personal chat is where proactive messages (approval cards) belong; a channel reference is only
    # kept until we have a personal one (the notifier then opens a 1:1 chat from it).
    current = identity.conversation_ref or {}
    current_personal = (current.get("conversation") or {}).get("conversationType") == "personal"
    if contact.personal or not current or not current_personal:
        if current != contact.conversation_ref:
            identity.conversation_ref = contact.conversation_ref


def record_contact(ladder: Ladder, contact: Contact) -> Seen:
    """Dedupe the activity; if the sender is linked, refresh their stored conversation reference."""
    try:
        with ladder.db.unit_of_work() as session:
            if contact.dedupe_key:
                if session.get(ProcessedEvent, contact.dedupe_key) is not None:
                    return Seen(email=None, duplicate=True)
                session.add(ProcessedEvent(key=contact.dedupe_key))
            email = None
            if contact.aad_object_id:
                identity = _identity(session, contact.aad_object_id)
                if identity is not None:
                    person = session.get(Person, identity.person_id)
                    if person is not None and person.active:
                        email = person.email
                        _remember_ref(identity, contact)
            return Seen(email=email, duplicate=False)
    except IntegrityError:  # the same activity id raced in twice
        return Seen(email=None, duplicate=True)


def link_by_email(ladder: Ladder, contact: Contact, email: str) -> str | None:
    """First contact of a Teams user we only know by email: link their AAD id to the person."""
    with ladder.db.unit_of_work() as session:
        person = queries.person_by_email(session, email)
        if person is None:
            return None
        if contact.aad_object_id:
            identity = _identity(session, contact.aad_object_id)
            if identity is None:
                identity = ChatIdentity(person_id=person.id, channel=CHANNEL, external_id=contact.aad_object_id,
                                        conversation_ref=contact.conversation_ref)
                session.add(identity)
            else:
                _remember_ref(identity, contact)
        return person.email


def reference_for(ladder: Ladder, email: str) -> tuple[int, dict] | None:
    """The stored conversation reference to reach this person in Teams: (identity id, reference)."""
    with ladder.db.unit_of_work() as session:
        person = queries.person_by_email(session, email)
        if person is None:
            return None
        rows = session.scalars(select(ChatIdentity).where(ChatIdentity.person_id == person.id,
                                                          ChatIdentity.channel == CHANNEL,
                                                          ChatIdentity.conversation_ref.is_not(None))).all()
        rows = [r for r in rows if r.conversation_ref]
        if not rows:
            return None
        personal = [r for r in rows if (r.conversation_ref.get("conversation") or {}).get("conversationType") == "personal"]
        best = (personal or rows)[0]
        return best.id, dict(best.conversation_ref)


def replace_reference(ladder: Ladder, identity_id: int, conversation_ref: dict) -> None:
    with ladder.db.unit_of_work() as session:
        identity = session.get(ChatIdentity, identity_id)
        if identity is not None:
            identity.conversation_ref = conversation_ref

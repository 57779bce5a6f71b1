"""What the Teams channel keeps about the people it talks to: which activities were handled, who a Teams user is
(through ``bot.identity``), and the conversation reference to reach them later. Synchronous (run in a worker
thread); no SDK types here — conversation references arrive and leave as plain JSON dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.identity import ChatUsers
from storage import UnitOfWork
from storage.chat import ChatUser


@dataclass(frozen=True)
class Contact:
    """One inbound activity, as far as identity and proactive reach are concerned."""

    aad_object_id: str | None
    conversation_ref: dict[str, Any]
    personal: bool
    dedupe_key: str | None = None
    holder: str | None = None  # the task handling it (a redelivery of that task may go on)


@dataclass(frozen=True)
class Seen:
    email: str | None  # the directory email, when the Teams user is already linked
    duplicate: bool  # this activity id was handled before
    ours: bool = False  # ... by this very task (a redelivery after its work was done), not by another delivery


def _is_personal(reference: dict[str, Any] | None) -> bool:
    return ((reference or {}).get("conversation") or {}).get("conversationType") == "personal"


def _keep_reference(uow: UnitOfWork, user: ChatUser, contact: Contact) -> None:
    # A personal chat is where proactive messages (approval cards) belong; a channel reference is only
    # kept until we have a personal one (the notifier then opens a 1:1 chat from it).
    if contact.personal or not _is_personal(user.reference):
        uow.chat.set_reference(user.identity_id, contact.conversation_ref)


def record(users: ChatUsers, contact: Contact) -> Seen:
    """Claim the activity; if the sender is linked, refresh their stored conversation reference."""
    with users.db.unit_of_work() as uow:
        if contact.dedupe_key and not uow.chat.claim([contact.dedupe_key], contact.holder):
            ours = contact.holder is not None and uow.chat.holder(contact.dedupe_key) == contact.holder
            return Seen(email=None, duplicate=True, ours=ours)
        user = users.recognise(uow, contact.aad_object_id) if contact.aad_object_id else None
        if user is not None:
            _keep_reference(uow, user, contact)
        return Seen(email=user.email if user else None, duplicate=False)


def link_by_email(users: ChatUsers, contact: Contact, email: str) -> str | None:
    """First contact of a Teams user we only know by email: link their AAD id to the person."""
    if not contact.aad_object_id:
        return email  # nothing to link; the router looks the email up
    with users.db.unit_of_work() as uow:
        user = users.link(uow, contact.aad_object_id, email)
        if user is None:
            return None
        _keep_reference(uow, user, contact)
        return user.email


def reference_for(users: ChatUsers, email: str) -> tuple[int, dict[str, Any]] | None:
    """The stored conversation reference to reach this person in Teams (a personal chat's first):
    (identity id, reference)."""
    reachable = users.reachable(email)
    best = next((u for u in reachable if _is_personal(u.reference)), reachable[0] if reachable else None)
    return (best.identity_id, dict(best.reference)) if best is not None and best.reference else None

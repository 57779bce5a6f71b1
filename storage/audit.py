"""The append-only audit trail: the only writes this module offers are inserts.

Every insert carries, when the unit of work was given the audit keys (``storage.audit_keys``, handed in by the
composition root), the keyed pseudonyms of its subject and actor and a keyed digest of its detail — two or three
HMACs, nothing more on the hot path. Rows are inserted unsealed; ``storage.audit_chain`` seals them into a hash
chain later (docs/audit.md). Without the keys (a tool's own database) the sealer fills them in at sealing time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, aliased

from storage.audit_keys import AuditKeys
from storage.repository import Repository
from storage.models import AuditEvent, Person, utcnow
from storage.scope import Scope, where_person


def record(
    session: Session,
    *,
    action: str,
    actor_id: int | None = None,
    actor_kind: str = "person",
    subject_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
    subject_ref: str | None = None,
    keys: AuditKeys | None = None,
) -> AuditEvent:
    """``subject_ref``: an erased person's pseudonym, for entries about someone who no longer has a row of their own.
    ``keys``: the audit keys; with them the entry gets its refs and detail digest now (else when it is sealed)."""
    entry: dict[str, Any] = dict(
        at=at or utcnow(), actor_id=actor_id, actor_kind=actor_kind, action=action, subject_id=subject_id,
        object_type=object_type, object_id=object_id, detail=detail or {}, subject_ref=subject_ref,
    )
    event = AuditEvent(**(keys.stamp(entry) if keys is not None else entry))
    session.add(event)
    return event


def events_for(session: Session, subject_id: int, limit: int = 50) -> list[AuditEvent]:
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ))


class AuditTrail(Repository):
    """The audit trail as a repository of the unit of work: record entries, read them back."""

    def __init__(self, session: Session, keys: AuditKeys | None = None) -> None:
        super().__init__(session)
        self._keys = keys

    def record(self, **entry: Any) -> AuditEvent:
        return record(self._session, keys=self._keys, **entry)

    def record_many(self, entries: list[dict[str, Any]]) -> None:
        """Bulk insert (executemany): each entry has the columns ``record`` takes, ``at`` included; each gets its
        refs and detail digest as ``record`` gives them."""
        if self._keys is not None:
            entries = [self._keys.stamp(dict(e)) for e in entries]
        for start in range(0, len(entries), 5000):
            self._session.execute(insert(AuditEvent), entries[start:start + 5000])

    def events_for(self, subject_id: int, limit: int = 50) -> list[AuditEvent]:
        return events_for(self._session, subject_id, limit)

    def has_event(self, action: str, object_type: str, object_id: str) -> bool:
        return self._session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == action, AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)) is not None

    def actions_on(self, object_type: str, object_ids: Iterable[str]) -> set[tuple[str, str]]:
        """(action, object id) of everything recorded about these objects."""
        ids = list(object_ids)
        if not ids:
            return set()
        return {(a, o) for a, o in self._session.execute(select(AuditEvent.action, AuditEvent.object_id).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id.in_(ids)))}

    def trail(self, *, scope: Scope, person_id: int | None = None, object_type: str | None = None,
              object_id: str | None = None, limit: int = 50) -> list[tuple[AuditEvent, str | None]]:
        """Newest first, with the actor's name: everything by or about a person, and/or about one object —
        only events about people ``scope`` covers (an event about nobody needs an everyone scope)."""
        actor = aliased(Person)
        query = select(AuditEvent, actor.name).outerjoin(actor, actor.id == AuditEvent.actor_id)
        condition = where_person(AuditEvent.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        if person_id is not None:
            query = query.where(or_(AuditEvent.subject_id == person_id, AuditEvent.actor_id == person_id))
        if object_type is not None:
            query = query.where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        rows = self._session.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
        return [(event, name) for event, name in rows]

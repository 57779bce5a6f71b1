"""The append-only audit trail: the only write this module offers is an insert."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEvent, utcnow


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
) -> AuditEvent:
    event = AuditEvent(
        at=at or utcnow(), actor_id=actor_id, actor_kind=actor_kind, action=action, subject_id=subject_id,
        object_type=object_type, object_id=object_id, detail=detail or {},
    )
    session.add(event)
    return event


def events_for(session: Session, subject_id: int, limit: int = 50) -> list[AuditEvent]:
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ))


class AuditTrail:
    """The audit trail as a repository of the unit of work: record an entry, read a person's entries."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, **entry: Any) -> AuditEvent:
        return record(self._session, **entry)

    def events_for(self, subject_id: int, limit: int = 50) -> list[AuditEvent]:
        return events_for(self._session, subject_id, limit)

"""Helpers for the onboarding tests."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import AuditEvent, Onboarding, Person, Proposal

JANE = "jane.doe@kestrel.example"
HIRE_JANE = (f'/ladder hire {JANE} "Jane Doe" as data analyst reporting to daniel.okafor@kestrel.example '
             "team Data & Analytics starting 2026-12-07")


def record(ladder, email: str) -> Onboarding | None:
    with ladder.db.session() as s:
        return s.scalar(select(Onboarding).join(Person, Person.id == Onboarding.person_id).where(Person.email == email))


def proposals_about(ladder, email: str) -> list[Proposal]:
    with ladder.db.session() as s:
        return list(s.scalars(select(Proposal).join(Person, Person.id == Proposal.subject_id).where(Person.email == email)
                              .order_by(Proposal.id)))


def audit_count(ladder, action: str, object_id: str | None = None) -> int:
    with ladder.db.session() as s:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        if object_id is not None:
            query = query.where(AuditEvent.object_id == object_id)
        return s.scalar(query)


def people_count(ladder) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(Person))


def welcomes(notifier, email: str) -> list:
    return [r for r in notifier.to(email) if r.data.get("intent") == "onboarding_welcome"]

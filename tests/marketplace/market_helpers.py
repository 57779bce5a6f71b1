"""Shared by the marketplace tests: the demo people they use and a brief that the demo's skills match."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import AuditEvent, Opportunity, Person, Team

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"
BRIEF = "I need someone who can build dashboards in SQL, 4 hours a week for 3 months, for the churn project"


def team_lead(ladder, team: str) -> str:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(Person.email).join(Team, Team.lead_id == Person.id).where(Team.name == team))


def member_of(ladder, team: str, *, not_: tuple[str, ...] = ()) -> str:
    """A member (not the lead) of the team, the first by id not in ``not_``."""
    with ladder.db.session() as s, s.begin():
        team_row = s.scalar(select(Team).where(Team.name == team))
        return s.scalar(select(Person.email).where(Person.team_id == team_row.id, Person.id != team_row.lead_id,
                                                   Person.email.not_in(not_)).order_by(Person.id))


def manager_of(ladder, email: str) -> str:
    with ladder.db.session() as s, s.begin():
        person = s.scalar(select(Person).where(Person.email == email))
        return s.scalar(select(Person.email).where(Person.id == person.manager_id))


def count(ladder, model, *where) -> int:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(func.count()).select_from(model).where(*where))


def opportunity(ladder, opportunity_id: int) -> Opportunity:
    with ladder.db.session() as s, s.begin():
        opp = s.get(Opportunity, opportunity_id)
        s.expunge(opp)
        return opp


def audit_actions(ladder, object_id: int) -> list[str]:
    with ladder.db.session() as s, s.begin():
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "opportunity",
                                                              AuditEvent.object_id == str(object_id)).order_by(AuditEvent.id)))


def button(reply, label_starts: str) -> str:
    return next(b.ref for b in reply.actions() if b.label.startswith(label_starts))



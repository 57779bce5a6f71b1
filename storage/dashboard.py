"""Repository: the web dashboard's sign-in (one-time links, browser sessions) and the summaries its pages read.

Every summary about people takes a ``Scope`` and filters in SQL, so a manager's page cannot list a non-report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import aliased

from storage.models import AuditEvent, DashboardLink, DashboardSession, Person, Proposal, ProposalStatus, Team
from storage.repository import Repository, utc
from storage.scope import Scope, where_person


@dataclass(frozen=True, slots=True)
class PendingRow:
    proposal_id: int
    action_type: str
    subject: str
    approver: str
    created_at: dt.datetime
    expires_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: dt.datetime
    action: str
    actor: str  # a name, or "agent" / "system"
    subject: str
    object_type: str | None
    object_id: str | None


@dataclass(frozen=True, slots=True)
class Member:
    person_id: int
    team: str
    role_id: int | None


class Dashboard(Repository):
    # ------------------------------------------------------------------ sign-in

    def add_link(self, token_hash: str, person_id: int, now: dt.datetime, expires_at: dt.datetime) -> None:
        self._session.add(DashboardLink(token_hash=token_hash, person_id=person_id, created_at=now, expires_at=expires_at))
        self._session.flush()

    def consume_link(self, token_hash: str, now: dt.datetime) -> int | None:
        """The person of an unused, unexpired link, marking it used in the same statement: of two sign-ins with one
        link, one wins (the other updates no row)."""
        done = self._session.execute(update(DashboardLink)
                                     .where(DashboardLink.token_hash == token_hash, DashboardLink.used_at.is_(None),
                                            DashboardLink.expires_at > now)
                                     .values(used_at=now))
        if done.rowcount != 1:
            return None
        return self._session.scalar(select(DashboardLink.person_id).where(DashboardLink.token_hash == token_hash))

    def link_state(self, token_hash: str, now: dt.datetime) -> str:
        """unknown | used | expired | valid — what the sign-in page tells the person."""
        row = self._session.execute(select(DashboardLink.used_at, DashboardLink.expires_at)
                                    .where(DashboardLink.token_hash == token_hash)).first()
        if row is None:
            return "unknown"
        used_at, expires_at = row
        if used_at is not None:
            return "used"
        return "expired" if utc(expires_at) <= now else "valid"

    def add_session(self, session_hash: str, person_id: int, now: dt.datetime, expires_at: dt.datetime) -> None:
        self._session.add(DashboardSession(session_hash=session_hash, person_id=person_id, created_at=now, expires_at=expires_at))
        self._session.flush()

    def session_person(self, session_hash: str, now: dt.datetime) -> int | None:
        return self._session.scalar(select(DashboardSession.person_id)
                                    .where(DashboardSession.session_hash == session_hash, DashboardSession.expires_at > now))

    def end_session(self, session_hash: str) -> None:
        self._session.execute(delete(DashboardSession).where(DashboardSession.session_hash == session_hash))

    def purge_expired(self, now: dt.datetime) -> int:
        gone = self._session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now)).rowcount
        gone += self._session.execute(delete(DashboardLink).where(DashboardLink.expires_at <= now - dt.timedelta(days=1))).rowcount
        return gone

    # ------------------------------------------------------------------ summaries

    def proposal_counts(self, scope: Scope) -> dict[str, int]:
        """Proposals by status, about people in the scope."""
        query = select(Proposal.status, func.count()).group_by(Proposal.status)
        condition = where_person(Proposal.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return {getattr(status, "value", status): n for status, n in self._session.execute(query)}

    def pending(self, scope: Scope, limit: int) -> list[PendingRow]:
        """Proposals waiting for a decision about people in the scope, the oldest first."""
        subject, approver = aliased(Person), aliased(Person)
        query = (select(Proposal.id, Proposal.action_type, subject.name, approver.name, Proposal.created_at, Proposal.expires_at)
                 .join(subject, subject.id == Proposal.subject_id)
                 .outerjoin(approver, approver.id == Proposal.approver_id)
                 .where(Proposal.status == ProposalStatus.proposed)
                 .order_by(Proposal.created_at, Proposal.id).limit(limit))
        condition = where_person(Proposal.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return [PendingRow(pid, kind, s or "", a or "—", utc(created), utc(expires) if expires else None)
                for pid, kind, s, a, created, expires in self._session.execute(query)]

    def audit_counts(self, scope: Scope, since: dt.datetime) -> dict[str, int]:
        """Audit entries since ``since`` by action: about people in the scope (everyone's scope: all entries)."""
        query = select(AuditEvent.action, func.count()).where(AuditEvent.at >= since).group_by(AuditEvent.action)
        condition = where_person(AuditEvent.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return dict(self._session.execute(query).all())

    def recent_audit(self, scope: Scope, limit: int) -> list[AuditRow]:
        actor, subject = aliased(Person), aliased(Person)
        query = (select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_kind, actor.name, subject.name,
                        AuditEvent.object_type, AuditEvent.object_id)
                 .outerjoin(actor, actor.id == AuditEvent.actor_id)
                 .outerjoin(subject, subject.id == AuditEvent.subject_id)
                 .order_by(AuditEvent.id.desc()).limit(limit))
        condition = where_person(AuditEvent.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return [AuditRow(utc(at), action, name or kind, who or "—", otype, oid)
                for at, action, kind, name, who, otype, oid in self._session.execute(query)]

    def members(self, scope: Scope) -> list[Member]:
        """Active people in the scope who belong to a team, with the team's name and their current role."""
        query = (select(Person.id, Team.name, Person.role_id).join(Team, and_(Team.id == Person.team_id))
                 .where(Person.active.is_(True)).order_by(Team.name, Person.id))
        condition = where_person(Person.id, scope)
        if condition is not None:
            query = query.where(condition)
        return [Member(pid, team, role) for pid, team, role in self._session.execute(query)]


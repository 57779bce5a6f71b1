"""Proposals as plain data with names resolved: what cards, lists and replies are built from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from approvals import actions
from approvals.approvers import decision_scope
from approvals.utc import aware, when
from storage import UnitOfWork
from storage.models import Decision, Person, Proposal


@dataclass
class ProposalView:
    id: int
    version: int
    action_type: str
    status: str
    subject_id: int
    subject_name: str
    subject_email: str
    approver_id: int | None
    approver_name: str
    summary: str
    payload: dict[str, Any]
    rationale: str
    evidence: list[Any]
    policy_note: str
    created_at: dt.datetime | None
    expires_at: dt.datetime | None
    escalated_at: dt.datetime | None
    decided_at: dt.datetime | None
    executed_at: dt.datetime | None
    attempts: int
    last_error: str | None
    decision_outcome: str | None = None
    decider_name: str | None = None
    decision_reason: str | None = None
    decision_changes: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {
            "id": self.id, "version": self.version, "action_type": self.action_type, "status": self.status,
            "subject": self.subject_email, "approver": self.approver_name, "summary": self.summary,
            "decided_by": self.decider_name, "reason": self.decision_reason, "decided_at": when(self.decided_at) if self.decided_at else None,
            "last_error": self.last_error, "attempts": self.attempts, "payload": self.payload,
        }


def views(uow: UnitOfWork, proposals: list[Proposal], decisions: dict[int, Decision] | None = None) -> list[ProposalView]:
    if not proposals:
        return []
    ids = {p.subject_id for p in proposals} | {p.approver_id for p in proposals if p.approver_id}
    if decisions is None:
        decisions = uow.proposals.decisions_for([p.id for p in proposals])
    ids |= {d.decider_id for d in decisions.values() if d.decider_id}
    people = uow.people.names_and_emails(ids)
    out = []
    for p in proposals:
        subject_name, subject_email = people.get(p.subject_id, ("someone", ""))
        d = decisions.get(p.id)
        out.append(ProposalView(
            id=p.id, version=p.version, action_type=p.action_type, status=p.status.value, subject_id=p.subject_id,
            subject_name=subject_name, subject_email=subject_email, approver_id=p.approver_id,
            approver_name=people.get(p.approver_id, ("an HR admin", ""))[0] if p.approver_id else "an HR admin",
            summary=actions.summary(p.action_type, p.payload, subject_name), payload=dict(p.payload or {}),
            rationale=p.rationale, evidence=list(p.evidence or []), policy_note=p.policy_note,
            created_at=aware(p.created_at), expires_at=aware(p.expires_at), escalated_at=aware(p.escalated_at),
            decided_at=aware(p.decided_at), executed_at=aware(p.executed_at), attempts=p.attempts, last_error=p.last_error,
            decision_outcome=d.outcome.value if d else None,
            decider_name=(people.get(d.decider_id, ("someone", ""))[0] if d.decider_id else "Ladder (policy: auto)") if d else None,
            decision_reason=d.reason if d else None, decision_changes=d.changes if d else None,
        ))
    return out


def view(uow: UnitOfWork, proposal_id: int) -> ProposalView | None:
    p = uow.proposals.get(proposal_id, fresh=True)
    return views(uow, [p])[0] if p is not None else None


def pending_for(uow: UnitOfWork, person: Person, today: dt.date, limit: int = 20) -> list[ProposalView]:
    """Proposals waiting for this person: as approver, as an away manager's delegate, or (who may decide about
    anyone: HR) all of them — read through the person's decision scope, so nobody outside it is listed."""
    scope, approvers = decision_scope(uow, person, today)
    return views(uow, uow.proposals.open_for(None if scope.everyone else approvers, not_about=person.id, limit=limit, scope=scope))

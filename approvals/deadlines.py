"""Deadlines: a proposal nobody decided in time is escalated once (with a new deadline), then expires."""

from __future__ import annotations

import datetime as dt

from approvals.actions import ActionType
from approvals.approvers import hr_admins
from approvals.deps import ApprovalsDeps, ApprovalSettings
from approvals.notify import notify_approvers
from approvals.states import OPEN
from approvals.utc import aware
from storage import UnitOfWork
from storage.models import Proposal, ProposalStatus
from storage.proposals import WRITE_CONFLICTS


def apply_deadline(uow: UnitOfWork, p: Proposal, now: dt.datetime, settings: ApprovalSettings) -> str | None:
    """Past its deadline: escalate once (new deadline), then expire. Returns what happened, if anything."""
    expires = aware(p.expires_at)
    if p.status != OPEN or expires is None or now < expires:
        return None
    if p.escalated_at is None and settings.approval_escalate_to != "none":
        approver = uow.people.get(p.approver_id)
        target = None
        hr_only = p.action_type == ActionType.erase_person.value  # an erasure is HR's to decide, whoever manages whom
        if settings.approval_escalate_to == "manager" and approver is not None and approver.manager_id and not hr_only:
            target = uow.people.get(approver.manager_id)
        if target is None or target.id in (p.subject_id, p.approver_id):
            target = next((a for a in hr_admins(uow) if a.id not in (p.subject_id, p.approver_id)), None)
        if target is not None:
            new_deadline = now + dt.timedelta(days=settings.approval_escalation_days)
            before = approver.name if approver else "nobody"
            p.policy_note = (f"Escalated to {target.name} on {now:%Y-%m-%d}: {before} did not decide by "
                             f"{expires:%Y-%m-%d %H:%M} UTC. New deadline {new_deadline:%Y-%m-%d %H:%M} UTC. ") + p.policy_note
            uow.audit.record(action="proposal.escalated", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                             object_id=str(p.id), at=now, detail={"from": p.approver_id, "to": target.id, "deadline": new_deadline.isoformat(),
                                                                  "missed": expires.isoformat()})
            p.approver_id, p.escalated_at, p.expires_at = target.id, now, new_deadline
            return "escalated"
    p.status, p.decided_at = ProposalStatus.expired, now
    uow.audit.record(action="proposal.expired", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                     object_id=str(p.id), at=now, detail={"deadline": expires.isoformat(), "escalated": p.escalated_at is not None})
    return "expired"


def sweep_deadlines(deps: ApprovalsDeps) -> dict[str, int]:
    """Escalate or expire every overdue proposal (one transaction each); tells the new approvers."""
    now = deps.now()
    with deps.db.unit_of_work() as uow:
        due = uow.proposals.overdue_ids(now)
    counts = {"escalated": 0, "expired": 0}
    escalated: list[int] = []
    for pid in due:
        try:
            with deps.writing() as uow:
                p = uow.proposals.get(pid, fresh=True)
                outcome = apply_deadline(uow, p, now, deps.settings) if p is not None else None
        except WRITE_CONFLICTS:
            continue  # someone decided it meanwhile: their decision stands
        if outcome:
            counts[outcome] += 1
            if outcome == "escalated":
                escalated.append(pid)
    if escalated:
        with deps.db.unit_of_work() as uow:
            notify_approvers(uow, deps.notifier, escalated, today=now.date(), heading="escalated to you")
    return counts

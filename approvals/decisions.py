"""Deciding a proposal: approve, reject or override — exactly once.

The decision runs in one transaction guarded by the proposal's version (SQLAlchemy ``version_id_col``: the
UPDATE carries ``WHERE version = <the version we read>``) and writes an audit row. When two people decide at
the same moment, or a click arrives twice, exactly one UPDATE matches; the other transaction rolls back and
its sender is told which decision won. An approved or overridden proposal is then carried out.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from approvals.actions import ActionType
from approvals.approvers import belongs_to, may_decide, permission
from approvals.deadlines import apply_deadline
from approvals.deps import ApprovalsDeps
from approvals.execution import execute
from approvals.overrides import override_payload
from approvals.states import DECIDED_OK, OPEN, OUTCOME, Verb
from approvals.utc import when
from approvals.views import ProposalView, view, views
from conversation.errors import log_failure
from governance.permissions import Capability, check
from storage import UnitOfWork
from storage.models import Decision, Person, Proposal, ProposalStatus
from storage.proposals import WRITE_CONFLICTS

log = logging.getLogger(__name__)


@dataclass
class DecisionResult:
    status: Literal["decided", "stale", "forbidden", "invalid", "not_found", "busy"]
    message: str
    view: ProposalView | None = None
    error_id: str | None = None  # "busy": the decision could not be written; the log has the details under this id


def why_not(uow: UnitOfWork, proposal_id: int, person: Person | None, today: dt.date, *, version: int | None = None) -> DecisionResult | None:
    """Why this person can't decide this proposal now (none, not theirs, no longer open, changed) — or None.

    Read only: asked before offering a form, so nobody fills one in for a decision that can't happen.
    """
    p = uow.proposals.get(proposal_id, fresh=True)
    refused = _refusal(uow, p, proposal_id, person, today)
    if refused is not None or p is None:
        return refused
    if p.status != OPEN or (version is not None and version != p.version):
        v = views(uow, [p])[0]
        return DecisionResult("stale", stale_message(v), v)
    return None


def decide(deps: ApprovalsDeps, proposal_id: int, decider_id: int, verb: Verb, *, version: int | None = None,
           reason: str | None = None, change: str | None = None) -> DecisionResult:
    """Apply one decision, exactly once, then carry it out. Never raises on a lost race."""
    now = deps.now()
    reason = (reason or "").strip() or None
    try:
        with deps.writing() as uow:
            result = _decide(uow, deps, proposal_id, decider_id, verb, now, version=version, reason=reason, change=change)
    except WRITE_CONFLICTS:
        with deps.db.unit_of_work() as uow:
            v = view(uow, proposal_id)
        if v is None or v.status == OPEN.value:
            error_id = log_failure(log, "decision could not be written", proposal_id=proposal_id)
            return DecisionResult("busy", f"I couldn't record that decision just now — please try again (error id {error_id}).",
                                  v, error_id)
        return DecisionResult("stale", stale_message(v), v)
    if result.status != "decided":
        return result
    if OUTCOME[verb] in DECIDED_OK:
        execute(deps, proposal_id)
    with deps.db.unit_of_work() as uow:
        result.view = view(uow, proposal_id)
    return result


def _decide(uow: UnitOfWork, deps: ApprovalsDeps, proposal_id: int, decider_id: int, verb: Verb, now: dt.datetime, *,
            version: int | None, reason: str | None, change: str | None) -> DecisionResult:
    today = now.date()
    p = uow.proposals.get(proposal_id, fresh=True)
    decider = uow.people.get(decider_id)
    refused = _refusal(uow, p, proposal_id, decider, today)
    if refused is not None or p is None or decider is None:
        return refused or DecisionResult("not_found", f"I can't find proposal {proposal_id}.")
    deadline = apply_deadline(uow, p, now, deps.settings)
    if deadline is not None:
        uow.flush()  # the deadline's change stands whatever happens next (a lost race raises here)
        if not (deadline == "escalated" and may_decide(uow, decider, p, today)):  # e.g. an HR admin: still theirs
            v = views(uow, [p])[0]
            return DecisionResult("stale", stale_message(v), v)
    if p.status != OPEN or (version is not None and version != p.version):
        v = views(uow, [p])[0]
        return DecisionResult("stale", stale_message(v), v)
    changes = None
    if verb == "override":
        if not reason:
            return DecisionResult("invalid", "An override needs a reason — say why you're changing it.")
        try:
            new_payload, changes = override_payload(uow, p, change or "", today)
        except ValueError as exc:
            return DecisionResult("invalid", str(exc))
        p.payload = new_payload
    outcome = OUTCOME[verb]
    p.status, p.decided_at = outcome, now
    uow.add(Decision(proposal_id=p.id, decider_id=decider.id, outcome=outcome, reason=reason, changes=changes, decided_at=now))
    uow.audit.record(action=f"proposal.{outcome.value}", actor_id=decider.id, subject_id=p.subject_id, object_type="proposal",
                     object_id=str(p.id), at=now, detail={"reason": reason, "changes": changes, "version": version,
                                                          "on_behalf_of": p.approver_id if p.approver_id != decider.id else None})
    uow.flush()  # the version check: a lost race raises here
    return DecisionResult("decided", f"{_verb_past(outcome)} proposal {p.id}.")


def _refusal(uow: UnitOfWork, p: Proposal | None, proposal_id: int, person: Person | None, today: dt.date) -> DecisionResult | None:
    if p is None:
        return DecisionResult("not_found", f"I can't find proposal {proposal_id}.")
    if p.action_type == ActionType.erase_person.value:  # HR decides erasures, whoever the approver on record is
        allowed = check(uow.people, person, Capability.approve_erasure, p.subject_id)
        if not allowed:
            return DecisionResult("forbidden", allowed.reason, views(uow, [p])[0])
        return None
    allowed = permission(uow, person, p, today)
    if allowed:
        return None
    v = views(uow, [p])[0]
    if person is not None and person.id == p.subject_id:
        return DecisionResult("forbidden", allowed.reason, v)
    return DecisionResult("forbidden", f"This decision belongs to {belongs_to(uow, p, today)}. {allowed.reason}", v)


def _verb_past(status: ProposalStatus) -> str:
    return {"approved": "Approved", "rejected": "Rejected", "overridden": "Overrode"}.get(status.value, status.value.title())


def stale_message(v: ProposalView | None) -> str:
    if v is None:
        return "That proposal no longer exists."
    if v.status == "proposed":
        return f"Proposal {v.id} changed since that card was sent (it is now with {v.approver_name}) — here is the current version."
    if v.status == "expired":
        return f"Proposal {v.id} expired on {when(v.decided_at)} without a decision; nothing was changed."
    who = v.decider_name or "someone"
    outcome = v.decision_outcome or v.status
    reason = f" — reason: {v.decision_reason}" if v.decision_reason else ""
    return f"Already decided: proposal {v.id} was {outcome} by {who} on {when(v.decided_at)}{reason}. Nothing was changed."

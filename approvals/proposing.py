"""Writing proposals: the one path every proposal takes into the database (the agent's and anyone else's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from approvals import actions, policy
from approvals.actions import ActionType
from storage import UnitOfWork
from storage.models import Proposal, ProposalStatus


@dataclass
class NewProposal:
    action_type: ActionType
    subject_id: int
    approver_id: int | None
    payload: dict[str, Any]
    rationale: str
    evidence: list[dict[str, Any]]
    dedupe_key: str  # (rule, person, object): the agent doesn't propose the same thing twice


def write(uow: UnitOfWork, news: list[NewProposal], levels: Mapping[ActionType, policy.Autonomy], *, now: dt.datetime,
          expiry_days: int, created_by: str = "agent") -> list[int]:
    """Insert proposals with validated payloads, the policy note, their audit rows and — where the policy is
    ``auto`` — the policy's own approval. Returns their ids in order.

    Bulk statements (one INSERT … RETURNING, executemany for the rest), so an agent pass over 10,000 people
    stays a handful of round trips.
    """
    if not news:
        return []
    rows = []
    for n in news:
        level = levels[n.action_type]
        auto = level == policy.Autonomy.auto
        rows.append({
            "action_type": n.action_type.value, "subject_id": n.subject_id, "approver_id": n.approver_id,
            "payload": actions.dump_payload(actions.PAYLOADS[n.action_type].model_validate(n.payload)),
            "rationale": n.rationale, "evidence": n.evidence, "policy_note": policy.note(n.action_type, level),
            "status": ProposalStatus.approved if auto else ProposalStatus.proposed, "dedupe_key": n.dedupe_key,
            "created_by": created_by, "created_at": now, "expires_at": None if auto else now + dt.timedelta(days=expiry_days),
            "decided_at": now if auto else None, "version": 1, "attempts": 0,
        })
    ids = uow.proposals.insert_many(rows)
    audit, decisions = [], []
    for n, row, pid in zip(news, rows, ids):
        audit.append(_audit(now, "agent", "proposal.created", n.subject_id, pid, {
            "action_type": row["action_type"], "payload": row["payload"], "rationale": n.rationale, "evidence": n.evidence,
            "approver_id": n.approver_id, "policy": levels[n.action_type].value, "dedupe_key": n.dedupe_key}))
        if row["status"] == ProposalStatus.approved:
            decisions.append({"proposal_id": pid, "decider_id": None, "outcome": ProposalStatus.approved, "reason": "policy: auto",
                              "decided_at": now})
            audit.append(_audit(now, "system", "proposal.auto_approved", n.subject_id, pid, {"policy": "auto"}))
    uow.audit.record_many(audit)
    uow.proposals.insert_decisions(decisions)
    return ids


def create(uow: UnitOfWork, new: NewProposal, *, level: policy.Autonomy, now: dt.datetime, expiry_days: int,
           created_by: str = "agent") -> Proposal:
    """One proposal through ``write``; returns it. ``auto`` proposals are approved at once."""
    [pid] = write(uow, [new], {new.action_type: level}, now=now, expiry_days=expiry_days, created_by=created_by)
    p = uow.proposals.get(pid)
    assert p is not None
    return p


def _audit(now: dt.datetime, actor_kind: str, action: str, subject_id: int, proposal_id: int, detail: dict[str, Any]) -> dict[str, Any]:
    return {"at": now, "actor_id": None, "actor_kind": actor_kind, "action": action, "subject_id": subject_id,
            "object_type": "proposal", "object_id": str(proposal_id), "detail": detail}

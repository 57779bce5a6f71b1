"""Applying effective-dated role changes when their day comes, and the path that follows a new role.

``apply_due`` is idempotent: it applies the role changes whose effective date has come and that were not applied
yet (``applied_at`` marks them, so each is applied once), turns people whose leave date has come inactive, and, for
everyone whose role changed, proposes the same ``adjust_path`` the agent proposes for a role change
(``agent.rules.role_change_proposals``) — through the approvals workflow, under the autonomy policy, never twice
(the proposal's dedupe key, and the agent's role snapshot updated so its next pass doesn't see the change again).
The import runs it after a roles or people file; ``python app.py hris apply-due`` runs it on its own (daily).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from agent.cooldown import Cooldowns
from agent.rules import ROLE_SNAPSHOT_KEY, role_change_proposals
from agent.signals import load_org
from approvals import policy
from approvals.proposing import write
from storage import Database, UnitOfWork


class PathSettings(Protocol):
    """The settings the follow-up proposals read (the application's Settings has them)."""

    approval_expiry_days: int
    agent_cooldown_days: int
    agent_cooldown_days_by_kind: dict[str, int]


@dataclass
class Applied:
    role_changes: int = 0
    left: int = 0
    proposal_ids: list[int] = field(default_factory=list)
    auto_ids: list[int] = field(default_factory=list)  # approved by the policy: to carry out after the commit
    pending_future: int = 0

    def line(self) -> str:
        return (f"role changes applied: {self.role_changes} · people who left: {self.left} · path proposals: "
                f"{len(self.proposal_ids)} · role changes waiting for their date: {self.pending_future}")


def apply_due(db: Database, *, now: dt.datetime, settings: PathSettings) -> Applied:
    today = now.date()
    out = Applied()
    with db.unit_of_work() as uow:
        changed: dict[int, tuple[int | None, int | None]] = {}  # person → (role before, role after)
        due = uow.hr_data.due_role_changes(today)
        people = uow.people.many(sorted({c.person_id for c in due}))
        for change in due:
            person = people.get(change.person_id)
            if person is None:
                continue
            before = changed.get(person.id, (person.role_id, None))[0]
            if change.role_id is not None:
                person.role_id = change.role_id
            if change.team_id is not None:
                person.team_id = change.team_id
            if change.manager_id is not None and change.manager_id != person.id:
                person.manager_id = change.manager_id
            if change.job_title:
                person.job_title = change.job_title
            change.applied_at = now
            changed[person.id] = (before, person.role_id)
            out.role_changes += 1
        out.left = len(uow.hr_data.leavers_due(today))
        uow.flush()
        if out.role_changes:
            uow.audit.record(action="hris.role_changes_applied", actor_id=None, actor_kind="system", subject_id=None,
                             object_type="role_change", object_id=str(out.role_changes), at=now,
                             detail={"people": sorted(changed)[:200], "count": out.role_changes})
        moves = [(pid, old, new) for pid, (old, new) in changed.items() if old is not None and new is not None and old != new]
        out.proposal_ids, out.auto_ids = propose_paths(uow, moves, now=now, settings=settings)
        out.pending_future = uow.hr_data.pending_role_changes()
    return out


def propose_paths(uow: UnitOfWork, moves: list[tuple[int, int, int]], *, now: dt.datetime,
                  settings: PathSettings) -> tuple[list[int], list[int]]:
    """The agent's role-change proposals for these moves (person, old role, new role), written under the policy.
    Returns (all proposal ids, the ones the policy approved on its own)."""
    if not moves:
        return [], []
    org = load_org(uow, now)
    levels: Mapping = policy.current(uow)
    cooldowns = Cooldowns.load(uow, now, settings.agent_cooldown_days, settings.agent_cooldown_days_by_kind)
    fresh = []
    for candidate in role_change_proposals(uow, org, moves, {}):
        if levels[candidate.action_type] == policy.Autonomy.off or cooldowns.verdict(candidate) is not None:
            continue
        cooldowns.take(candidate)
        fresh.append(candidate)
    ids = write(uow, fresh, levels, now=now, expiry_days=settings.approval_expiry_days, created_by="hris")
    _tell_the_agent(uow, moves)
    auto = [pid for c, pid in zip(fresh, ids) if levels[c.action_type] == policy.Autonomy.auto]
    return ids, auto


def _tell_the_agent(uow: UnitOfWork, moves: list[tuple[int, int, int]]) -> None:
    """The agent's snapshot of roles learns the new ones, so its next pass doesn't propose for the same move again."""
    snapshot = uow.proposals.snapshot(ROLE_SNAPSHOT_KEY)
    if snapshot is None:
        return  # the agent has never run: its first pass records the roles as they are now
    roles = dict(snapshot.get("roles", {}))
    roles.update({str(pid): new for pid, _, new in moves})
    uow.proposals.save_snapshot(ROLE_SNAPSHOT_KEY, {**snapshot, "roles": roles})

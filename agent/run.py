"""One pass of Ladder's agent: read signals, propose actions within the policy, report what it did.

Signals → proposals (``agent.rules``; each with a rationale the person can read and its evidence):

* a person with a target role and an essential gap no enrolment covers → ``enrol_course`` (the best
  course by the learning plan's greedy cover);
* an enrolment without progress for ``checkin_after_days`` → ``schedule_checkin`` (a stalled learner);
* a person whose *verified* skills cover an open opportunity's required skills → ``readiness_nudge``
  to their manager (nudging the manager);
* a role change in the directory (against the snapshot of roles the last pass saw) →
  ``adjust_path`` with courses for the new role's essentials;
* a target role changed since the last pass → ``adjust_path``: drop the unfinished courses that served
  only the old target, add the new target's top course;
* an open opportunity, not closed, with places left, whose skills cover part of a person's gap for their
  target role → ``stretch_assignment``;
* decisions or validation requests waiting ``manager_reminder_after_days`` for one manager →
  ``manager_reminder`` (nudging the manager about what waits for them).

Set-based: a handful of queries load everything a pass needs (``agent.signals``); the rules run in memory.
``agent.cooldown`` keeps the agent from proposing what is already open or was decided recently (a
``dedupe_key`` per rule, person and object) and from proposing the same kind of thing for the same person
twice within ``agent_cooldown_days`` (per type: ``agent_cooldown_days_by_kind``) — running it twice creates
nothing new. Proposals are written through ``approvals.proposing.write``, the one path every proposal takes.

One pass at a time: across processes by a lease row in the database (``agent.lease``; a pass that finds it
held skips and says so), inside one process by a process lock.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from agent import rules
from agent.cooldown import Cooldowns
from agent.lease import Held, pass_lease
from agent.report import AgentReport
from agent.signals import load_org
from approvals import policy
from approvals.deadlines import sweep_deadlines
from approvals.deps import ApprovalsDeps, ApprovalSettings
from approvals.execution import execute_pending
from approvals.notify import notify_approvers
from approvals.proposing import NewProposal, write
from storage.models import ProposalStatus

log = logging.getLogger(__name__)

PASS_LOCK = "agent pass"  # one pass at a time per process (the scheduler and the CLI may overlap)


class AgentSettings(ApprovalSettings, Protocol):
    """The settings values the agent reads, besides the approvals' own."""

    agent_interval_seconds: int
    checkin_after_days: int
    agent_cooldown_days: int
    agent_cooldown_days_by_kind: dict[str, int]
    agent_nudges_per_opportunity: int
    agent_stretch_per_opportunity: int
    agent_lease_seconds: int
    manager_reminder_after_days: int


def run_pass(deps: ApprovalsDeps, settings: AgentSettings) -> AgentReport:
    with deps.locks.named(PASS_LOCK), pass_lease(deps, settings.agent_lease_seconds) as lease:
        started = time.perf_counter()
        report = AgentReport()
        if isinstance(lease, Held):
            report.skipped = _held_text(lease)
            log.info("agent pass skipped", extra={"holder": lease.holder})
            return report
        report.recovered = execute_pending(deps)  # approved but never carried out (a crash)
        report.deadlines = sweep_deadlines(deps)
        if not lease.renew():
            report.skipped = "the lease expired during the pass and another process took it over; it proposes instead"
            return report
        _propose(deps, settings, report)
        report.seconds = time.perf_counter() - started
        log.info("agent pass", extra=report.as_data())
        return report


def _held_text(held: Held) -> str:
    until = f" until {held.until:%Y-%m-%d %H:%M:%S} UTC" if held.until else ""
    return f"another agent pass is running ({held.holder} holds the lock{until}), so this one did nothing"


def _propose(deps: ApprovalsDeps, settings: AgentSettings, report: AgentReport) -> None:
    now = deps.now()
    with deps.db.unit_of_work() as uow:
        levels = policy.current(uow)
        org = load_org(uow, now)
        report.people = len(org.people)
        cooldowns = Cooldowns.load(uow, now, settings.agent_cooldown_days, settings.agent_cooldown_days_by_kind)
        labels: dict[int, str] = {}
        candidates: list[NewProposal] = []
        path_changes, repathed = rules.target_changes(uow, org, labels)
        candidates += path_changes
        candidates += rules.enrol_for_targets(uow, org, labels, skip=repathed)
        candidates += rules.checkins(uow, org, now, settings.checkin_after_days)
        candidates += rules.readiness(uow, org, settings.agent_nudges_per_opportunity)
        candidates += rules.role_changes(uow, org, labels)
        candidates += rules.stretch_assignments(uow, org, now.date(), labels, settings.agent_stretch_per_opportunity)
        candidates += rules.manager_reminders(uow, org, now, settings.manager_reminder_after_days, labels)

        fresh: list[NewProposal] = []
        for c in candidates:
            kind = c.action_type.value
            verdict = cooldowns.verdict(c)
            if levels[c.action_type] == policy.Autonomy.off:
                report.disabled[kind] += 1
            elif verdict == "duplicate":
                report.duplicates[kind] += 1
            elif verdict == "cooldown":
                report.cooling[kind] += 1
            else:
                cooldowns.take(c)
                fresh.append(c)
        created = write(uow, fresh, levels, now=now, expiry_days=settings.approval_expiry_days)
    auto_ids, card_ids = [], []
    for c, pid in zip(fresh, created):
        report.created[c.action_type.value] += 1
        (auto_ids if levels[c.action_type] == policy.Autonomy.auto else card_ids).append(pid)
    report.proposal_ids = created
    if auto_ids:
        execute_pending(deps, auto_ids)
        with deps.db.unit_of_work() as uow:
            report.auto_executed.update(uow.proposals.count_by_type(auto_ids, ProposalStatus.executed))
    if not (card_ids or auto_ids):
        return
    with deps.db.unit_of_work() as uow:
        if card_ids:
            notify_approvers(uow, deps.notifier, card_ids, today=now.date(), heading="from Ladder's agent — waiting for your decision")
        if auto_ids:
            notify_approvers(uow, deps.notifier, auto_ids, today=now.date(),
                             heading="done automatically by Ladder (policy: auto) — for your information")

"""One pass of Ladder's agent: read signals, propose actions within the policy, report what it did.

Signals → proposals (``agent.rules``):

* a person with a target role and an essential gap no enrolment covers → ``enrol_course`` (the best
  course by the learning plan's greedy cover);
* an enrolment without progress for ``checkin_after_days`` → ``schedule_checkin``;
* a person whose *verified* skills cover an open opportunity's required skills → ``readiness_nudge``
  to their manager;
* a role change in the directory (against the snapshot of roles the last pass saw) →
  ``adjust_path`` with courses for the new role's essentials.

Set-based: a handful of queries load everything a pass needs (``agent.signals``); the rules run in memory.
A ``dedupe_key`` per (rule, person, object) keeps the agent from proposing what is already open or was
decided within ``agent_cooldown_days`` — running it twice creates nothing new. Proposals are written through
``approvals.proposing.write``, the one path every proposal takes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Protocol

from agent import rules
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
    agent_nudges_per_opportunity: int


def run_pass(deps: ApprovalsDeps, settings: AgentSettings) -> AgentReport:
    with deps.locks.named(PASS_LOCK):
        started = time.perf_counter()
        report = AgentReport()
        report.recovered = execute_pending(deps)  # approved but never carried out (a crash)
        report.deadlines = sweep_deadlines(deps)
        _propose(deps, settings, report)
        report.seconds = time.perf_counter() - started
        log.info("agent pass", extra=report.as_data())
        return report


def _propose(deps: ApprovalsDeps, settings: AgentSettings, report: AgentReport) -> None:
    now = deps.now()
    with deps.db.unit_of_work() as uow:
        levels = policy.current(uow)
        org = load_org(uow, now)
        report.people = len(org.people)
        blocked = uow.proposals.blocking_dedupe_keys(now - dt.timedelta(days=settings.agent_cooldown_days))
        labels: dict[int, str] = {}
        candidates: list[NewProposal] = []
        candidates += rules.enrol_for_targets(uow, org, labels)
        candidates += rules.checkins(uow, org, now, settings.checkin_after_days)
        candidates += rules.readiness(uow, org, settings.agent_nudges_per_opportunity)
        candidates += rules.role_changes(uow, org, labels)

        fresh: list[NewProposal] = []
        for c in candidates:
            kind = c.action_type.value
            if levels[c.action_type] == policy.Autonomy.off:
                report.disabled[kind] += 1
            elif c.dedupe_key in blocked:
                report.duplicates[kind] += 1
            else:
                blocked.add(c.dedupe_key)
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

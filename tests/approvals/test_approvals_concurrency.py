"""Exactly once: real threads deciding at the same moment, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from approvals_helpers import DANIEL, MAYA, PRIYA, button, click, prepare, propose_enrolment, say
from sqlalchemy import func, select

from storage.models import AuditEvent, Decision, Enrolment, Proposal, ProposalStatus


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _decisions(ladder, pid):
    with ladder.db.session() as s, s.begin():
        decisions = s.scalar(select(func.count()).select_from(Decision).where(Decision.proposal_id == pid))
        audits = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "proposal", AuditEvent.object_id == str(pid),
            AuditEvent.action.in_(["proposal.approved", "proposal.rejected", "proposal.overridden"])))
        return decisions, audits, s.get(Proposal, pid).status


def test_two_approvers_at_the_same_moment_exactly_one_wins(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    for code in ("DS101", "DS110", "DS120", "DS130"):
        pid = propose_enrolment(ladder, code=code)
        card = say(ladder, DANIEL, "my approvals")
        approve = next(b.ref for b in card.actions() if b.ref.startswith(f"approve:{pid}:"))
        reject = approve.replace("approve", "reject")
        daniel, priya = _race([lambda: click(ladder, DANIEL, approve), lambda: click(ladder, PRIYA, reject, {"reason": "HR says no"}, form_submitted=True)])
        statuses = sorted([daniel.data["status"], priya.data["status"]])
        assert statuses == ["decided", "stale"], (daniel.text, priya.text)
        winner, loser = (daniel, priya) if daniel.data["status"] == "decided" else (priya, daniel)
        decisions, audits, status = _decisions(ladder, pid)
        assert (decisions, audits) == (1, 1)
        # The loser sees the decision that won, on the re-rendered card.
        assert "Already decided" in loser.text and loser.replace_original
        won_by = "Daniel Okafor" if winner is daniel else "Priya Raman"
        assert won_by in loser.text
        assert status == (ProposalStatus.executed if winner is daniel else ProposalStatus.rejected)


def test_a_click_delivered_eight_times_at_once_is_applied_once(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    pid = propose_enrolment(ladder)
    ref = button(say(ladder, DANIEL, "my approvals"), "approve")
    replies = _race([lambda: click(ladder, DANIEL, ref) for _ in range(8)])
    assert [r.data["status"] for r in replies].count("decided") == 1
    assert all(r.data["status"] in ("decided", "stale") for r in replies), [r.text for r in replies]
    decisions, audits, status = _decisions(ladder, pid)
    assert (decisions, audits, status) == (1, 1, ProposalStatus.executed)
    with ladder.db.session() as s, s.begin():
        maya_enrolments = s.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.source == f"proposal:{pid}"))
        executed = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "proposal.executed", AuditEvent.object_id == str(pid)))
    assert (maya_enrolments, executed) == (1, 1)
    assert MAYA  # the subject never decides; see the decisions tests

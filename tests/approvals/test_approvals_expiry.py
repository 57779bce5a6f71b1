"""Expiry and escalation with an injected clock."""

from __future__ import annotations

from approvals_helpers import DANIEL, PRIYA, button, click, person_id, prepare, proposal, propose_enrolment, say
from sqlalchemy import select

from approvals import service
from approvals.cards import proposal_card
from storage.models import AuditEvent, Person, ProposalStatus


def _sweep(ladder):
    with ladder.db.unit_of_work() as s:
        return service.sweep_deadlines(ladder.approvals)


def _card(ladder, pid):
    with ladder.db.unit_of_work() as s:
        return proposal_card(service.view(s, pid))


def test_escalates_once_to_the_approvers_manager_then_expires(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    boss_email = "boss@kestrel.example"
    with ladder.db.session() as s, s.begin():
        boss = Person(name="Bea Boss", email=boss_email)
        s.add(boss)
        s.flush()
        s.get(Person, person_id(ladder, DANIEL)).manager_id = boss.id
    pid = propose_enrolment(ladder)
    clock.advance(days=6)
    assert _sweep(ladder) == {"escalated": 0, "expired": 0}
    clock.advance(days=1, minutes=1)  # past the 7-day deadline
    assert _sweep(ladder) == {"escalated": 1, "expired": 0}
    assert _sweep(ladder) == {"escalated": 0, "expired": 0}  # once
    p = proposal(ladder, pid)
    assert p.status == ProposalStatus.proposed and p.approver_id == person_id(ladder, boss_email) and p.escalated_at is not None
    card = _card(ladder, pid)
    assert card.footer.startswith("Escalated to Bea Boss") and "Daniel Okafor did not decide" in card.footer
    assert any("escalated to you" in r.text for r in notifier.to(boss_email))
    # Daniel's old card no longer works for him; the new approver's does.
    assert "belongs to Bea Boss" in say(ladder, DANIEL, f"approve {pid}").text

    clock.advance(days=3, minutes=1)
    assert _sweep(ladder) == {"escalated": 0, "expired": 1}
    p = proposal(ladder, pid)
    assert p.status == ProposalStatus.expired
    card = _card(ladder, pid)
    assert card.buttons == [] and "Expired" in next(f.value for f in card.facts if f.title == "Outcome")
    late = say(ladder, boss_email, f"approve {pid}")
    assert late.data["status"] == "stale" and "expired" in late.text
    with ladder.db.session() as s, s.begin():
        actions = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(pid), AuditEvent.object_type == "proposal").order_by(AuditEvent.id))]
    assert actions == ["proposal.created", "proposal.escalated", "proposal.expired"]


def test_escalation_to_hr_and_a_late_click_escalates_on_the_spot(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    ladder.settings.approval_escalate_to = "hr"
    pid = propose_enrolment(ladder)
    ref = button(say(ladder, DANIEL, "my approvals"), "approve")
    clock.advance(days=8)
    # No sweep has run: Daniel's click finds the deadline passed, escalates, and changes nothing else.
    late = click(ladder, DANIEL, ref)
    assert late.data["status"] == "stale" and "Priya Raman" in late.text
    p = proposal(ladder, pid)
    assert p.status == ProposalStatus.proposed and p.approver_id == person_id(ladder, PRIYA)
    assert say(ladder, PRIYA, f"approve {pid}").data["status"] == "decided"
    assert proposal(ladder, pid).status == ProposalStatus.executed


def test_no_escalation_configured_means_expiry(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    ladder.settings.approval_escalate_to = "none"
    pid = propose_enrolment(ladder)
    clock.advance(days=8)
    assert _sweep(ladder) == {"escalated": 0, "expired": 1}
    assert proposal(ladder, pid).status == ProposalStatus.expired

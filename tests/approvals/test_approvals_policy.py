"""Policy levels, the locked consequential types, and the policy shown on every card."""

from __future__ import annotations

from approvals_helpers import DANIEL, MAYA, PRIYA, prepare, say, without_seeded_targets
from sqlalchemy import select

from agent.run import run_pass
from approvals import policy
from approvals.actions import ActionType
from storage.models import AuditEvent, Enrolment, Person, Proposal, ProposalStatus


def test_defaults_and_show(fresh_demo):
    reply = say(fresh_demo, PRIYA, "/ladder policy")
    assert reply.data["policy"] == {"enrol_course": "approve", "schedule_checkin": "auto", "readiness_nudge": "approve",
                                    "adjust_path": "approve", "stretch_assignment": "approve", "manager_reminder": "auto",
                                    "erase_person": "approve", "staff_opportunity": "approve", "onboarding_plan": "approve",
                                    "course_cohort": "approve"}
    assert reply.data["locked"] == ["erase_person", "readiness_nudge", "staff_opportunity", "stretch_assignment"]


def test_locked_types_can_never_be_auto(fresh_demo):
    for kind in ("readiness_nudge", "stretch_assignment"):
        reply = say(fresh_demo, PRIYA, f"/ladder policy set {kind} auto")
        assert reply.data["status"] == "refused"
        assert "can't be set to auto" in reply.text and "mobility or advancement" in reply.text
    assert say(fresh_demo, PRIYA, "/ladder policy set readiness_nudge off").data["status"] == "changed"
    plan = say(fresh_demo, PRIYA, "/ladder policy set onboarding_plan auto")  # a manager confirms a new hire's plan
    assert plan.data["status"] == "refused" and "can't be set to auto" in plan.text and "manager confirms" in plan.text
    assert say(fresh_demo, PRIYA, "/ladder policy set onboarding_plan off").data["status"] == "changed"
    cohort = say(fresh_demo, PRIYA, "/ladder policy set course_cohort auto")  # HR or L&D decide every cohort
    assert cohort.data["status"] == "refused" and "HR or L&D decide" in cohort.text
    assert say(fresh_demo, PRIYA, "/ladder policy set course_cohort off").data["status"] == "changed"
    assert "not a policy level" in say(fresh_demo, PRIYA, "/ladder policy set enrol_course sometimes").text
    assert "not an action type" in say(fresh_demo, PRIYA, "/ladder policy set fire_people auto").text
    # Even a row written behind Ladder's back cannot make a locked type auto: it reads as approve.
    with fresh_demo.db.session() as s, s.begin():
        s.merge(policy.PolicySetting(action_type="stretch_assignment", autonomy="auto"))
    with fresh_demo.db.unit_of_work() as s:
        assert policy.autonomy_for(s, ActionType.stretch_assignment) == policy.Autonomy.approve


def test_only_admins_change_policy_and_changes_are_audited(fresh_demo):
    denied = say(fresh_demo, DANIEL, "/ladder policy set enrol_course auto")
    assert denied.data["intent"] == "admin_denied"
    ok = say(fresh_demo, PRIYA, "/ladder policy set enrol_course auto")
    assert ok.data == {"intent": "admin_policy_set", "status": "changed", "action_type": "enrol_course", "from": "approve", "to": "auto"}
    with fresh_demo.db.session() as s, s.begin():
        row = s.scalar(select(AuditEvent).where(AuditEvent.action == "policy.changed"))
        priya = s.scalar(select(Person.id).where(Person.email == PRIYA))
    assert row.actor_id == priya and row.detail == {"action_type": "enrol_course", "from": "approve", "to": "auto"}


def test_levels_drive_the_agent_auto_approve_off(fresh_demo):
    ladder = fresh_demo
    _, notifier = prepare(ladder)
    without_seeded_targets(ladder)
    from approvals_helpers import click

    path = say(ladder, MAYA, "what's my path to data scientist?")
    click(ladder, MAYA, next(b.ref for b in path.actions() if b.ref.startswith("set_target")))

    say(ladder, PRIYA, "/ladder policy set enrol_course off")
    say(ladder, PRIYA, "/ladder policy set schedule_checkin approve")
    report = run_pass(ladder.approvals, ladder.settings)
    assert report.created["enrol_course"] == 0 and report.disabled["enrol_course"] == 1
    assert report.created["schedule_checkin"] > 0 and report.auto_executed["schedule_checkin"] == 0
    with ladder.db.session() as s, s.begin():
        checkins = list(s.scalars(select(Proposal).where(Proposal.action_type == "schedule_checkin")))
    assert all(p.status == ProposalStatus.proposed for p in checkins)
    assert all(p.policy_note.startswith("Needs your approval because the policy for learning check-ins is approve") for p in checkins)

    say(ladder, PRIYA, "/ladder policy set enrol_course auto")
    report = run_pass(ladder.approvals, ladder.settings)
    assert report.created["enrol_course"] == 1 and report.auto_executed["enrol_course"] == 1
    with ladder.db.session() as s, s.begin():
        p = s.scalar(select(Proposal).where(Proposal.action_type == "enrol_course"))
        assert p.status == ProposalStatus.executed and p.policy_note.startswith("Done automatically because the policy")
        assert s.scalar(select(Enrolment).where(Enrolment.source == f"proposal:{p.id}")) is not None
    # auto: executed, then the manager is told
    assert any("policy: auto" in r.text for r in notifier.to(DANIEL))


def test_every_card_footer_says_which_policy_applies(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    with ladder.db.unit_of_work() as s:
        policy.set_level(s, "schedule_checkin", "approve", actor_id=None, now=ladder.now())
    run_pass(ladder.approvals, ladder.settings)
    with ladder.db.session() as s, s.begin():
        emails = {e for (e,) in s.execute(select(Person.email).join(Proposal, Proposal.approver_id == Person.id))}
    assert emails
    for email in emails:
        for card in say(ladder, email, "my approvals").cards:
            assert card.footer.startswith("Needs your approval because")

"""A new hire from `/ladder hire` to a confirmed 30/60/90-day plan: mandatory enrolments per policy, the manager's
card, the welcome exactly once at the start date (however often the pass runs), and the plan confirmed once."""

from __future__ import annotations

import datetime as dt

from approvals_helpers import DANIEL, MAYA, PRIYA, button, click, person_id, prepare, say
from onboarding_helpers import HIRE_JANE, JANE, audit_count, proposals_about, record, welcomes
from sqlalchemy import func, select

import onboarding
from storage.models import AuditEvent, Course, Decision, Enrolment, OnboardingStatus, Person, ProposalStatus

START = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc)


def test_hire_by_command_enrols_mandatory_courses_sends_the_manager_a_card_and_welcomes_once(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    reply = say(ladder, PRIYA, HIRE_JANE)
    assert reply.data["status"] == "started", reply.text
    # The demo's policy: SC101 for every new hire, DS120 for the data team; enrolments need approval (the default).
    assert {(m["course"], m["how"]) for m in reply.data["mandatory"]} == {("SC101", "approve"), ("DS120", "approve")}
    assert "reporting to Daniel Okafor" in reply.text and "starting 2026-12-07" in reply.text
    plan_id = reply.data["plan_proposal_id"]
    kinds = {(p.action_type, p.status, p.approver_id) for p in proposals_about(ladder, JANE)}
    daniel = person_id(ladder, DANIEL)
    assert kinds == {("enrol_course", ProposalStatus.proposed, daniel), ("onboarding_plan", ProposalStatus.proposed, daniel)}
    assert len(proposals_about(ladder, JANE)) == 3

    # Daniel got the cards at once: the plan with Confirm / Reject / Adjust…, and the two enrolments.
    [digest] = [r for r in notifier.to(DANIEL) if r.data.get("intent") == "approvals_digest"]
    plan_card = next(c for c in digest.cards if "onboarding plan" in c.title)
    assert [b.label for b in plan_card.buttons] == ["Confirm", "Reject", "Adjust…"]
    assert "Days 1–30: mandatory courses (DS120, SC101)" in plan_card.body and "Days 61–90" in plan_card.body
    assert "Check-ins: 2027-01-05, 2027-02-04, 2027-03-08" in plan_card.body  # days 30, 60, 90, off weekends
    assert "never automatic" in plan_card.footer

    # Before the start date nothing reaches Jane, however often the pass runs.
    assert welcomes(notifier, JANE) == []
    assert onboarding.run(ladder.approvals).welcomed == []
    clock.at = START - dt.timedelta(hours=9)  # the evening before
    assert onboarding.run(ladder.approvals).welcomed == []
    assert record(ladder, JANE).welcome_sent_at is None

    clock.at = START
    first = onboarding.run(ladder.approvals)
    second = onboarding.run(ladder.approvals)
    agent = say(ladder, PRIYA, "/ladder agent run")  # the agent pass runs the onboarding pass too
    assert first.welcomed == [person_id(ladder, JANE)] and second.welcomed == [] and agent.data["onboarding"]["welcomed"] == []
    [welcome] = welcomes(notifier, JANE)
    assert "Your manager is Daniel Okafor" in welcome.text
    assert "SC101 “Cyber Security Fundamentals” — waiting for your manager's approval" in welcome.text
    assert "DS120" in welcome.text and "what's my path to data analyst?" in welcome.text
    assert "Days 31–60" in welcome.text
    saved = record(ladder, JANE)
    assert saved.status == OnboardingStatus.welcomed and saved.welcome_sent_at is not None
    assert audit_count(ladder, "onboarding.welcomed") == 1

    # Registering her again changes nothing and says so.
    again = say(ladder, PRIYA, HIRE_JANE)
    assert again.data["status"] == "already" and "Nothing was changed" in again.text
    assert len(proposals_about(ladder, JANE)) == 3 and audit_count(ladder, "onboarding.registered") == 1
    assert plan_id == again.data["plan_proposal_id"]


def test_when_enrolments_are_automatic_the_mandatory_courses_are_enrolled_at_once(fresh_demo):
    ladder = fresh_demo
    _, notifier = prepare(ladder)
    assert say(ladder, PRIYA, "/ladder policy set enrol_course auto").data["status"] == "changed"
    reply = say(ladder, PRIYA, HIRE_JANE.replace("starting 2026-12-07", "starting 2026-11-28"))  # starts today
    assert {m["how"] for m in reply.data["mandatory"]} == {"auto"}
    with ladder.db.session() as s:
        enrolled = set(s.scalars(select(Course.code).join(Enrolment, Enrolment.course_id == Course.id)
                                 .join(Person, Person.id == Enrolment.person_id).where(Person.email == JANE)))
    assert enrolled == {"SC101", "DS120"}
    # The plan is never automatic: it still waits for Daniel.
    assert {p.action_type: p.status for p in proposals_about(ladder, JANE)}["onboarding_plan"] == ProposalStatus.proposed
    # Starting today: the welcome went out with the registration, and says she is enrolled.
    [welcome] = welcomes(notifier, JANE)
    assert "The welcome message has been sent" in reply.text
    assert "SC101 “Cyber Security Fundamentals” — you're enrolled" in welcome.text


def test_confirming_the_plan_twice_confirms_it_once_schedules_the_check_ins_and_tells_the_new_hire(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    plan_id = say(ladder, PRIYA, HIRE_JANE).data["plan_proposal_id"]
    cards = say(ladder, DANIEL, "my approvals")
    confirm = button(cards, f"approve:{plan_id}")
    done = click(ladder, DANIEL, confirm)
    assert done.data["status"] == "decided" and done.replace_original and "Confirmed by Daniel Okafor" in done.text
    twice = click(ladder, DANIEL, confirm)
    assert twice.data["status"] == "stale" and "Already decided" in twice.text
    with ladder.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Decision).where(Decision.proposal_id == plan_id)) == 1
        checkins = [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.scheduled",
                                                                         AuditEvent.object_id == str(plan_id)))]
        path = set(s.scalars(select(Course.code).join(Enrolment, Enrolment.course_id == Course.id)
                             .join(Person, Person.id == Enrolment.person_id).where(Person.email == JANE)))
    assert sorted(c["date"] for c in checkins) == ["2027-01-05", "2027-02-04", "2027-03-08"]
    assert {c["about"] for c in checkins} == {"onboarding: day 30", "onboarding: day 60", "onboarding: day 90"}
    plan = next(p for p in proposals_about(ladder, JANE) if p.id == plan_id)
    assert plan.status == ProposalStatus.executed and path == set(plan.payload["path_course_codes"]) and path
    told = [r.text for r in notifier.to(JANE) if "confirmed your plan" in r.text]
    assert len(told) == 1 and "2027-01-05, 2027-02-04, 2027-03-08" in told[0]
    assert record(ladder, JANE).status == OnboardingStatus.plan_confirmed
    assert audit_count(ladder, "onboarding.plan_told", str(plan_id)) == 1

    # The welcome on the start date shows the confirmed plan; a late welcome doesn't undo the confirmation.
    clock.at = START
    onboarding.run(ladder.approvals)
    [welcome] = welcomes(notifier, JANE)
    assert "Your first 90 days (confirmed by your manager)" in welcome.text
    assert record(ladder, JANE).status == OnboardingStatus.plan_confirmed


def test_adjusting_the_plan_changes_it_through_a_form_and_bad_changes_are_explained(fresh_demo):
    ladder = fresh_demo
    _, notifier = prepare(ladder)
    plan_id = say(ladder, PRIYA, HIRE_JANE).data["plan_proposal_id"]
    cards = say(ladder, DANIEL, "my approvals")
    adjust = button(cards, f"override:{plan_id}")
    form = click(ladder, DANIEL, adjust)
    assert form.form is not None and form.form.title == "Adjust plan"
    assert [f.name for f in form.form.fields] == ["change", "reason"]

    bad = click(ladder, DANIEL, form.form.submit, {"change": "checkins: 2026-01-05", "reason": "earlier"}, form_submitted=True)
    assert bad.data["status"] == "invalid" and "three check-in dates" in bad.text
    nobody = click(ladder, DANIEL, form.form.submit, {"change": "buddy: ghost@kestrel.example", "reason": "x"}, form_submitted=True)
    assert nobody.data["status"] == "invalid" and "can't find" in nobody.text
    assert next(p for p in proposals_about(ladder, JANE) if p.id == plan_id).status == ProposalStatus.proposed

    change = f"buddy: {MAYA}; stretch: rebuild the churn dashboard; checkins: 2027-01-08, 2027-02-05, 2027-03-05"
    adjusted = click(ladder, DANIEL, form.form.submit, {"change": change, "reason": "Maya knows the churn data"}, form_submitted=True)
    assert adjusted.data["status"] == "decided" and "Adjusted by Daniel Okafor" in adjusted.text, adjusted.text
    plan = next(p for p in proposals_about(ladder, JANE) if p.id == plan_id)
    assert plan.status == ProposalStatus.executed
    assert plan.payload["buddy_name"] == "Maya Patel" and plan.payload["stretch_task"] == "rebuild the churn dashboard"
    assert plan.payload["checkins"] == ["2027-01-08", "2027-02-05", "2027-03-05"]
    told = next(r.text for r in notifier.to(JANE) if "confirmed your plan" in r.text)
    assert "rebuild the churn dashboard with Maya Patel as buddy" in told and "2027-01-08" in told


def test_two_passes_at_the_same_moment_send_one_welcome(fresh_demo):
    """Two processes' passes (here: two application contexts over one database, in two threads) race for the claim."""
    import threading

    from handlers.context import Ladder

    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    say(ladder, PRIYA, HIRE_JANE)
    clock.at = START
    other = Ladder(settings=ladder.settings, db=ladder.db, indexes=ladder.indexes, now=clock)
    other.notifiers.add(notifier)
    barrier = threading.Barrier(2)
    reports = []

    def one_pass(app) -> None:
        barrier.wait()
        reports.append(onboarding.run(app.approvals))

    threads = [threading.Thread(target=one_pass, args=(app,)) for app in (ladder, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r.welcomed) for r in reports) == [0, 1]
    assert len(welcomes(notifier, JANE)) == 1 and audit_count(ladder, "onboarding.welcomed") == 1

"""The agent's rules on the demo company, with the controllable clock: stretch assignments (closing dates,
places, inactive people), a path adjustment when a target changes, and the per-kind cooldown."""

from __future__ import annotations

import datetime as dt

from approvals_helpers import DANIEL, click, person_id, prepare, say
from sqlalchemy import select, update

from agent.run import run_pass
from storage.models import Course, Enrolment, EnrolmentStatus, Interest, Opportunity, OpportunityKind, Person, Proposal

IVAN = "ivan.eriksen@kestrel.example"  # seeded target: software developer (Daniel's team)
KIRA = "kira.rossi@kestrel.example"  # seeded target: cloud engineer (Daniel's team)


def _proposals(ladder, kind: str, subject: int | None = None) -> list[Proposal]:
    with ladder.db.session() as s, s.begin():
        q = select(Proposal).where(Proposal.action_type == kind)
        if subject is not None:
            q = q.where(Proposal.subject_id == subject)
        return list(s.scalars(q.order_by(Proposal.id)))


def _approve(ladder, proposal_id: int) -> None:
    with ladder.db.session() as s, s.begin():
        approver = s.scalar(select(Person.email).join(Proposal, Proposal.approver_id == Person.id).where(Proposal.id == proposal_id))
    reply = say(ladder, approver, f"approve {proposal_id}")
    assert reply.data["status"] == "decided", reply.text


def test_stretch_assignments_respect_closing_dates_places_and_inactive_people(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    kira = person_id(ladder, KIRA)
    with ladder.db.session() as s, s.begin():
        s.execute(update(Person).where(Person.id == kira).values(active=False))
        closed = s.scalar(select(Opportunity).where(Opportunity.title == "Write the API style guide"))
        closed.closes_on = clock().date() - dt.timedelta(days=1)
        full = s.scalar(select(Opportunity).where(Opportunity.title == "Customer dashboard refresh"))
        full.capacity = 1
        s.add(Interest(person_id=person_id(ladder, DANIEL), opportunity_id=full.id, created_at=clock()))
        roles = set(s.scalars(select(Opportunity.id).where(Opportunity.kind == OpportunityKind.role)))
        closed_id, full_id = closed.id, full.id

    first = run_pass(ladder.approvals, ladder.settings)
    stretch = _proposals(ladder, "stretch_assignment")
    assert first.created["stretch_assignment"] == len(stretch) >= 2
    targets = {p.subject_id for p in stretch}
    with ladder.db.session() as s, s.begin():
        with_target = set(s.scalars(select(Person.id).where(Person.target_role_id.is_not(None), Person.active.is_(True))))
    assert targets <= with_target and kira not in targets  # only people with a target role, never an inactive one
    assert not {p.subject_id for p in _proposals(ladder, "enrol_course")} & {kira}
    used = {p.payload["opportunity_id"] for p in stretch}
    assert not used & ({closed_id, full_id} | roles)  # closed, no places left, or a job opening: never
    for p in stretch:
        assert p.payload["opportunity_title"] in p.rationale and "working towards" in p.rationale
        assert p.evidence[1]["kind"] == "gap" and p.evidence[2]["text"].startswith("Open until")
        assert p.status.value == "proposed" and "mobility or advancement" in p.policy_note  # a person always decides
    assert len(targets) == len(stretch)  # one per person per pass

    again = run_pass(ladder.approvals, ladder.settings)
    assert again.created["stretch_assignment"] == 0 and len(_proposals(ladder, "stretch_assignment")) == len(stretch)

    # Carried out: the person's interest is recorded, and it takes one of the opportunity's places.
    chosen = stretch[0]
    _approve(ladder, chosen.id)
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(Interest.id).where(Interest.person_id == chosen.subject_id,
                                                  Interest.opportunity_id == chosen.payload["opportunity_id"]))
        assert s.get(Proposal, chosen.id).status.value == "executed"


def test_target_change_adjusts_the_path_then_cools_down(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    ivan = person_id(ladder, IVAN)
    run_pass(ladder.approvals, ladder.settings)  # the first pass records the targets it sees
    [enrol] = _proposals(ladder, "enrol_course", ivan)
    _approve(ladder, enrol.id)
    with ladder.db.session() as s, s.begin():
        started = s.scalar(select(Enrolment).where(Enrolment.person_id == ivan, Enrolment.course_id == enrol.payload["course_id"]))
        assert started.status == EnrolmentStatus.enrolled

    # Ivan changes his target, as a user does: the path answer's "Set … as my target role" button.
    path = say(ladder, IVAN, "what's my path to data scientist?")
    assert click(ladder, IVAN, next(b.ref for b in path.actions() if b.ref.startswith("set_target"))).data["changed"]
    clock.advance(days=1)
    report = run_pass(ladder.approvals, ladder.settings)
    assert report.created["adjust_path"] == 1 and report.created["enrol_course"] == 0  # one proposal, not two
    [adjust] = _proposals(ladder, "adjust_path", ivan)
    p = adjust.payload
    assert p["reason"] == "target_change" and p["role_label"] == "data scientist"
    assert p["drop_course_codes"] == [enrol.payload["course_code"]] and p["drop_enrolment_ids"] == [started.id]
    assert len(p["course_codes"]) == 1 and p["course_codes"][0].startswith(("DS", "DB"))
    assert "data scientist instead of software developer" in adjust.rationale
    assert adjust.evidence[0]["text"] == "Target role changed: software developer → data scientist"
    assert any(e["kind"] == "drop" for e in adjust.evidence) and adjust.approver_id == person_id(ladder, DANIEL)
    card = say(ladder, DANIEL, "my approvals")
    assert any(f"drop {enrol.payload['course_code']}" in c.body for c in card.cards)

    _approve(ladder, adjust.id)
    with ladder.db.session() as s, s.begin():
        statuses = dict(s.execute(select(Course.code, Enrolment.status).join(Course, Course.id == Enrolment.course_id)
                                  .where(Enrolment.person_id == ivan)).all())
    assert statuses[enrol.payload["course_code"]] == EnrolmentStatus.withdrawn
    assert statuses[p["course_codes"][0]] == EnrolmentStatus.enrolled
    assert any("No longer on it" in r.text for r in notifier.to(IVAN))

    # Within the cooldown: no other path change and no enrolment for the new target, whatever it would be.
    clock.advance(days=2)
    later = run_pass(ladder.approvals, ladder.settings)
    assert later.created["adjust_path"] == 0 and later.created["enrol_course"] == 0
    assert later.cooling["enrol_course"] >= 1  # Ivan still has a gap, but had an enrolment proposal 3 days ago
    assert "held back (cooldown)" in "\n".join(later.lines())


def test_same_kind_for_the_same_person_waits_for_the_cooldown(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    ladder.settings.agent_cooldown_days_by_kind = {"enrol_course": 5}
    kira = person_id(ladder, KIRA)
    run_pass(ladder.approvals, ladder.settings)
    [first] = _proposals(ladder, "enrol_course", kira)
    _approve(ladder, first.id)  # enrolled: the next course for her gap is a different proposal (another key)

    clock.advance(days=4)
    within = run_pass(ladder.approvals, ladder.settings)
    assert within.duplicates["enrol_course"] + within.cooling["enrol_course"] >= 1
    assert [p.id for p in _proposals(ladder, "enrol_course", kira)] == [first.id]

    clock.advance(days=2)  # past the 5 days this kind has
    after = run_pass(ladder.approvals, ladder.settings)
    second = _proposals(ladder, "enrol_course", kira)
    assert after.created["enrol_course"] >= 1 and len(second) == 2
    assert second[1].payload["course_id"] != first.payload["course_id"] and second[1].rationale


def test_checkins_only_for_active_stalled_learners(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    with ladder.db.session() as s, s.begin():
        stalled = list(s.scalars(select(Enrolment.person_id).where(Enrolment.status != EnrolmentStatus.completed,
                                                                   Enrolment.last_activity_at <= ladder.now() - dt.timedelta(days=21))))
        gone = stalled[0]
        s.execute(update(Person).where(Person.id == gone).values(active=False))
    report = run_pass(ladder.approvals, ladder.settings)
    checkins = _proposals(ladder, "schedule_checkin")
    assert report.created["schedule_checkin"] == len(checkins) == len(set(stalled)) - 1
    assert gone not in {p.subject_id for p in checkins}
    assert all("hasn't made progress" in p.rationale and p.payload["days_without_progress"] >= 21 for p in checkins)


def test_stretch_limit_per_opportunity_counts_what_still_waits(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    ladder.settings.agent_stretch_per_opportunity = 1
    with ladder.db.session() as s, s.begin():
        s.execute(update(Opportunity).values(capacity=None))  # no stated limit on places: only the per-opportunity one
    first = run_pass(ladder.approvals, ladder.settings)
    stretch = _proposals(ladder, "stretch_assignment")
    per_opportunity = [p.payload["opportunity_id"] for p in stretch]
    assert stretch and len(per_opportunity) == len(set(per_opportunity)) == first.created["stretch_assignment"]
    assert all("no stated limit on places" in p.evidence[2]["text"] for p in stretch)
    second = run_pass(ladder.approvals, ladder.settings)
    assert second.created["stretch_assignment"] == 0  # the ones waiting still fill the limit
    rejected = stretch[0]
    with ladder.db.session() as s, s.begin():
        approver = s.scalar(select(Person.email).where(Person.id == rejected.approver_id))
    assert say(ladder, approver, f"reject {rejected.id} because not this quarter").data["status"] == "decided"
    third = run_pass(ladder.approvals, ladder.settings)  # a place in the queue is free again: someone else may be proposed
    assert third.created["stretch_assignment"] <= 1
    assert rejected.subject_id not in {p.subject_id for p in _proposals(ladder, "stretch_assignment")[len(stretch):]}

"""Opt-outs: what Ladder inferred about me; opting out of inference and of being surfaced, and back in — on both
databases, through the real router, the real agent rules and the real repositories."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from agent import rules
from agent.signals import load_org
from handlers import opt_outs as privacy
from storage.models import AuditEvent, EvidenceStatus, EvidenceType, Opportunity, OpportunitySkill, Person, Skill, SkillEvidence
from storage.scope import EVERYONE
from tests.skills.skills_helpers import DANIEL, MAYA, PRIYA, ask, at_fixed_time


def _person(ladder, email: str) -> Person:
    with ladder.db.session() as s:
        return s.scalar(select(Person).where(Person.email == email))


def _audit(ladder, action: str) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _inferred_for(ladder, email: str, label: str = "data mining") -> int:
    """A pending inferred skill, as an inference from activity leaves one (the demo has none of its own)."""
    with ladder.db.session() as s, s.begin():
        person = s.scalar(select(Person).where(Person.email == email))
        skill = s.scalar(select(Skill).where(Skill.label == label))
        row = SkillEvidence(person_id=person.id, skill_id=skill.id, evidence_type=EvidenceType.inferred, level=2,
                            source="3 merged pull requests touching the ETL jobs", status=EvidenceStatus.pending,
                            observed_at=dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc))
        s.add(row)
        s.flush()
        return row.id


def test_an_opted_out_report_never_appears_in_readiness_lists_and_reappears_after_opting_in(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    before = ask(ladder, "who on my team is ready for software developer?", email=DANIEL)
    assert before.data["intent"] == "team_ready"
    assert MAYA in {p["email"] for p in before.data["people"]}
    gaps_before = ask(ladder, "team gaps for software developer", email=DANIEL).data["team_size"]

    hidden = ask(ladder, "hide me from readiness lists", email=MAYA)
    assert hidden.data["intent"] == "opt_out_surfacing" and hidden.data["changed"] is True
    assert hidden.data["opt_out_surfacing"] is True and hidden.data["opt_out_inference"] is False
    assert _audit(ladder, "privacy.opt_out_surfacing") == 1

    during = ask(ladder, "who on my team is ready for software developer?", email=DANIEL)
    assert MAYA not in {p["email"] for p in during.data["people"]}
    assert "Maya" not in during.text
    assert {p["email"] for p in during.data["people"]} == {p["email"] for p in before.data["people"]} - {MAYA}
    assert ask(ladder, "team gaps for software developer", email=DANIEL).data["team_size"] == gaps_before - 1

    again = ask(ladder, "hide me from readiness lists", email=MAYA)
    assert again.data["changed"] is False and _audit(ladder, "privacy.opt_out_surfacing") == 1  # nothing twice

    shown = ask(ladder, "you can show me to others again", email=MAYA)
    assert shown.data["intent"] == "opt_in_surfacing" and shown.data["changed"] is True
    assert _audit(ladder, "privacy.opt_in_surfacing") == 1
    after = ask(ladder, "who on my team is ready for software developer?", email=DANIEL)
    assert {p["email"] for p in after.data["people"]} == {p["email"] for p in before.data["people"]}


def test_an_opted_out_person_gets_no_inferred_suggestions_and_inferred_evidence_stops_counting(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    evidence_id = _inferred_for(ladder, MAYA)
    assert ask(ladder, "which skills should I confirm?").data["evidence"] == [evidence_id]
    with ladder.db.read_only() as uow:
        maya_id = uow.people.by_email(MAYA).id
        kinds = {e.evidence_type for e in uow.skills.evidence_for(maya_id)}
    assert EvidenceType.course_completion in kinds  # the demo's statistics course counts as weak evidence

    off = ask(ladder, "stop inferring skills from my activity")
    assert off.data["intent"] == "opt_out_inference" and off.data["changed"] is True
    assert _audit(ladder, "privacy.opt_out_inference") == 1

    suggestions = ask(ladder, "which skills should I confirm?")
    assert suggestions.data["evidence"] == []
    with ladder.db.read_only() as uow:
        assert not {e.evidence_type for e in uow.skills.evidence_for(maya_id)} & {EvidenceType.course_completion, EvidenceType.inferred}
        assert not [e for rows in uow.skills.evidence_for_people([maya_id], EVERYONE).values() for e in rows
                    if e.evidence_type == EvidenceType.course_completion]
        # other people's course completions still count: the filter is the opted-out person's alone
        others = [p for p in uow.people.report_ids(uow.people.by_email(DANIEL).id) if p != maya_id]
        assert any(e.evidence_type == EvidenceType.course_completion
                   for rows in uow.skills.evidence_for_people(others, EVERYONE).values() for e in rows)

    shown = ask(ladder, "what have you inferred about me?")
    assert shown.data["intent"] == "my_inferences"
    inferred = {i["evidence_id"]: i for i in shown.data["inferred"]}
    assert inferred[evidence_id]["source"].startswith("3 merged pull requests") and not inferred[evidence_id]["counts"]
    assert "set aside" in shown.text and "What I was given" in shown.text

    on = ask(ladder, "you can infer my skills again")
    assert on.data["intent"] == "opt_in_inference" and on.data["changed"] is True
    assert ask(ladder, "which skills should I confirm?").data["evidence"] == [evidence_id]


def test_what_ladder_inferred_is_set_against_what_it_was_given(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    evidence_id = _inferred_for(ladder, MAYA, "statistics")
    reply = ask(ladder, "what do you know about me?")
    assert reply.data["intent"] == "my_inferences"
    assert evidence_id in {i["evidence_id"] for i in reply.data["inferred"]}
    kinds = {i["type"] for i in reply.data["inferred"]}
    assert kinds == {"inferred", "course_completion"}
    assert reply.data["readiness"] and all(r["essential"] >= r["have"] for r in reply.data["readiness"])
    with ladder.db.session() as s:
        rows = s.execute(select(SkillEvidence.id, SkillEvidence.evidence_type).join(Person, Person.id == SkillEvidence.person_id)
                         .where(Person.email == MAYA, SkillEvidence.status == EvidenceStatus.active)).all()
    verifying = {EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome, EvidenceType.peer_review}
    assert set(reply.data["given"]["claims"]) == {i for i, k in rows if k == EvidenceType.self_assessment} != set()
    assert set(reply.data["given"]["verified"]) == {i for i, k in rows if k in verifying} != set()
    assert "Maya Patel (maya.patel@kestrel.example)" in reply.text


def test_only_the_person_and_hr_see_or_change_someones_inferences(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    with ladder.db.unit_of_work() as uow:
        maya, daniel, priya = (uow.people.by_email(e) for e in (MAYA, DANIEL, PRIYA))
        assert privacy.inferences(ladder, uow, daniel, maya).data["denied"] is True  # her manager may not
        assert privacy.set_opt_out(ladder, uow, daniel, maya, "surfacing", True).data["denied"] is True
        assert uow.preferences.of(maya.id).surfacing is False
        assert privacy.inferences(ladder, uow, priya, maya).data["person"] == MAYA  # HR may
        changed = privacy.set_opt_out(ladder, uow, priya, maya, "surfacing", True)
        assert changed.data["changed"] is True and uow.preferences.of(maya.id).surfacing is True
    with ladder.db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.opt_out_surfacing"))
        assert (event.actor_id, event.subject_id) == (_person(ladder, PRIYA).id, _person(ladder, MAYA).id)


def test_privacy_settings_say_what_is_set(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    first = ask(ladder, "my privacy settings")
    assert first.data == {"intent": "privacy_settings", "opt_out_inference": False, "opt_out_surfacing": False}
    ask(ladder, "don't show me to others")
    assert ask(ladder, "my privacy settings").data["opt_out_surfacing"] is True


def test_the_agent_never_nudges_about_an_opted_out_person_and_reads_no_activity_signal(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    now, later = ladder.now(), ladder.now() + dt.timedelta(days=400)  # every enrolment has stalled by then
    with ladder.db.session() as s, s.begin():  # Maya's verified skills cover an open opportunity: a readiness nudge
        opp = s.scalar(select(Opportunity).where(Opportunity.status == "open").order_by(Opportunity.id))
        maya = s.scalar(select(Person.id).where(Person.email == MAYA))
        for sid, level in s.execute(select(OpportunitySkill.skill_id, OpportunitySkill.level).where(OpportunitySkill.opportunity_id == opp.id)):
            s.add(SkillEvidence(person_id=maya, skill_id=sid, evidence_type=EvidenceType.assessment, level=max(level, 3),
                                source="test assessment", observed_at=now - dt.timedelta(days=5)))
    with ladder.db.read_only() as uow:
        org = load_org(uow, now)
        nudged = {p.subject_id for p in rules.readiness(uow, org, 5)}
        stalled = {p.subject_id for p in rules.checkins(uow, org, later, 1)}
    assert nudged and stalled
    assert maya in nudged
    hidden, quiet = maya, sorted(stalled)[0]
    with ladder.db.unit_of_work() as uow:
        uow.preferences.set(hidden, surfacing=True)
        uow.preferences.set(quiet, inference=True)
    with ladder.db.read_only() as uow:
        org = load_org(uow, now)
        assert hidden not in {p.subject_id for p in rules.readiness(uow, org, 5)}
        assert {p.subject_id for p in rules.checkins(uow, org, later, 1)} == stalled - {quiet}
    with ladder.db.unit_of_work() as uow:
        uow.preferences.set(hidden, surfacing=False)
        uow.preferences.set(quiet, inference=False)
    with ladder.db.read_only() as uow:
        org = load_org(uow, now)
        assert {p.subject_id for p in rules.readiness(uow, org, 5)} == nudged
        assert {p.subject_id for p in rules.checkins(uow, org, later, 1)} == stalled

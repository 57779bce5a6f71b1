"""The agent: each rule, explanations, counts, and idempotence (a second pass creates nothing new)."""

from __future__ import annotations

import datetime as dt

from approvals_helpers import DANIEL, MAYA, click, person_id, prepare, say, without_seeded_targets
from sqlalchemy import func, select

from agent.run import run_pass
from storage.models import (
    EvidenceType,
    Occupation,
    Opportunity,
    OpportunitySkill,
    Person,
    Proposal,
    ProposalStatus,
    SkillEvidence,
)


def _set_target(ladder, email, role):
    path = say(ladder, email, f"what's my path to {role}?")
    click(ladder, email, next(b.ref for b in path.actions() if b.ref.startswith("set_target")))


def _count(ladder, **where):
    with ladder.db.session() as s, s.begin():
        q = select(func.count()).select_from(Proposal)
        for k, v in where.items():
            q = q.where(getattr(Proposal, k) == v)
        return s.scalar(q)


def test_agent_rules_explanations_and_idempotence(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    without_seeded_targets(ladder)
    _set_target(ladder, MAYA, "data scientist")
    # Maya gets verified evidence for everything an open opportunity requires -> readiness nudge.
    with ladder.db.session() as s, s.begin():
        opp = s.scalar(select(Opportunity).where(Opportunity.status == "open").order_by(Opportunity.id))
        maya = person_id(ladder, MAYA)
        for sid, level in s.execute(select(OpportunitySkill.skill_id, OpportunitySkill.level).where(OpportunitySkill.opportunity_id == opp.id)):
            s.add(SkillEvidence(person_id=maya, skill_id=sid, evidence_type=EvidenceType.assessment, level=max(level, 3),
                                source="test assessment", observed_at=clock() - dt.timedelta(days=5)))
        opp_id, opp_title = opp.id, opp.title

    first = run_pass(ladder.approvals, ladder.settings)
    assert first.created["enrol_course"] == 1
    assert first.created["schedule_checkin"] >= 1 and first.auto_executed["schedule_checkin"] == first.created["schedule_checkin"]
    assert first.created["readiness_nudge"] >= 1
    assert first.created["adjust_path"] == 0  # the first pass only records the roles it sees
    with ladder.db.session() as s, s.begin():
        proposals = list(s.scalars(select(Proposal)))
        nudge = s.scalar(select(Proposal).where(Proposal.action_type == "readiness_nudge", Proposal.subject_id == maya))
        daniel = s.scalar(select(Person.id).where(Person.email == DANIEL))
    assert all(p.rationale and p.evidence and p.policy_note and p.dedupe_key for p in proposals)
    assert nudge.approver_id == daniel and nudge.payload["opportunity_id"] == opp_id
    assert opp_title in nudge.rationale and all("verified level" in e["text"] for e in nudge.evidence)
    enrol = next(p for p in proposals if p.action_type == "enrol_course")
    assert enrol.subject_id == maya and enrol.approver_id == daniel and "data scientist" in enrol.rationale
    total = len(proposals)

    second = run_pass(ladder.approvals, ladder.settings)
    assert sum(second.created.values()) == 0
    assert second.duplicates["enrol_course"] == 1 and second.duplicates["schedule_checkin"] == first.created["schedule_checkin"]
    assert _count(ladder) == total

    # A role change in the directory -> adjust the learning path for the new role's essentials.
    with ladder.db.session() as s, s.begin():
        tester = s.scalar(select(Person).where(Person.manager_id == daniel, Person.email != MAYA).order_by(Person.id))
        tester.role_id = s.scalar(select(Occupation.id).where(Occupation.label == "cloud engineer"))
        tester_id = tester.id
    third = run_pass(ladder.approvals, ladder.settings)
    assert third.created["adjust_path"] == 1 and sum(third.created.values()) == 1
    with ladder.db.session() as s, s.begin():
        adjust = s.scalar(select(Proposal).where(Proposal.action_type == "adjust_path"))
    assert adjust.subject_id == tester_id and adjust.payload["role_label"] == "cloud engineer" and adjust.payload["course_codes"]
    assert adjust.evidence[0]["kind"] == "role_change" and "→ cloud engineer" in adjust.evidence[0]["text"]
    assert sum(run_pass(ladder.approvals, ladder.settings).created.values()) == 0

    # A decided proposal isn't proposed again within the cooldown; after it, it may be.
    say(ladder, DANIEL, f"reject {enrol.id} because not now")
    assert run_pass(ladder.approvals, ladder.settings).created["enrol_course"] == 0
    clock.advance(days=ladder.settings.agent_cooldown_days + 1)
    later = run_pass(ladder.approvals, ladder.settings)
    assert later.created["enrol_course"] == 1


def test_agent_report_lines_and_cli(fresh_demo, capsys):
    from app import cmd_agent

    class Args:
        json = False

    prepare(fresh_demo)
    assert cmd_agent(Args(), fresh_demo) == 0
    out = capsys.readouterr().out
    # The demo seeds five target roles: five enrolments, and stretch assignments from its open projects and gigs.
    assert "Agent pass over 60 people" in out and "schedule_checkin:" in out and "enrol_course: 5 proposed" in out
    assert "stretch_assignment: 0 proposed" not in out
    reply = say(fresh_demo, "priya.raman@kestrel.example", "/ladder agent run")
    assert reply.data["intent"] == "agent_run" and reply.data["duplicates"]["schedule_checkin"] >= 1
    assert _count(fresh_demo, status=ProposalStatus.executed) >= 1

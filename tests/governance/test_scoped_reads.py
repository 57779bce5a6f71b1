"""Reads are scoped where the data is read: given a manager's scope, the repositories themselves leave out
anyone outside the manager's line — even when the caller asks for them by id (a handler that forgot to check).
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.permissions import EVERYONE, NOBODY, Capability, scope_for
from storage.models import (AccessRole, AuditEvent, Challenge, EvidenceStatus, EvidenceType, Person, Proposal, Skill,
                            SkillEvidence)

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def line(database):
    """Mona manages Ravi, who manages Sita; Otto is in another team. Each has evidence, a proposal waiting for
    Mona, an audit event, an open challenge, and a validation request addressed to Mona."""
    with database.session() as s, s.begin():
        skill = Skill(uri="urn:test:sql", label="SQL")
        mona = Person(name="Mona Manager", email="mona@example.test", access_role=AccessRole.manager)
        otto = Person(name="Otto Other", email="otto@example.test")
        s.add_all([skill, mona, otto])
        s.flush()
        ravi = Person(name="Ravi Report", email="ravi@example.test", manager_id=mona.id)
        s.add(ravi)
        s.flush()
        sita = Person(name="Sita Skip", email="sita@example.test", manager_id=ravi.id)
        s.add(sita)
        s.flush()
        people = {"mona": mona.id, "ravi": ravi.id, "sita": sita.id, "otto": otto.id}
        for name in ("ravi", "sita", "otto"):
            pid = people[name]
            s.add_all([
                SkillEvidence(person_id=pid, skill_id=skill.id, evidence_type=EvidenceType.assessment, level=3, observed_at=NOW),
                SkillEvidence(person_id=pid, skill_id=skill.id, evidence_type=EvidenceType.manager_validation, level=2,
                              observed_at=NOW, verifier_id=mona.id, status=EvidenceStatus.pending),
                Proposal(action_type="enrol_course", subject_id=pid, approver_id=mona.id, created_at=NOW),
                AuditEvent(action="test.event", subject_id=pid, at=NOW),
                Challenge(person_id=pid, subject="a proposal", reason="no", created_at=NOW),
            ])
    return database, people


def test_a_managers_scope_is_their_line(line):
    db, ids = line
    with db.read_only() as uow:
        scope = scope_for(uow.people, uow.people.get(ids["mona"]), Capability.view_team)
    assert scope.person_ids == {ids["mona"], ids["ravi"], ids["sita"]}


def test_repositories_leave_out_people_outside_the_scope_even_when_asked_for_them(line):
    db, ids = line
    everyone = [ids["ravi"], ids["sita"], ids["otto"]]
    with db.read_only() as uow:
        mona = uow.people.get(ids["mona"])
        team = scope_for(uow.people, mona, Capability.view_team)
        assert uow.people.team(mona.id, team) == [ids["ravi"], ids["sita"]]
        assert set(uow.people.in_scope(everyone, team)) == {ids["ravi"], ids["sita"]}
        assert set(uow.skills.evidence_for_people(everyone, team)) == {ids["ravi"], ids["sita"]}

        validations = scope_for(uow.people, mona, Capability.validate_skill)
        assert {e.person_id for e in uow.skills.pending_validations(mona.id, validations)} == {ids["ravi"], ids["sita"]}

        decisions = scope_for(uow.people, mona, Capability.decide_proposal)
        listed = uow.proposals.open_for([mona.id], not_about=mona.id, limit=50, scope=decisions)
        assert {p.subject_id for p in listed} == {ids["ravi"], ids["sita"]}
        assert uow.proposals.about(ids["otto"], limit=10, scope=decisions) == []
        assert {p.subject_id for p in uow.proposals.waiting_for(mona.id, decisions)} == {ids["ravi"], ids["sita"]}
        assert len(uow.proposals.about(ids["ravi"], limit=10, scope=decisions)) == 1

        assert uow.audit.trail(scope=team, person_id=ids["otto"]) == []
        assert {e.subject_id for e, _ in uow.audit.trail(scope=team)} == {ids["ravi"], ids["sita"]}
        assert {c.person_id for c, _, _ in uow.proposals.open_challenges(50, team)} == {ids["ravi"], ids["sita"]}


def test_everyone_and_nobody(line):
    db, ids = line
    everyone = [ids["ravi"], ids["sita"], ids["otto"]]
    with db.read_only() as uow:
        assert set(uow.skills.evidence_for_people(everyone, EVERYONE)) == set(everyone)
        assert {e.subject_id for e, _ in uow.audit.trail(scope=EVERYONE)} == set(everyone)
        assert uow.skills.evidence_for_people(everyone, NOBODY) == {}
        assert uow.people.team(ids["mona"], NOBODY) == []
        assert uow.people.in_scope(everyone, NOBODY) == {}
        assert uow.audit.trail(scope=NOBODY) == []
        assert uow.proposals.open_for(None, not_about=ids["mona"], limit=50, scope=NOBODY) == []
        assert uow.proposals.open_challenges(50, NOBODY) == []
        assert uow.skills.pending_validations(ids["mona"], NOBODY) == []


def test_an_employee_reads_only_their_own_audit_trail(line):
    db, ids = line
    with db.read_only() as uow:
        otto = uow.people.get(ids["otto"])
        own = scope_for(uow.people, otto, Capability.read_audit)
        assert own.person_ids == {ids["otto"]}
        assert {e.subject_id for e, _ in uow.audit.trail(scope=own)} == {ids["otto"]}
        assert uow.audit.trail(scope=own, person_id=ids["ravi"]) == []

"""The storage layer on both databases: migrations, constraints, relationships, unit of work."""

from __future__ import annotations


import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from storage.audit import events_for, record
from storage.models import (
    AccessRole,
    ChatIdentity,
    EvidenceType,
    Occupation,
    Person,
    Proposal,
    Skill,
    SkillEvidence,
    Team,
)


def test_migration_creates_the_whole_domain_and_is_repeatable(database):
    database.migrate()  # a second run is a no-op
    tables = set(inspect(database.engine).get_table_names())
    for name in ("people", "teams", "chat_identities", "occupations", "skills", "role_skills", "skill_evidence",
                 "courses", "course_skills", "enrolments", "opportunities", "proposals", "decisions",
                 "audit_events", "knowledge_documents", "processed_events", "alembic_version"):
        assert name in tables


def test_people_teams_managers_and_identities(database):
    with database.unit_of_work() as s:
        team = Team(name="Data")
        s.add(team)
        s.flush()
        boss = Person(name="Boss One", email="boss@x.example", team_id=team.id, access_role=AccessRole.manager,
                      hire_date=dt.date(2020, 1, 2), location="Lisbon")
        s.add(boss)
        s.flush()
        s.add(Person(name="Report One", email="report@x.example", manager_id=boss.id, team_id=team.id))
        s.flush()
        s.add(ChatIdentity(person_id=boss.id, channel="slack", external_id="U123"))
    with database.session() as s, s.begin():
        report = s.scalar(select(Person).where(Person.email == "report@x.example"))
        assert report.manager.email == "boss@x.example"
        assert report.team.name == "Data"
        assert report.access_role == AccessRole.employee
        boss = report.manager
        assert boss.hire_date == dt.date(2020, 1, 2)


def test_email_is_unique(database):
    with database.unit_of_work() as s:
        s.add(Person(name="A", email="same@x.example"))
    with pytest.raises(IntegrityError):
        with database.unit_of_work() as s:
            s.add(Person(name="B", email="same@x.example"))


def test_chat_identity_is_unique_per_channel(database):
    with database.unit_of_work() as s:
        p = Person(name="A", email="a@x.example")
        s.add(p)
        s.flush()
        s.add(ChatIdentity(person_id=p.id, channel="slack", external_id="U1"))
        s.add(ChatIdentity(person_id=p.id, channel="teams", external_id="U1"))  # another channel: fine
    with pytest.raises(IntegrityError):
        with database.session() as s, s.begin():
            p = s.scalar(select(Person))
            s.add(ChatIdentity(person_id=p.id, channel="slack", external_id="U1"))


def test_unit_of_work_rolls_back_on_error(database):
    with pytest.raises(RuntimeError):
        with database.unit_of_work() as s:
            s.add(Person(name="Ghost", email="ghost@x.example"))
            s.flush()
            raise RuntimeError("boom")
    with database.session() as s, s.begin():
        assert s.scalar(select(Person).where(Person.email == "ghost@x.example")) is None


def test_evidence_enums_and_timestamps_round_trip(database):
    when = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)
    with database.session() as s, s.begin():
        p = Person(name="A", email="a@x.example")
        sk = Skill(uri="http://example.org/skill/1", label="sql")
        s.add_all([p, sk])
        s.flush()
        s.add(SkillEvidence(person_id=p.id, skill_id=sk.id, evidence_type=EvidenceType.peer_review, level=3, observed_at=when))
    with database.session() as s, s.begin():
        ev = s.scalar(select(SkillEvidence))
        assert ev.evidence_type == EvidenceType.peer_review
        assert ev.observed_at.replace(tzinfo=dt.timezone.utc) == when


def test_deleting_a_person_cascades_to_their_evidence(database):
    with database.session() as s, s.begin():
        p = Person(name="A", email="a@x.example")
        sk = Skill(uri="http://example.org/skill/1", label="sql")
        s.add_all([p, sk])
        s.flush()
        s.add(SkillEvidence(person_id=p.id, skill_id=sk.id, evidence_type=EvidenceType.assessment, level=2))
    with database.session() as s, s.begin():
        s.delete(s.scalar(select(Person)))
    with database.session() as s, s.begin():
        assert s.scalar(select(SkillEvidence)) is None


def test_proposal_version_is_checked_optimistically(database):
    from sqlalchemy.orm.exc import StaleDataError

    with database.unit_of_work() as s:
        p = Person(name="A", email="a@x.example")
        s.add(p)
        s.flush()
        s.add(Proposal(action_type="enrol", subject_id=p.id, payload={"course_id": 1}))
    first, second = database.session(), database.session()
    try:
        a = first.scalar(select(Proposal))
        b = second.scalar(select(Proposal))
        a.rationale = "first writer"
        first.commit()
        b.rationale = "second writer, stale"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    with database.session() as s, s.begin():
        assert s.scalar(select(Proposal)).version == 2


def test_audit_trail_records_in_order(database):
    with database.unit_of_work() as s:
        p = Person(name="A", email="a@x.example")
        s.add(p)
        s.flush()
        record(s, action="first", subject_id=p.id, at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
        record(s, action="second", subject_id=p.id, detail={"k": "v"}, at=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc))
    with database.session() as s, s.begin():
        p = s.scalar(select(Person))
        events = events_for(s, p.id)
        assert [e.action for e in events] == ["second", "first"]
        assert events[0].detail == {"k": "v"}


def test_occupation_uri_is_unique(database):
    with database.unit_of_work() as s:
        s.add(Occupation(uri="http://example.org/o/1", label="one"))
    with pytest.raises(IntegrityError):
        with database.unit_of_work() as s:
            s.add(Occupation(uri="http://example.org/o/1", label="again"))


def test_read_only_refuses_writes_and_leaves_every_pooled_connection_writable(database):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    # Two connections in the pool: a block that handed its connection back early would reset the wrong one.
    first, second = database.session(), database.session()
    first.execute(text("SELECT 1"))
    second.execute(text("SELECT 1"))
    first.close()
    second.close()
    with pytest.raises(DBAPIError):
        with database.read_only() as uow:
            uow.add(Person(name="Nobody", email="nobody@x.example"))
            uow.flush()
    for n in range(4):
        with database.read_only() as uow:
            assert uow.people.by_email(f"p{n}@x.example") is None
        with database.unit_of_work() as uow:
            uow.add(Person(name=f"P{n}", email=f"p{n}@x.example"))
    with database.read_only() as uow:
        assert all(uow.people.by_email(f"p{n}@x.example") for n in range(4))

"""Repository: the Learning Record Store's tables — LMS clients, stored xAPI statements, activity → course mappings.

A statement is stored with ``INSERT … ON CONFLICT (statement_id) DO NOTHING``: of two concurrent posts of one id
exactly one inserts, the other is told so by the return value (and then compares digests: same → nothing to do,
other → 409), never by an IntegrityError at commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    Course,
    CourseSkill,
    Enrolment,
    LmsClient,
    Person,
    SkillEvidence,
    TagStatus,
    XapiActivityCourse,
    XapiStatement,
)
from storage.repository import Repository


@dataclass(frozen=True, slots=True)
class StatementQuery:
    """The filters of GET /statements (Communication §2.1.3), already turned into column values."""

    actor_hash: str | None = None
    verb_id: str | None = None
    activity_id: str | None = None
    registration: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    ascending: bool = False
    after_row: int | None = None  # the ``more`` cursor: the last row id of the page before
    limit: int = 100


class XapiRecords(Repository):
    # ------------------------------------------------------------------ LMS clients

    def add_client(self, name: str, key: str, secret_hash: str, now: dt.datetime) -> LmsClient:
        client = LmsClient(name=name, key=key, secret_hash=secret_hash, created_at=now)
        self._session.add(client)
        self._session.flush()
        return client

    def client_named(self, name: str) -> LmsClient | None:
        return self._session.scalar(select(LmsClient).where(LmsClient.name == name))

    def active_client(self, key: str) -> LmsClient | None:
        return self._session.scalar(select(LmsClient).where(LmsClient.key == key, LmsClient.revoked_at.is_(None)))

    def clients(self) -> list[LmsClient]:
        return list(self._session.scalars(select(LmsClient).order_by(LmsClient.name)))

    def revoke_client(self, name: str, now: dt.datetime) -> bool:
        done = self._session.execute(update(LmsClient).where(LmsClient.name == name, LmsClient.revoked_at.is_(None))
                                     .values(revoked_at=now).returning(LmsClient.id))
        return bool(done.all())

    # ------------------------------------------------------------------ statements

    def insert_new(self, row: dict[str, Any]) -> int | None:
        """Insert the statement unless its id is stored already; the new row's id, or None if it was there."""
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        # Core's insert binds through the column types, so the body is encrypted as an ORM insert would be.
        statement = (dialect.insert(XapiStatement.__table__).values(row)
                     .on_conflict_do_nothing(index_elements=["statement_id"])
                     .returning(XapiStatement.__table__.c.id))
        inserted = self._session.execute(statement).all()
        return inserted[0][0] if inserted else None

    def statement(self, statement_id: str) -> XapiStatement | None:
        return self._session.scalar(select(XapiStatement).where(XapiStatement.statement_id == statement_id.lower()))

    def row(self, row_id: int) -> XapiStatement | None:
        return self._session.get(XapiStatement, row_id)

    def set_effects(self, row_id: int, effects: dict[str, Any], person_id: int | None) -> None:
        self._session.execute(update(XapiStatement).where(XapiStatement.id == row_id)
                              .values(effects=effects, person_id=person_id))

    def mark_voided(self, statement_id: str) -> XapiStatement | None:
        """Void a stored statement that is not itself a voiding one; the row, or None if there is none to void."""
        target = self._session.scalar(select(XapiStatement).where(
            XapiStatement.statement_id == statement_id.lower(), XapiStatement.voids.is_(None),
            XapiStatement.voided.is_(False)).with_for_update())
        if target is not None:
            target.voided = True
            self._session.flush()
        return target

    def voided_later(self, statement_id: str) -> bool:
        """A voiding statement for this id arrived before the statement itself."""
        return self._session.scalar(select(XapiStatement.id).where(XapiStatement.voids == statement_id.lower())
                                    .limit(1)) is not None

    def find(self, query: StatementQuery) -> list[XapiStatement]:
        q = select(XapiStatement).where(XapiStatement.voided.is_(False))
        matches = []
        if query.actor_hash:
            matches.append(XapiStatement.actor_hash == query.actor_hash)
        if query.verb_id:
            matches.append(XapiStatement.verb_id == query.verb_id)
        if query.activity_id:
            matches.append(XapiStatement.activity_id == query.activity_id)
        if query.registration:
            matches.append(XapiStatement.registration == query.registration)
        if matches:
            # A statement that refers to a matching statement (StatementRef, voided or not) matches too (§2.1.3).
            referred = select(XapiStatement.statement_id).where(and_(*matches))
            q = q.where(or_(and_(*matches), XapiStatement.ref_id.in_(referred)))
        if query.since:
            q = q.where(XapiStatement.stored > query.since)
        if query.until:
            q = q.where(XapiStatement.stored <= query.until)
        if query.after_row is not None:
            q = q.where(XapiStatement.id > query.after_row if query.ascending else XapiStatement.id < query.after_row)
        q = q.order_by(XapiStatement.id.asc() if query.ascending else XapiStatement.id.desc()).limit(query.limit)
        return list(self._session.scalars(q))

    def count(self) -> int:
        from sqlalchemy import func

        return self._session.scalar(select(func.count()).select_from(XapiStatement)) or 0

    # ------------------------------------------------------------------ what statements change

    def course_for_activity(self, activity_id: str) -> Course | None:
        """The course an activity id is: a mapping, else the course whose url or code is the activity id."""
        mapped = self._session.scalar(select(Course).join(XapiActivityCourse, XapiActivityCourse.course_id == Course.id)
                                      .where(XapiActivityCourse.activity_id == activity_id))
        if mapped is not None:
            return mapped
        return self._session.scalar(select(Course).where(or_(Course.url == activity_id, Course.code == activity_id))
                                    .order_by(Course.id).limit(1))

    def map_activity(self, activity_id: str, course_id: int) -> None:
        existing = self._session.get(XapiActivityCourse, activity_id)
        if existing is None:
            self._session.add(XapiActivityCourse(activity_id=activity_id, course_id=course_id))
        else:
            existing.course_id = course_id
        self._session.flush()

    def course_skills(self, course_id: int) -> list[tuple[int, int]]:
        """(skill id, level) of the course's accepted skill tags."""
        rows = self._session.execute(select(CourseSkill.skill_id, CourseSkill.level).where(
            CourseSkill.course_id == course_id, CourseSkill.status == TagStatus.accepted).order_by(CourseSkill.skill_id))
        return [(sid, level) for sid, level in rows]

    def enrolment(self, person_id: int, course_id: int) -> Enrolment | None:
        return self._session.scalar(select(Enrolment).where(Enrolment.person_id == person_id,
                                                            Enrolment.course_id == course_id))

    def person_by_external_id(self, external_id: str) -> Person | None:
        """The active person whose HR id is an xAPI account's name."""
        return self._session.scalar(select(Person).where(Person.external_id == external_id, Person.active.is_(True)))

    def enrolment_by_id(self, enrolment_id: int) -> Enrolment | None:
        return self._session.get(Enrolment, enrolment_id)

    def delete_enrolment(self, enrolment_id: int) -> None:
        self._session.execute(delete(Enrolment).where(Enrolment.id == enrolment_id))

    def add_evidence(self, evidence: SkillEvidence) -> int:
        self._session.add(evidence)
        self._session.flush()
        return evidence.id

    def delete_evidence(self, evidence_ids: list[int]) -> int:
        if not evidence_ids:
            return 0
        done = self._session.execute(delete(SkillEvidence).where(SkillEvidence.id.in_(evidence_ids))
                                     .returning(SkillEvidence.id))
        return len(done.all())

    # ------------------------------------------------------------------ privacy

    def statements_of(self, person_id: int) -> list[XapiStatement]:
        return list(self._session.scalars(select(XapiStatement).where(XapiStatement.person_id == person_id)
                                          .order_by(XapiStatement.id)))

    def delete_for_person(self, person_id: int, email: str | None = None) -> int:
        """Erasure: the statements whose actor is the person go — linked to them, or (sent before they were in the
        directory) by their email. The statement names them; nothing else refers to it."""
        mine = [XapiStatement.person_id == person_id]
        if email:
            mine.append(XapiStatement.actor_hash == actor_hash("mbox:mailto:" + email.strip().lower()))
        done = self._session.execute(delete(XapiStatement).where(or_(*mine)).returning(XapiStatement.id))
        return len(done.all())


def actor_hash(key: str) -> str:
    """What ``xapi_statements.actor_hash`` holds for an actor's identifier (``learning_records.statements.actor_key``)."""
    return hashlib.sha256(key.encode()).hexdigest()

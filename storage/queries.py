"""Read-side queries the use cases need. Returns plain rows and dataclasses, never sessions."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skills_engine.proficiency import EvidenceItem
from skills_engine.roles import RoleIndex
from storage.models import (
    ChatIdentity,
    Course,
    CourseSkill,
    EvidenceStatus,
    Occupation,
    Opportunity,
    OpportunitySkill,
    Person,
    RequirementKind,
    RoleSkill,
    Skill,
    SkillEvidence,
    TagStatus,
)


@dataclass(frozen=True, slots=True)
class Requirement:
    skill_id: int
    uri: str
    label: str
    kind: RequirementKind
    target_level: int


@dataclass(frozen=True, slots=True)
class CourseOffer:
    course_id: int
    code: str
    title: str
    duration_hours: float
    skill_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class OpportunityOffer:
    opportunity_id: int
    kind: str
    title: str
    skill_ids: frozenset[int]


def person_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(func.lower(Person.email) == email.strip().lower(), Person.active.is_(True)))


def person_by_identity(session: Session, channel: str, external_id: str) -> Person | None:
    return session.scalar(
        select(Person).join(ChatIdentity, ChatIdentity.person_id == Person.id)
        .where(ChatIdentity.channel == channel, ChatIdentity.external_id == external_id, Person.active.is_(True))
    )


def evidence_for(session: Session, person_id: int) -> list[EvidenceItem]:
    rows = session.execute(
        select(SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level, SkillEvidence.observed_at,
               SkillEvidence.source, Person.name)
        .outerjoin(Person, Person.id == SkillEvidence.verifier_id)
        .where(SkillEvidence.person_id == person_id, SkillEvidence.status == EvidenceStatus.active)
    )
    return [EvidenceItem(r[0], r[1], r[2], r[3], r[4] or "", r[5]) for r in rows]


def requirements(session: Session, occupation_id: int) -> list[Requirement]:
    rows = session.execute(
        select(RoleSkill.skill_id, Skill.uri, Skill.label, RoleSkill.kind, RoleSkill.target_level)
        .join(Skill, Skill.id == RoleSkill.skill_id)
        .where(RoleSkill.occupation_id == occupation_id)
    )
    return [Requirement(*r) for r in rows]


def skill_demand(session: Session, skill_ids: list[int]) -> dict[int, int]:
    """How many roles need each skill as essential: a tie-breaker for which gap matters most."""
    if not skill_ids:
        return {}
    rows = session.execute(
        select(RoleSkill.skill_id, func.count())
        .where(RoleSkill.skill_id.in_(skill_ids), RoleSkill.kind == RequirementKind.essential)
        .group_by(RoleSkill.skill_id)
    )
    return {skill_id: count for skill_id, count in rows}


def skill_labels(session: Session, skill_ids: list[int]) -> dict[int, tuple[str, str]]:
    if not skill_ids:
        return {}
    return {r[0]: (r[1], r[2]) for r in session.execute(select(Skill.id, Skill.uri, Skill.label).where(Skill.id.in_(skill_ids)))}


def courses_teaching(session: Session, skill_ids: list[int]) -> list[CourseOffer]:
    if not skill_ids:
        return []
    rows = session.execute(
        select(Course.id, Course.code, Course.title, Course.duration_hours, CourseSkill.skill_id)
        .join(CourseSkill, CourseSkill.course_id == Course.id)
        .where(CourseSkill.skill_id.in_(skill_ids), CourseSkill.status == TagStatus.accepted)
    )
    grouped: dict[int, tuple[str, str, float, set[int]]] = {}
    for cid, code, title, hours, sid in rows:
        grouped.setdefault(cid, (code, title, hours, set()))[3].add(sid)
    return [CourseOffer(cid, c, t, h, frozenset(s)) for cid, (c, t, h, s) in grouped.items()]


def open_opportunities_needing(session: Session, skill_ids: list[int]) -> list[OpportunityOffer]:
    if not skill_ids:
        return []
    rows = session.execute(
        select(Opportunity.id, Opportunity.kind, Opportunity.title, OpportunitySkill.skill_id)
        .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
        .where(OpportunitySkill.skill_id.in_(skill_ids), Opportunity.status == "open")
    )
    grouped: dict[int, tuple[str, str, set[int]]] = {}
    for oid, kind, title, sid in rows:
        grouped.setdefault(oid, (kind.value if hasattr(kind, "value") else kind, title, set()))[2].add(sid)
    return [OpportunityOffer(oid, k, t, frozenset(s)) for oid, (k, t, s) in grouped.items()]


class RoleIndexCache:
    """One ``RoleIndex`` per process, rebuilt only when the occupations table changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signature: tuple[int, int] | None = None
        self._index: RoleIndex | None = None

    def get(self, session: Session) -> RoleIndex:
        signature = tuple(session.execute(select(func.count(Occupation.id), func.coalesce(func.max(Occupation.id), 0))).one())
        with self._lock:
            if self._index is None or signature != self._signature:
                rows = session.execute(select(Occupation.id, Occupation.label, Occupation.alt_labels)).all()
                self._index = RoleIndex((r[0], r[1], r[2]) for r in rows)
                self._signature = signature  # type: ignore[assignment]
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None

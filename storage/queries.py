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
    # The exact match uses the unique index; the case-insensitive one scans, so it only runs as a fallback.
    exact = session.scalar(select(Person).where(Person.email == email.strip(), Person.active.is_(True)))
    if exact is not None:
        return exact
    return session.scalar(select(Person).where(func.lower(Person.email) == email.strip().lower(), Person.active.is_(True)))


def person_by_identity(session: Session, channel: str, external_id: str) -> Person | None:
    return session.scalar(
        select(Person).join(ChatIdentity, ChatIdentity.person_id == Person.id)
        .where(ChatIdentity.channel == channel, ChatIdentity.external_id == external_id, Person.active.is_(True))
    )


def evidence_for(session: Session, person_id: int) -> list[EvidenceItem]:
    rows = session.execute(
        select(SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level, SkillEvidence.observed_at,
               SkillEvidence.source, Person.name, SkillEvidence.id)
        .outerjoin(Person, Person.id == SkillEvidence.verifier_id)
        .where(SkillEvidence.person_id == person_id, SkillEvidence.status == EvidenceStatus.active)
    )
    return [EvidenceItem(r[0], r[1], r[2], r[3], r[4] or "", r[5], evidence_id=r[6]) for r in rows]


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


# --------------------------------------------------------------------------- skills intelligence (issue 4)


def taxonomy_signature(session: Session) -> tuple:
    """Changes whenever roles, skills or requirements change; keys the in-memory role graph."""
    occ = session.execute(select(func.count(Occupation.id), func.coalesce(func.max(Occupation.id), 0))).one()
    skills = session.execute(select(func.count(Skill.id), func.coalesce(func.max(Skill.id), 0))).one()
    reqs = session.execute(select(func.count(), func.coalesce(func.sum(RoleSkill.target_level), 0),
                                  func.coalesce(func.sum(RoleSkill.skill_id), 0)).select_from(RoleSkill)).one()
    return (*occ, *skills, *reqs)


def role_rows(session: Session) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in session.execute(select(Occupation.id, Occupation.uri, Occupation.label))]


def role_skill_rows(session: Session) -> list[tuple[int, int, str, int]]:
    return [tuple(r) for r in session.execute(
        select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.kind, RoleSkill.target_level))]


def skill_rows(session: Session) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in session.execute(select(Skill.id, Skill.uri, Skill.label))]


def skill_label_rows(session: Session) -> list[tuple[int, str, str]]:
    """(id, preferred label, alternative labels) for the skill name index."""
    return [tuple(r) for r in session.execute(select(Skill.id, Skill.label, Skill.alt_labels))]


def report_ids(session: Session, manager_id: int) -> list[int]:
    """Everyone below ``manager_id`` in the reporting line (direct and indirect), active only."""
    from sqlalchemy.orm import aliased

    chain = select(Person.id).where(Person.manager_id == manager_id).cte("chain", recursive=True)
    below = aliased(Person)
    chain = chain.union(select(below.id).join(chain, below.manager_id == chain.c.id))
    rows = session.execute(select(Person.id).where(Person.id.in_(select(chain.c.id)), Person.active.is_(True),
                                                   Person.id != manager_id))
    return sorted(r[0] for r in rows)


def is_in_reporting_line(session: Session, manager_id: int, person_id: int) -> bool:
    """Walks up from the person (bounded, cycle-safe): is ``manager_id`` above them?"""
    seen: set[int] = set()
    current = session.scalar(select(Person.manager_id).where(Person.id == person_id))
    while current is not None and current not in seen and len(seen) < 64:
        if current == manager_id:
            return True
        seen.add(current)
        current = session.scalar(select(Person.manager_id).where(Person.id == current))
    return False


def evidence_for_people(session: Session, person_ids: list[int]) -> dict[int, list[EvidenceItem]]:
    out: dict[int, list[EvidenceItem]] = {pid: [] for pid in person_ids}
    for start in range(0, len(person_ids), 5000):
        chunk = person_ids[start:start + 5000]
        rows = session.execute(
            select(SkillEvidence.person_id, SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level,
                   SkillEvidence.observed_at, SkillEvidence.source)
            .where(SkillEvidence.person_id.in_(chunk), SkillEvidence.status == EvidenceStatus.active)
        )
        for pid, sid, kind, level, at, source in rows:
            out[pid].append(EvidenceItem(sid, kind, level, at, source or ""))
    return out


def evidence_rows(session: Session, person_id: int, skill_id: int | None = None) -> list[SkillEvidence]:
    """Every piece of evidence (any status) of a person, newest first — for explanations."""
    query = select(SkillEvidence).where(SkillEvidence.person_id == person_id)
    if skill_id is not None:
        query = query.where(SkillEvidence.skill_id == skill_id)
    return list(session.scalars(query.order_by(SkillEvidence.observed_at.desc(), SkillEvidence.id.desc())))


def pending_validations(session: Session, verifier_id: int) -> list[SkillEvidence]:
    from storage.models import EvidenceType

    return list(session.scalars(
        select(SkillEvidence).where(SkillEvidence.verifier_id == verifier_id,
                                    SkillEvidence.evidence_type == EvidenceType.manager_validation,
                                    SkillEvidence.status == EvidenceStatus.pending)
        .order_by(SkillEvidence.observed_at, SkillEvidence.id)))


def courses_without_accepted_tags(session: Session) -> list[Course]:
    tagged = select(CourseSkill.course_id).where(CourseSkill.status == TagStatus.accepted)
    return list(session.scalars(select(Course).where(Course.id.not_in(tagged)).order_by(Course.code)))


def skill_signature(session: Session) -> tuple:
    return tuple(session.execute(select(func.count(Skill.id), func.coalesce(func.max(Skill.id), 0))).one())


def taxonomy_cheap_signature(session: Session) -> tuple:
    """Highest occupation and skill ids: index look-ups only (deletions show up in the full signature)."""
    return tuple(session.execute(select(select(func.max(Occupation.id)).scalar_subquery(),
                                        select(func.max(Skill.id)).scalar_subquery())).one())


def open_opportunities_for_skills(session: Session, skill_ids: list[int]) -> list[OpportunityOffer]:
    """Same answer as ``open_opportunities_needing``, driven from the skill side (one pass over the
    opportunity–skill links, then the open opportunities by id) — it stays fast for long skill lists."""
    if not skill_ids:
        return []
    links = session.execute(select(OpportunitySkill.opportunity_id, OpportunitySkill.skill_id)
                            .where(OpportunitySkill.skill_id.in_(skill_ids))).all()
    if not links:
        return []
    grouped: dict[int, set[int]] = {}
    for oid, sid in links:
        grouped.setdefault(oid, set()).add(sid)
    rows = session.execute(select(Opportunity.id, Opportunity.kind, Opportunity.title)
                           .where(Opportunity.id.in_(sorted(grouped)), Opportunity.status == "open"))
    return [OpportunityOffer(oid, getattr(kind, "value", kind), title, frozenset(grouped[oid])) for oid, kind, title in rows]

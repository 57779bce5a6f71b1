"""Repository: skill evidence, role requirements, courses and their skill tags, opportunities.

Reads return plain records (the dataclasses below) or model entities; the domain builds its own objects
from them. The taxonomy itself (signatures, label rows, the ESCO upsert) is ``self.taxonomy``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, select, update

from storage.models import (
    Course,
    CourseSkill,
    Enrolment,
    EvidenceStatus,
    EvidenceType,
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
from storage.preferences import inference_allowed_filter
from storage.repository import Repository
from storage.scope import Scope, where_person
from storage.taxonomy import Taxonomy

_CHUNK = 5000  # ids per IN (...) list: stays under every driver's parameter limit

# The path answer's reads, built once: SQLAlchemy then skips rebuilding each statement on every question.
_EVIDENCE_FOR = (
    select(SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level, SkillEvidence.observed_at,
           SkillEvidence.source, Person.name, SkillEvidence.id)
    .outerjoin(Person, Person.id == SkillEvidence.verifier_id)
    .where(SkillEvidence.person_id == bindparam("person_id"), SkillEvidence.status == EvidenceStatus.active,
           inference_allowed_filter(SkillEvidence.person_id, SkillEvidence.evidence_type))
)
# Every read of evidence leaves out what was inferred from activity for people who opted out of inference.
_COURSES_TEACHING = (
    select(Course.id, Course.code, Course.title, Course.duration_hours, CourseSkill.skill_id)
    .join(CourseSkill, CourseSkill.course_id == Course.id)
    .where(CourseSkill.skill_id.in_(bindparam("skill_ids", expanding=True)), CourseSkill.status == TagStatus.accepted)
)
_OPPORTUNITY_LINKS = select(OpportunitySkill.opportunity_id, OpportunitySkill.skill_id).where(
    OpportunitySkill.skill_id.in_(bindparam("skill_ids", expanding=True)))
_OPEN_OPPORTUNITIES = select(Opportunity.id, Opportunity.kind, Opportunity.title).where(
    Opportunity.id.in_(bindparam("ids", expanding=True)), Opportunity.status == "open")


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


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One piece of active evidence as the proficiency rules read it."""

    skill_id: int
    evidence_type: EvidenceType
    level: int
    observed_at: dt.datetime
    source: str = ""
    verifier: str | None = None  # the verifier's name
    evidence_id: int | None = None


class Skills(Repository):
    @cached_property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy(self._session)

    # ------------------------------------------------------------------ entities by key

    def occupation(self, occupation_id: int) -> Occupation | None:
        return self._session.get(Occupation, occupation_id)

    def skill(self, skill_id: int) -> Skill | None:
        return self._session.get(Skill, skill_id)

    def skill_by_uri(self, uri: str) -> Skill | None:
        return self._session.scalar(select(Skill).where(Skill.uri == uri))

    def course(self, course_id: int) -> Course | None:
        return self._session.get(Course, course_id)

    def course_by_code(self, code: str) -> Course | None:
        return self._session.scalar(select(Course).where(Course.code == code))

    def course_codes(self) -> list[tuple[int, str, str]]:
        """(id, code, title) of every course in the catalogue: what a typed course is matched against."""
        rows = self._session.execute(select(Course.id, Course.code, Course.title).order_by(Course.id))
        return [(cid, code, title) for cid, code, title in rows]

    def skill_labels(self, skill_ids: list[int]) -> dict[int, tuple[str, str]]:
        """skill id -> (uri, preferred label)."""
        if not skill_ids:
            return {}
        rows = self._session.execute(select(Skill.id, Skill.uri, Skill.label).where(Skill.id.in_(skill_ids)))
        return {r[0]: (r[1], r[2]) for r in rows}

    def requirements(self, occupation_id: int) -> list[Requirement]:
        rows = self._session.execute(
            select(RoleSkill.skill_id, Skill.uri, Skill.label, RoleSkill.kind, RoleSkill.target_level)
            .join(Skill, Skill.id == RoleSkill.skill_id)
            .where(RoleSkill.occupation_id == occupation_id)
        )
        return [Requirement(*r) for r in rows]

    # ------------------------------------------------------------------ evidence

    def evidence(self, evidence_id: int) -> SkillEvidence | None:
        return self._session.get(SkillEvidence, evidence_id)

    def evidence_for(self, person_id: int) -> list[EvidenceRecord]:
        """A person's active evidence, with the verifier's name."""
        rows = self._session.execute(_EVIDENCE_FOR, {"person_id": person_id})
        return [EvidenceRecord(r[0], r[1], r[2], r[3], r[4] or "", r[5], r[6]) for r in rows]

    def evidence_for_people(self, person_ids: list[int], scope: Scope,
                            skill_ids: Iterable[int] | None = None) -> dict[int, list[EvidenceRecord]]:
        """Active evidence of many people at once (team views), without verifier names: only of people ``scope``
        covers (the filter is in the query; anyone outside it is left out of the answer); of these skills only, when
        ``skill_ids`` is given."""
        person_ids = scope.only(person_ids)
        out: dict[int, list[EvidenceRecord]] = {pid: [] for pid in person_ids}
        for start in range(0, len(person_ids), _CHUNK):
            query = (select(SkillEvidence.person_id, SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level,
                            SkillEvidence.observed_at, SkillEvidence.source)
                     .where(SkillEvidence.person_id.in_(person_ids[start:start + _CHUNK]),
                            SkillEvidence.status == EvidenceStatus.active,
                            inference_allowed_filter(SkillEvidence.person_id, SkillEvidence.evidence_type)))
            if skill_ids is not None:
                query = query.where(SkillEvidence.skill_id.in_(sorted(set(skill_ids))))
            condition = where_person(SkillEvidence.person_id, scope)
            rows = self._session.execute(query if condition is None else query.where(condition))
            for pid, sid, kind, level, at, source in rows:
                out[pid].append(EvidenceRecord(sid, kind, level, at, source or ""))
        return out

    def evidence_history(self, person_id: int, skill_id: int | None = None, *, kind: EvidenceType | None = None,
                         status: EvidenceStatus | None = None, set_aside_too: bool = False) -> list[SkillEvidence]:
        """A person's evidence, newest first: of one skill, kind or status when given, else all of it.
        Evidence inferred from activity is left out for a person who opted out of inference, unless
        ``set_aside_too`` (what Ladder inferred about them, shown to them as set aside)."""
        query = select(SkillEvidence).where(SkillEvidence.person_id == person_id)
        if not set_aside_too:
            query = query.where(inference_allowed_filter(SkillEvidence.person_id, SkillEvidence.evidence_type))
        if skill_id is not None:
            query = query.where(SkillEvidence.skill_id == skill_id)
        if kind is not None:
            query = query.where(SkillEvidence.evidence_type == kind)
        if status is not None:
            query = query.where(SkillEvidence.status == status)
        return list(self._session.scalars(query.order_by(SkillEvidence.observed_at.desc(), SkillEvidence.id.desc())))

    def pending_validations(self, verifier_id: int, scope: Scope) -> list[SkillEvidence]:
        """Validation requests waiting for this verifier about people ``scope`` covers, oldest first."""
        query = select(SkillEvidence).where(SkillEvidence.verifier_id == verifier_id,
                                            SkillEvidence.evidence_type == EvidenceType.manager_validation,
                                            SkillEvidence.status == EvidenceStatus.pending)
        condition = where_person(SkillEvidence.person_id, scope)
        if condition is not None:
            query = query.where(condition)
        return list(self._session.scalars(query.order_by(SkillEvidence.observed_at, SkillEvidence.id)))

    def settle_pending(self, evidence_id: int, status: EvidenceStatus, **values: Any) -> bool:
        """Pending → ``status`` (with ``values``), atomically: a second (or concurrent) decision finds nothing
        pending and gets False. Loaded entities are expired so that they show the stored state."""
        result = self._session.execute(
            update(SkillEvidence)
            .where(SkillEvidence.id == evidence_id, SkillEvidence.status == EvidenceStatus.pending)
            .values(status=status, **values)
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()
        return result.rowcount == 1

    # ------------------------------------------------------------------ learning and work

    def courses_teaching(self, skill_ids: list[int]) -> list[CourseOffer]:
        """Courses with an accepted tag for any of these skills, with the tagged skills among them."""
        if not skill_ids:
            return []
        rows = self._session.execute(_COURSES_TEACHING, {"skill_ids": list(skill_ids)})
        grouped: dict[int, tuple[str, str, float, set[int]]] = {}
        for cid, code, title, hours, sid in rows:
            grouped.setdefault(cid, (code, title, hours, set()))[3].add(sid)
        return [CourseOffer(cid, c, t, h, frozenset(s)) for cid, (c, t, h, s) in grouped.items()]

    def open_opportunities_for(self, skill_ids: list[int]) -> list[OpportunityOffer]:
        """Open opportunities that exercise any of these skills, with those skills. Driven from the skill side
        (one pass over the opportunity–skill links, then the open opportunities by id): it stays fast for long
        skill lists."""
        if not skill_ids:
            return []
        links = self._session.execute(_OPPORTUNITY_LINKS, {"skill_ids": list(skill_ids)}).all()
        if not links:
            return []
        grouped: dict[int, set[int]] = {}
        for oid, sid in links:
            grouped.setdefault(oid, set()).add(sid)
        rows = self._session.execute(_OPEN_OPPORTUNITIES, {"ids": sorted(grouped)})
        return [OpportunityOffer(oid, getattr(kind, "value", kind), title, frozenset(grouped[oid]))
                for oid, kind, title in rows]

    def enrolment(self, person_id: int, course_id: int) -> Enrolment | None:
        return self._session.scalar(select(Enrolment).where(Enrolment.person_id == person_id,
                                                            Enrolment.course_id == course_id))

    # ------------------------------------------------------------------ course skill tags

    def courses_without_accepted_tags(self) -> list[Course]:
        tagged = select(CourseSkill.course_id).where(CourseSkill.status == TagStatus.accepted)
        return list(self._session.scalars(select(Course).where(Course.id.not_in(tagged)).order_by(Course.code)))

    def suggest_tag(self, course_id: int, skill_id: int, score: float) -> None:
        """Record a suggested tag (or refresh the score of one still suggested); accepted tags stay as they are."""
        row = self._session.get(CourseSkill, (course_id, skill_id))
        if row is None:
            self._session.add(CourseSkill(course_id=course_id, skill_id=skill_id, level=2, status=TagStatus.suggested,
                                          score=score))
        elif row.status == TagStatus.suggested:
            row.score = score

    def accept_tag(self, course_id: int, skill_id: int) -> bool:
        """The course now counts as teaching the skill; False when it already did."""
        row = self._session.get(CourseSkill, (course_id, skill_id))
        if row is None:
            self._session.add(CourseSkill(course_id=course_id, skill_id=skill_id, level=2, status=TagStatus.accepted))
            return True
        changed = row.status != TagStatus.accepted
        row.status = TagStatus.accepted
        return changed

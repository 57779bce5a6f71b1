"""Repository: proposals, decisions, challenges and the autonomy policy — and what approvals and the agent read
about people, courses and opportunities to make proposals and carry them out.

The agent reads whole tables at once (a pass over 10,000 people is a handful of queries), so its reads
return plain rows; lookups of one thing return the entity.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from storage.models import (
    AccessRole,
    Challenge,
    ConversationState,
    Course,
    CourseSkill,
    Decision,
    Enrolment,
    EnrolmentStatus,
    EvidenceStatus,
    EvidenceType,
    Interest,
    Occupation,
    Opportunity,
    OpportunityKind,
    OpportunitySkill,
    Person,
    PolicySetting,
    Proposal,
    ProposalStatus,
    RequirementKind,
    RoleSkill,
    Skill,
    SkillEvidence,
    TagStatus,
)
from storage.repository import Repository
from storage.scope import Scope, where_person

# What a write that lost a race raises: the version check matched no row, a unique key was taken, or SQLite
# was busy. The caller rolls back and reads again.
WRITE_CONFLICTS: tuple[type[Exception], ...] = (StaleDataError, IntegrityError, OperationalError)

_CHUNK = 2000  # ids per IN (...) list: well under every backend's parameter limit


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


class Proposals(Repository):
    # ------------------------------------------------------------------ transactions

    def single_writer_key(self) -> str | None:
        """SQLite allows one writer at a time: check this unit of work's connection out now (so a writer queued
        behind others never waits for the pool while holding its place) and name the database. PostgreSQL:
        None — row locks and the version check do the work there."""
        bind = self._session.get_bind()
        if bind.dialect.name != "sqlite":
            return None
        self._session.connection()
        return str(bind.url)

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Reads inside the block don't flush the writes queued before them: a batch sends them all at commit."""
        with self._session.no_autoflush:
            yield

    # ------------------------------------------------------------------ proposals

    def get(self, proposal_id: int, *, fresh: bool = False) -> Proposal | None:
        """``fresh``: read the row again even if this unit of work holds it (another writer may have changed it)."""
        return self._session.get(Proposal, proposal_id, populate_existing=fresh)

    def many(self, ids: Iterable[int], statuses: Iterable[ProposalStatus] | None = None) -> list[Proposal]:
        query = select(Proposal).where(Proposal.id.in_(list(ids)))
        if statuses is not None:
            query = query.where(Proposal.status.in_(list(statuses)))
        return list(self._session.scalars(query))

    def waiting_for(self, approver_id: int, scope: Scope) -> list[Proposal]:
        """Proposals still waiting for this approver about people ``scope`` covers, oldest first."""
        query = select(Proposal).where(Proposal.status == ProposalStatus.proposed, Proposal.approver_id == approver_id)
        condition = where_person(Proposal.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return list(self._session.scalars(query.order_by(Proposal.created_at, Proposal.id)))

    def ids_with_status(self, statuses: Iterable[ProposalStatus]) -> list[int]:
        return list(self._session.scalars(select(Proposal.id).where(Proposal.status.in_(list(statuses))).order_by(Proposal.id)))

    def open_for(self, approver_ids: list[int] | None, *, not_about: int, limit: int, scope: Scope) -> list[Proposal]:
        """Open proposals whose approver is one of ``approver_ids`` (None: anyone's) about people ``scope``
        covers, oldest first."""
        query = select(Proposal).where(Proposal.status == ProposalStatus.proposed, Proposal.subject_id != not_about)
        if approver_ids is not None:
            query = query.where(Proposal.approver_id.in_(approver_ids))
        condition = where_person(Proposal.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return list(self._session.scalars(query.order_by(Proposal.created_at, Proposal.id).limit(limit)))

    def about(self, subject_id: int, *, limit: int, scope: Scope) -> list[Proposal]:
        """The newest proposals about one person (none when ``scope`` does not cover them)."""
        query = select(Proposal).where(Proposal.subject_id == subject_id)
        condition = where_person(Proposal.subject_id, scope)
        if condition is not None:
            query = query.where(condition)
        return list(self._session.scalars(query.order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)))

    def overdue_ids(self, now: dt.datetime) -> list[int]:
        return list(self._session.scalars(select(Proposal.id).where(
            Proposal.status == ProposalStatus.proposed, Proposal.expires_at.is_not(None), Proposal.expires_at <= now)))

    def insert_many(self, rows: list[dict[str, Any]]) -> list[int]:
        """One INSERT … RETURNING per chunk; the ids come back in the order of ``rows``."""
        ids: list[int] = []
        for start in range(0, len(rows), _CHUNK):
            ids += self._session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), rows[start:start + _CHUNK])
        return ids

    def count_by_type(self, ids: list[int], status: ProposalStatus) -> dict[str, int]:
        return dict(self._session.execute(select(Proposal.action_type, func.count()).where(
            Proposal.id.in_(ids), Proposal.status == status).group_by(Proposal.action_type)).all())

    def decisions_for(self, proposal_ids: list[int]) -> dict[int, Decision]:
        return {d.proposal_id: d for d in self._session.scalars(select(Decision).where(Decision.proposal_id.in_(proposal_ids)))}

    def insert_decisions(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._session.execute(insert(Decision), rows)

    # ------------------------------------------------------------------ courses, enrolments, opportunities

    def course_by_code(self, code: str) -> Course | None:
        return self._session.scalar(select(Course).where(func.upper(Course.code) == code.upper()))

    def course(self, course_id: int) -> Course | None:
        return self._session.get(Course, course_id)

    def course_by_title(self, title: str) -> Course | None:
        return self._session.scalar(select(Course).where(func.lower(Course.title) == title.lower()))

    def course_choices(self, limit: int) -> list[tuple[str, str]]:
        """(code, title) of the catalogue, by code."""
        return [(c, t) for c, t in self._session.execute(select(Course.code, Course.title).order_by(Course.code).limit(limit))]

    def open_with_key(self, dedupe_key: str) -> Proposal | None:
        """The proposal with this dedupe key still waiting for a decision (or approved, not yet carried out)."""
        return self._session.scalar(select(Proposal).where(
            Proposal.dedupe_key == dedupe_key,
            Proposal.status.in_([ProposalStatus.proposed, ProposalStatus.approved, ProposalStatus.overridden]))
            .order_by(Proposal.id.desc()).limit(1))

    def enrolment_in(self, person_id: int, course_id: int) -> tuple[bool, int | None]:
        """(the course is in the catalogue, the person's enrolment id in it if any), in one query."""
        enrolled = select(Enrolment.id).where(Enrolment.person_id == person_id, Enrolment.course_id == course_id).scalar_subquery()
        row = self._session.execute(select(Course.id, enrolled).where(Course.id == course_id)).first()
        return (False, None) if row is None else (True, row[1])

    def opportunity(self, opportunity_id: int) -> Opportunity | None:
        return self._session.get(Opportunity, opportunity_id)

    def opportunity_by_title(self, title: str) -> Opportunity | None:
        return self._session.scalar(select(Opportunity).where(func.lower(Opportunity.title) == title.lower()))

    def open_opportunity_choices(self, limit: int) -> list[tuple[int, str]]:
        return [(i, t) for i, t in self._session.execute(
            select(Opportunity.id, Opportunity.title).where(Opportunity.status == "open").order_by(Opportunity.id).limit(limit))]

    def has_interest(self, person_id: int, opportunity_id: int) -> bool:
        return self._session.scalar(select(Interest.id).where(
            Interest.person_id == person_id, Interest.opportunity_id == opportunity_id)) is not None

    # ------------------------------------------------------------------ challenges

    def challenge(self, challenge_id: int) -> Challenge | None:
        return self._session.get(Challenge, challenge_id)

    def open_challenge_by(self, person_id: int, proposal_id: int) -> Challenge | None:
        return self._session.scalar(select(Challenge).where(
            Challenge.proposal_id == proposal_id, Challenge.person_id == person_id, Challenge.status == "open"))

    def open_challenges(self, limit: int, scope: Scope) -> list[tuple[Challenge, str, str]]:
        """Open challenges by people ``scope`` covers, oldest first, with the challenger's name and email."""
        query = select(Challenge, Person.name, Person.email).join(Person, Person.id == Challenge.person_id).where(Challenge.status == "open")
        condition = where_person(Challenge.person_id, scope)
        if condition is not None:
            query = query.where(condition)
        rows = self._session.execute(query.order_by(Challenge.created_at, Challenge.id).limit(limit))
        return [(c, name, email) for c, name, email in rows]

    # ------------------------------------------------------------------ the autonomy policy

    def policy_levels(self) -> list[tuple[str, str]]:
        """(action type, autonomy) as stored; unknown values are the caller's to ignore."""
        return [(t, a) for t, a in self._session.execute(select(PolicySetting.action_type, PolicySetting.autonomy))]

    def policy_setting(self, action_type: str) -> PolicySetting | None:
        return self._session.get(PolicySetting, action_type)

    # ------------------------------------------------------------------ the agent's signals (whole tables, as rows)

    def active_people(self) -> list[tuple[int, int | None, int | None, int | None, str]]:
        """(id, manager, role, target role, name) of everyone active."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Person.id, Person.manager_id, Person.role_id, Person.target_role_id, Person.name).where(Person.active.is_(True)))]

    def active_evidence(self, evidence_types: Iterable[Any]) -> list[tuple[int, int, Any, int, dt.datetime]]:
        """(person, skill, type, level, observed at) of active evidence of the given types."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(SkillEvidence.person_id, SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level,
                   SkillEvidence.observed_at)
            .where(SkillEvidence.status == EvidenceStatus.active, SkillEvidence.evidence_type.in_(list(evidence_types))))]

    def course_skill_rows(self) -> list[tuple[int, str, str, float, int]]:
        """(course, code, title, hours, skill) for every accepted skill tag."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Course.id, Course.code, Course.title, Course.duration_hours, CourseSkill.skill_id)
            .join(CourseSkill, CourseSkill.course_id == Course.id).where(CourseSkill.status == TagStatus.accepted))]

    def enrolled_pairs(self) -> list[tuple[int, int]]:
        """(person, course) of every enrolment not withdrawn."""
        return [(p, c) for p, c in self._session.execute(
            select(Enrolment.person_id, Enrolment.course_id).where(Enrolment.status != EnrolmentStatus.withdrawn))]

    def essential_requirements(self, role_ids: Iterable[int]) -> list[tuple[int, int, int]]:
        """(role, skill, target level) of the roles' essential skills."""
        out: list[tuple[int, int, int]] = []
        for chunk in _chunks(role_ids):
            out += [(o, s, lv) for o, s, lv in self._session.execute(
                select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.target_level)
                .where(RoleSkill.occupation_id.in_(chunk), RoleSkill.kind == RequirementKind.essential))]
        return out

    def role_labels(self, role_ids: Iterable[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(role_ids):
            out.update(self._session.execute(select(Occupation.id, Occupation.label).where(Occupation.id.in_(chunk))).all())
        return out

    def skill_labels(self, skill_ids: Iterable[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(skill_ids):
            out.update(self._session.execute(select(Skill.id, Skill.label).where(Skill.id.in_(chunk))).all())
        return out

    def stalled_enrolments(self, cutoff: dt.datetime) -> list[tuple[int, int, int, float, dt.datetime, str]]:
        """(enrolment, person, course, progress, last activity, course title) of unfinished enrolments idle since ``cutoff``."""
        last = func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Enrolment.id, Enrolment.person_id, Enrolment.course_id, Enrolment.progress, last, Course.title)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.status.in_([EnrolmentStatus.enrolled, EnrolmentStatus.in_progress]), Enrolment.progress < 1.0,
                   last <= cutoff))]

    def open_opportunity_requirements(self) -> list[tuple[int, str, int | None, int, int]]:
        """(opportunity, title, owner, skill, level) of every required skill of every open opportunity."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Opportunity.id, Opportunity.title, Opportunity.owner_id, OpportunitySkill.skill_id, OpportunitySkill.level)
            .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
            .where(Opportunity.status == "open", OpportunitySkill.required.is_(True)))]

    def snapshot(self, key: str) -> dict[str, Any] | None:
        """A small piece of state the agent keeps between passes (e.g. the roles it last saw)."""
        state = self._session.get(ConversationState, key)
        return None if state is None else dict(state.data or {})

    def save_snapshot(self, key: str, data: dict[str, Any]) -> None:
        state = self._session.get(ConversationState, key)
        if state is None:
            self._session.add(ConversationState(key=key, data=data))
        else:
            state.data = data

    # ------------------------------------------------------------------ cooldowns, stretch assignments, path changes

    def cooldown_rows(self, since: dt.datetime) -> list[tuple[str | None, str, int, ProposalStatus, dt.datetime, dt.datetime | None]]:
        """(dedupe key, action type, subject, status, created at, decided at) of proposals still open, or created or
        decided since ``since``: what a pass checks its candidates' cooldowns against."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Proposal.dedupe_key, Proposal.action_type, Proposal.subject_id, Proposal.status, Proposal.created_at,
                   Proposal.decided_at)
            .where(or_(Proposal.status == ProposalStatus.proposed, Proposal.created_at >= since, Proposal.decided_at >= since)))]

    def stretch_openings(self, today: dt.date) -> list[tuple[int, str, int | None, dt.date | None, int | None, int]]:
        """(opportunity, title, owner, closes on, capacity, skill) of every skill of every open project or gig (an
        internal opening for a role is a job, not a stretch assignment) that has not closed by ``today``."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Opportunity.id, Opportunity.title, Opportunity.owner_id, Opportunity.closes_on, Opportunity.capacity,
                   OpportunitySkill.skill_id)
            .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
            .where(Opportunity.status == "open", Opportunity.kind != OpportunityKind.role,
                   or_(Opportunity.closes_on.is_(None), Opportunity.closes_on >= today)))]

    def interest_pairs(self) -> list[tuple[int, int]]:
        """(person, opportunity) of every declared interest (a stretch assignment carried out adds one)."""
        return [(p, o) for p, o in self._session.execute(select(Interest.person_id, Interest.opportunity_id))]

    def open_payloads(self, action_type: str, statuses: Iterable[ProposalStatus]) -> list[tuple[int, dict[str, Any]]]:
        """(subject, payload) of the proposals of one type in the given states."""
        return [(s, dict(p or {})) for s, p in self._session.execute(
            select(Proposal.subject_id, Proposal.payload).where(Proposal.action_type == action_type,
                                                                 Proposal.status.in_(list(statuses))))]

    def unfinished_enrolments(self) -> list[tuple[int, int, int, str, str]]:
        """(enrolment, person, course, code, title) of every enrolment neither completed nor withdrawn."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Enrolment.id, Enrolment.person_id, Enrolment.course_id, Course.code, Course.title)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.status.in_([EnrolmentStatus.enrolled, EnrolmentStatus.in_progress])))]

    def withdraw_enrolment(self, enrolment_id: int, person_id: int) -> bool:
        """Withdraw one unfinished enrolment of this person; False if it is finished, withdrawn or not theirs."""
        enrolment = self._session.get(Enrolment, enrolment_id)
        if enrolment is None or enrolment.person_id != person_id or enrolment.status not in (
                EnrolmentStatus.enrolled, EnrolmentStatus.in_progress):
            return False
        enrolment.status = EnrolmentStatus.withdrawn
        return True

    def waiting_decisions(self, before: dt.datetime) -> list[tuple[int, int, str, int, dt.datetime]]:
        """(approver, proposal, action type, subject, created at) of proposals waiting for a decision since ``before``."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(Proposal.approver_id, Proposal.id, Proposal.action_type, Proposal.subject_id, Proposal.created_at)
            .where(Proposal.status == ProposalStatus.proposed, Proposal.approver_id.is_not(None), Proposal.created_at <= before)
            .order_by(Proposal.created_at, Proposal.id))]

    def waiting_validations(self, before: dt.datetime) -> list[tuple[int, int, int, int, dt.datetime]]:
        """(verifier, evidence, person, skill, asked at) of validation requests waiting for their verifier since ``before``."""
        return [tuple(r) for r in self._session.execute(  # type: ignore[misc]
            select(SkillEvidence.verifier_id, SkillEvidence.id, SkillEvidence.person_id, SkillEvidence.skill_id, SkillEvidence.observed_at)
            .where(SkillEvidence.evidence_type == EvidenceType.manager_validation, SkillEvidence.status == EvidenceStatus.pending,
                   SkillEvidence.verifier_id.is_not(None), SkillEvidence.observed_at <= before)
            .order_by(SkillEvidence.observed_at, SkillEvidence.id))]

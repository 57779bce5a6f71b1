"""SQLAlchemy 2.0 typed models for Ladder's whole domain.

One module so that migrations, repositories and tests see the same schema. Tables are grouped:
directory (people, teams, chat identities), taxonomy (occupations, skills, requirements), evidence,
learning (courses, enrolments), marketplace (opportunities), approvals (proposals, decisions),
governance (audit, demographics), knowledge (documents, feedback) and transport bookkeeping (processed events,
conversation state).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.encryption import ENCRYPTED_TYPES, EncryptedJSON, EncryptedText


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum) so adding a member needs no type migration.
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


# --------------------------------------------------------------------------- directory


class AccessRole(str, enum.Enum):
    """What a person may do in Ladder beyond being an employee (``governance.permissions`` reads it)."""

    employee = "employee"
    manager = "manager"
    hr = "hr"
    learning = "learning"  # L&D
    admin = "admin"
    hr_admin = "hr_admin"  # both HR and admin (the original combined role)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", use_alter=True, ondelete="SET NULL"))


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (Index("ix_people_email_lower", text("lower(email)")),)  # person_by_email without a scan (0003)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("occupations.id", ondelete="SET NULL"))
    job_title: Mapped[str | None] = mapped_column(String(200))
    target_role_id: Mapped[int | None] = mapped_column(ForeignKey("occupations.id", ondelete="SET NULL"))
    hire_date: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(120))
    access_role: Mapped[AccessRole] = mapped_column(_enum(AccessRole, "access_role"), default=AccessRole.employee)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    away_until: Mapped[dt.date | None] = mapped_column(Date)
    # Where the person is, for digests sent at their local time (0014): an IANA name; None: DIGEST_TIME_ZONE.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Their own quiet hours, "HH:MM-HH:MM" local, or "none" (0014); None: DIGEST_QUIET_HOURS.
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    # The HRIS's own id for the person (0017): imports and SCIM match on it before the email.
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True, index=True)
    # When and why they left (0017); `active` turns False on the leave date. Reasons: voluntary | involuntary |
    # retirement | other (the HRIS import maps its own words onto these).
    leave_date: Mapped[dt.date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(String(20))

    manager: Mapped[Person | None] = relationship(remote_side="Person.id", foreign_keys=[manager_id])
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    role: Mapped[Occupation | None] = relationship(foreign_keys=[role_id])
    target_role: Mapped[Occupation | None] = relationship(foreign_keys=[target_role_id])


class ChatIdentity(Base):
    """A person's account in one chat channel, plus what that channel needs to reach them later."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # slack | teams
    external_id: Mapped[str] = mapped_column(String(200))  # Slack user id, Teams AAD object id
    conversation_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # for proactive messages
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- taxonomy


class Occupation(Base):
    __tablename__ = "occupations"
    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(200), unique=True)
    label: Mapped[str] = mapped_column(String(300), index=True)
    alt_labels: Mapped[str] = mapped_column(Text, default="")  # newline separated, as ESCO ships them
    description: Mapped[str] = mapped_column(Text, default="")
    isco_group: Mapped[str | None] = mapped_column(String(8))
    code: Mapped[str | None] = mapped_column(String(40))


class Skill(Base):
    __tablename__ = "skills"
    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(200), unique=True)
    label: Mapped[str] = mapped_column(String(300), index=True)
    alt_labels: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    skill_type: Mapped[str | None] = mapped_column(String(40))  # knowledge | skill/competence
    reuse_level: Mapped[str | None] = mapped_column(String(40))


class RequirementKind(str, enum.Enum):
    essential = "essential"
    optional = "optional"


class RoleSkill(Base):
    """A role's requirement of a skill (ESCO occupation–skill relation) at a target level (1–4)."""

    __tablename__ = "role_skills"
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[RequirementKind] = mapped_column(_enum(RequirementKind, "requirement_kind"))
    target_level: Mapped[int] = mapped_column(Integer, default=2)

    __table_args__ = (Index("ix_role_skills_skill", "skill_id"),)


# --------------------------------------------------------------------------- evidence


class EvidenceType(str, enum.Enum):
    assessment = "assessment"
    manager_validation = "manager_validation"
    project_outcome = "project_outcome"
    peer_review = "peer_review"
    course_completion = "course_completion"
    self_assessment = "self_assessment"
    inferred = "inferred"


class EvidenceStatus(str, enum.Enum):
    active = "active"
    pending = "pending"  # e.g. waiting for a manager's validation or a person's acceptance
    rejected = "rejected"


class SkillEvidence(Base):
    __tablename__ = "skill_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    evidence_type: Mapped[EvidenceType] = mapped_column(_enum(EvidenceType, "evidence_type"))
    level: Mapped[int] = mapped_column(Integer)  # 1–4
    source: Mapped[str] = mapped_column(String(300), default="")
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[EvidenceStatus] = mapped_column(_enum(EvidenceStatus, "evidence_status"), default=EvidenceStatus.active)
    note: Mapped[str | None] = mapped_column(EncryptedText)  # a self-assessment's or a validator's own words


# --------------------------------------------------------------------------- learning


class Course(Base):
    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(120), default="")
    duration_hours: Mapped[float] = mapped_column(Float, default=0.0)
    url: Mapped[str | None] = mapped_column(String(500))


class TagStatus(str, enum.Enum):
    accepted = "accepted"
    suggested = "suggested"


class CourseSkill(Base):
    __tablename__ = "course_skills"
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, default=2)  # the level the course brings a learner to
    status: Mapped[TagStatus] = mapped_column(_enum(TagStatus, "tag_status"), default=TagStatus.accepted)
    score: Mapped[float | None] = mapped_column(Float)  # suggestion confidence

    __table_args__ = (Index("ix_course_skills_skill", "skill_id"),)


class EnrolmentStatus(str, enum.Enum):
    enrolled = "enrolled"
    in_progress = "in_progress"
    completed = "completed"
    withdrawn = "withdrawn"


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("person_id", "course_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    status: Mapped[EnrolmentStatus] = mapped_column(_enum(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.enrolled)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(60), default="self")  # self | agent | proposal:<id> | lms


# --------------------------------------------------------------------------- marketplace


class OpportunityKind(str, enum.Enum):
    role = "role"
    project = "project"
    gig = "gig"


class Opportunity(Base):
    __tablename__ = "opportunities"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OpportunityKind] = mapped_column(_enum(OpportunityKind, "opportunity_kind"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("occupations.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | filled | closed
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)  # how many people it takes; None: no stated limit (0009)
    # The marketplace (0012): status also takes ``draft`` (a posted brief not yet published) and ``discarded``;
    # every read of open opportunities filters ``status == "open"``, so drafts never leak into lists.
    duration_weeks: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    posted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OpportunitySkill(Base):
    __tablename__ = "opportunity_skills"
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)  # required vs. will-learn-on-the-job
    level: Mapped[int] = mapped_column(Integer, default=2)

    __table_args__ = (Index("ix_opportunity_skills_skill", "skill_id"),)  # matching drives from the skill side (0012)


class Interest(Base):
    """A person's declared interest in an opportunity or role (matching uses it, never tenure)."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("person_id", "opportunity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApplicationStatus(str, enum.Enum):
    applied = "applied"  # on the owner's blind shortlist
    shortlisted = "shortlisted"  # the owner picked them: their name is revealed to the owner
    proposed = "proposed"  # offered the place: waiting for their manager to approve the hours
    placed = "placed"  # approved: they hold one of the opportunity's places
    declined = "declined"  # the manager said no, or the owner passed
    withdrawn = "withdrawn"  # the opportunity closed before they were placed


class Application(Base):
    """A person's application to an opportunity, with their note to the owner (0012). One per person and opportunity."""

    __tablename__ = "opportunity_applications"
    __table_args__ = (UniqueConstraint("opportunity_id", "person_id", name="uq_application_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(EncryptedText)  # the applicant's own words to the owner
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.applied)
    fit: Mapped[float] = mapped_column(Float, default=0.0)  # the match score when they applied (shown on the blind shortlist)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # shortlisted: name shown to the owner
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    placed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    hours_per_week: Mapped[float | None] = mapped_column(Float)  # the hours the manager approved


# --------------------------------------------------------------------------- approvals


class ProposalStatus(str, enum.Enum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"
    overridden = "overridden"
    expired = "expired"
    executed = "executed"
    failed = "failed"


class Proposal(Base):
    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_type: Mapped[str] = mapped_column(String(40), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rationale: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    policy_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.proposed, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), index=True)
    created_by: Mapped[str] = mapped_column(String(60), default="agent")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    executed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}


class Decision(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    decider_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    outcome: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus, "decision_outcome"))
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    changes: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)  # an override's changes, in the decider's words
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PolicySetting(Base):
    __tablename__ = "policy_settings"
    action_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    autonomy: Mapped[str] = mapped_column(String(10))  # auto | approve | off
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgentLease(Base):
    """Who runs a named pass right now, until when (0009): one agent pass at a time across processes."""

    __tablename__ = "agent_leases"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Challenge(Base):
    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(EncryptedText, default="")
    reason: Mapped[str] = mapped_column(EncryptedText, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | upheld | dismissed
    resolution: Mapped[str | None] = mapped_column(EncryptedText)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# --------------------------------------------------------------------------- onboarding


class OnboardingStatus(str, enum.Enum):
    registered = "registered"  # recorded; the start date has not come (or the welcome is not out yet)
    welcomed = "welcomed"  # the welcome message reached the new hire
    plan_confirmed = "plan_confirmed"  # the manager confirmed the 30/60/90-day plan


class Onboarding(Base):
    """One new hire's onboarding (0016): registered once per person, whoever registers them again."""

    __tablename__ = "onboardings"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    status: Mapped[OnboardingStatus] = mapped_column(_enum(OnboardingStatus, "onboarding_status"), default=OnboardingStatus.registered)
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("occupations.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="command")  # command | chat | hris
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    announced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # the manager's cards went out (once)
    welcome_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # claimed once, in the database
    plan_proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    enrolment_proposal_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the mandatory courses' proposals
    path_course_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the role's path, for the welcome


class MandatoryScope(str, enum.Enum):
    everyone = "everyone"
    role = "role"
    team = "team"


class MandatoryCourse(Base):
    """The mandatory-course policy (0016): a course every new hire takes, or those of one role or one team."""

    __tablename__ = "mandatory_courses"
    __table_args__ = (UniqueConstraint("course_id", "scope", "scope_id", name="uq_mandatory_courses"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    scope: Mapped[MandatoryScope] = mapped_column(_enum(MandatoryScope, "mandatory_scope"), default=MandatoryScope.everyone)
    scope_id: Mapped[int] = mapped_column(Integer, default=0)  # the role's or team's id; 0 for everyone
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --------------------------------------------------------------------------- HR, performance and KPI data (0017)


class RoleChange(Base):
    """An effective-dated change of role, team or manager, as the HRIS reported it (one per person and date)."""

    __tablename__ = "role_changes"
    __table_args__ = (UniqueConstraint("person_id", "effective_date", name="uq_role_changes_person_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("occupations.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    job_title: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="hris")  # hris | scim | seed | command
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # None: effective date not reached


class PerformanceRating(Base):
    """One person's rating for one review period ("2025-H1", "2025"), on the scale the HRIS uses."""

    __tablename__ = "performance_ratings"
    __table_args__ = (UniqueConstraint("person_id", "period", name="uq_performance_ratings_person_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    period_end: Mapped[dt.date] = mapped_column(Date, index=True)  # orders periods whatever they are called
    rating: Mapped[float] = mapped_column(Float)
    scale_max: Mapped[float] = mapped_column(Float, default=5.0)
    source: Mapped[str] = mapped_column(String(20), default="hris")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TeamKpi(Base):
    """One team's value of one business KPI for one month (``month`` is the first day of the month)."""

    __tablename__ = "team_kpis"
    __table_args__ = (UniqueConstraint("team_id", "name", "month", name="uq_team_kpis_team_name_month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    month: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="hris")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MaturityAnswer(Base):
    """An answer to one question of the maturity questionnaire (0025): what Ladder cannot see for itself.
    One row per question; answering again replaces the answer (the audit trail keeps every answer)."""

    __tablename__ = "maturity_answers"
    question: Mapped[str] = mapped_column(String(40), primary_key=True)
    answer: Mapped[bool] = mapped_column(Boolean)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DashboardLink(Base):
    """A one-time sign-in link to the web dashboard (0026), sent in chat: only its SHA-256 is stored; valid for
    minutes; ``used_at`` is set by the one sign-in that consumes it."""

    __tablename__ = "dashboard_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class DashboardSession(Base):
    """A signed-in dashboard browser (0026): the cookie carries a random id, the table its SHA-256."""

    __tablename__ = "dashboard_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# --------------------------------------------------------------------------- governance


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted (the repository offers no way to)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),  # one proposal's trail (0003)
                      UniqueConstraint("chain_seq", name="uq_audit_events_chain_seq"))  # one row per place (0010)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_kind: Mapped[str] = mapped_column(String(20), default="person")  # person | agent | system
    action: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)  # carries reasons and challenge texts
    # After an erasure the person's id columns are emptied and these hold their keyed pseudonym (0005).
    # Since 0010 written at insert for everyone (the keyed pseudonym of subject_id / actor_id, storage.audit_keys):
    # the hash chain covers them, and the erasure leaves them as they were.
    subject_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_ref: Mapped[str | None] = mapped_column(String(64))
    # The hash chain (0010, storage.audit_chain): a keyed digest of the detail made before encryption, and what
    # the sealer adds later — the row's place in the chain and SHA-256 over the previous hash and this row.
    detail_digest: Mapped[str | None] = mapped_column(String(64))
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    row_hash: Mapped[str | None] = mapped_column(String(64))
    # The erasure job that scrubbed this row's detail (not in the hash; verification checks the job instead).
    redacted_by_job: Mapped[int | None] = mapped_column(Integer)


# Demographics are HR-only: kept apart from the person, read only through ``storage.demographics`` for the bias
# audit (and a person's own export / erasure), never an input to a recommendation. The type of the demographic
# columns is named once, here: encrypted at rest like personal free text (docs/encryption.md).
DemographicText = EncryptedText
DEMOGRAPHIC_FIELDS = ("sex", "race_ethnicity")


class Demographic(Base):
    """A person's self-reported sex and race/ethnicity (None: unknown, not given)."""

    __tablename__ = "demographics"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    sex: Mapped[str | None] = mapped_column(DemographicText)
    race_ethnicity: Mapped[str | None] = mapped_column(DemographicText)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PrivacyPreference(Base):
    """A person's opt-outs (0008): no row means neither opt-out is set."""

    __tablename__ = "privacy_preferences"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    opt_out_inference: Mapped[bool] = mapped_column(Boolean, default=False)  # no skills inferred from activity
    opt_out_surfacing: Mapped[bool] = mapped_column(Boolean, default=False)  # not shown to others in lists
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --------------------------------------------------------------------------- knowledge


class KnowledgeDocument(Base):
    __tablename__ = "knowledge_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000), unique=True)  # path or URL
    title: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(20), default="everyone")  # everyone | managers | hr
    topic: Mapped[str | None] = mapped_column(String(60))
    contact: Mapped[str | None] = mapped_column(String(320))
    updated_on: Mapped[dt.date | None] = mapped_column(Date)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("answer_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[str] = mapped_column(String(40), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    helpful: Mapped[bool] = mapped_column(Boolean)
    question: Mapped[str] = mapped_column(EncryptedText, default="")
    chunk_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --------------------------------------------------------------------------- transport bookkeeping


class ProcessedEvent(Base):
    """Ids of events and clicks already handled: a retry or duplicate changes nothing twice."""

    __tablename__ = "processed_events"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    holder: Mapped[str | None] = mapped_column(String(40))  # the task that claimed it (0027): its redelivery may go on
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # its work finished (the reply sent)


class RateBucket(Base):
    """One token bucket per sender (0008): shared by every web process, so a limit holds across them."""

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConversationState(Base):
    """Small per-conversation memory (last topic, last role asked about) for follow-up questions."""

    __tablename__ = "conversation_state"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)  # context, questions asked
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now())
    # Whose conversation this is, so that an export finds it and an erasure removes it (0005).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)


# --------------------------------------------------------------------------- privacy


class ErasureJob(Base):
    """One approved erasure, carried out in steps; ``steps`` records each finished step so a rerun resumes (0005).

    Holds no name, email or chat id: only the person's row id (the tombstone keeps it) and their pseudonym.
    """

    __tablename__ = "erasure_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | running | done | failed
    steps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # step name -> {"count": n, "at": iso}
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class KeyRotation(Base):
    """Progress of `python app.py keys rotate`, one row per encrypted column: a rerun continues after last_key."""

    __tablename__ = "key_rotations"
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    column_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_key_id: Mapped[str] = mapped_column(String(16))  # the key this run re-encrypts under
    last_key: Mapped[str | None] = mapped_column(String(300))  # the row primary key done last, as text
    rows_seen: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class MaintenanceRun(Base):
    """The last run of a periodic job (the retention purge): claimed with a conditional update so that two
    processes never both run one period's job (0005)."""

    __tablename__ = "maintenance_runs"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rows_purged: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --------------------------------------------------------------------------- digests


class DigestSchedule(Base):
    """When a kind of digest goes out, as an admin set it (0014); no row: the schedule from settings."""

    __tablename__ = "digest_schedules"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # manager | employee | learning
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday … 6 = Sunday; None: every day
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM" in each recipient's time zone
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DigestSubscription(Base):
    """A person asked for an opt-in digest (the employees' weekly one) (0014): no row means not subscribed."""

    __tablename__ = "digest_subscriptions"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DigestRun(Base):
    """One digest for one person and period (0014), claimed before it is sent: the unique key is what makes a
    digest go out once however many schedulers run. ``status``: sending (claimed, not yet known) | sent | failed
    (retried on a later tick) | interrupted (a sender stopped mid-send: never sent again, in case it did go out)."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("kind", "person_id", "period_key", name="uq_digest_runs_kind_person_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    period_key: Mapped[str] = mapped_column(String(20))  # "2026-W49" (weekly) or "2026-12-02" (daily)
    status: Mapped[str] = mapped_column(String(16), default="sending", index=True)
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what it listed (opportunity ids: "new" next time)


# --------------------------------------------------------------------------- learning records (xAPI, 0020)


class LmsClient(Base):
    """An LMS allowed to send xAPI statements (0020): HTTP Basic with ``key`` and a secret of which only a salted
    scrypt hash is kept. Revoked clients stay (their statements name them) but can no longer authenticate."""

    __tablename__ = "lms_clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class XapiStatement(Base):
    """One xAPI statement as the LRS stored it (0020). ``statement_id`` is unique: a statement is stored once however
    often or concurrently it is sent. ``body`` (the whole statement, with stored and authority) is encrypted: it
    names the learner. ``digest`` is the SHA-256 of its canonical form (same id, other digest: 409); ``actor_hash``
    the SHA-256 of the actor's identifier, what ``agent=`` filters on without keeping an email in clear."""

    __tablename__ = "xapi_statements"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[Any] = mapped_column(EncryptedJSON)
    actor_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    verb_id: Mapped[str] = mapped_column(String(500))
    activity_id: Mapped[str | None] = mapped_column(String(500))
    stored: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    voids: Mapped[str | None] = mapped_column(String(36))  # a voiding statement: the id it voids
    ref_id: Mapped[str | None] = mapped_column(String(36), index=True)  # the object's StatementRef id, if it is one
    registration: Mapped[str | None] = mapped_column(String(36), index=True)  # context.registration
    client_id: Mapped[int | None] = mapped_column(ForeignKey("lms_clients.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    effects: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what it changed, so voiding can undo it


class XapiActivityCourse(Base):
    """Which Ladder course an xAPI activity id is (0020), when the course's url or code is not the activity id."""

    __tablename__ = "xapi_activity_courses"
    activity_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))


# --------------------------------------------------------------------------- course authoring (0019)


class CourseDraft(Base):
    """A course outline drafted from a document (authoring/): a card for L&D to edit, approve or reject. ``status``:
    draft → approved | rejected, changed once (a conditional update); only an approved draft has a ``course_id``."""

    __tablename__ = "course_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every edit and the decision
    source_name: Mapped[str] = mapped_column(String(500), default="")
    source_kind: Mapped[str] = mapped_column(String(20), default="")
    method: Mapped[str] = mapped_column(String(16), default="extractive")  # extractive | llm
    outline: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # authoring.outline.Outline.as_data()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))


class CourseAssessment(Base):
    """One assessment question of a drafted course; its answer is quoted from the source at ``location``."""

    __tablename__ = "course_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("course_drafts.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    prompt: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(300), default="")


# --------------------------------------------------------------------------- skill-gap forecasting


class SkillMonthly(Base):
    """One month of one skill in one team (0018): supply at level, the learning pipeline, demand — the history the
    skill-gap forecast reads. One row per (month, team, skill); recording a month again replaces its numbers."""

    __tablename__ = "skill_monthly"
    __table_args__ = (UniqueConstraint("month", "team_id", "skill_id", name="uq_skill_monthly"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)  # the first day of the month
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    supply: Mapped[float] = mapped_column(Float, default=0.0)  # people holding the skill at the required level
    pipeline: Mapped[float] = mapped_column(Float, default=0.0)  # people learning it (enrolled, in progress)
    demand: Mapped[float] = mapped_column(Float, default=0.0)  # people needed: roles planned, opportunities, requirements


# Every column stored encrypted, as (table, column): read off the column types, so the rotation job, `keys status`
# and docs/encryption.md (checked by a test) follow the models. A new table's EncryptedText column joins by itself.
ENCRYPTED_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (table.name, column.name)
    for table in Base.metadata.sorted_tables
    for column in table.columns
    if isinstance(column.type, ENCRYPTED_TYPES)
)

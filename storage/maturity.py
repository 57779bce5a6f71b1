"""Repository: what the maturity assessment can see for itself (counts across the data), and the questionnaire's answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from storage.models import (
    Application,
    Course,
    CourseSkill,
    DigestRun,
    EvidenceStatus,
    EvidenceType,
    KnowledgeDocument,
    MaturityAnswer,
    Opportunity,
    PerformanceRating,
    Person,
    PolicySetting,
    Proposal,
    RoleChange,
    RoleSkill,
    SkillEvidence,
    TagStatus,
    TeamKpi,
)
from storage.repository import Repository

VERIFIED = (EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome, EvidenceType.peer_review)


@dataclass(frozen=True, slots=True)
class Observed:
    """Counts the assessment reads, all as of ``now`` (windows are counted back from it)."""

    active_people: int
    roles_with_requirements: int
    courses: int
    courses_tagged: int
    handbook_documents: int
    people_with_target: int
    agent_proposals_90d: int
    decided_proposals_90d: int
    auto_policies: int
    digests_sent_30d: int
    people_with_verified_evidence: int
    opportunities_open: int
    opportunities_posted_90d: int
    applications_90d: int
    people_with_hire_date: int
    leavers_recorded: int
    role_changes: int
    people_rated_last_year: int
    team_kpi_months_last_quarter: int


class Maturity(Repository):
    def observed(self, now: dt.datetime) -> Observed:
        s = self._session
        day90, day30 = now - dt.timedelta(days=90), now - dt.timedelta(days=30)
        today = now.date()

        def count(stmt) -> int:
            return int(s.scalar(stmt) or 0)

        active = Person.active.is_(True)
        return Observed(
            active_people=count(select(func.count()).select_from(Person).where(active)),
            roles_with_requirements=count(select(func.count(distinct(RoleSkill.occupation_id)))),
            courses=count(select(func.count()).select_from(Course)),
            courses_tagged=count(select(func.count(distinct(CourseSkill.course_id))).where(CourseSkill.status == TagStatus.accepted)),
            handbook_documents=count(select(func.count()).select_from(KnowledgeDocument)),
            people_with_target=count(select(func.count()).select_from(Person).where(active, Person.target_role_id.is_not(None))),
            agent_proposals_90d=count(select(func.count()).select_from(Proposal)
                                      .where(Proposal.created_by == "agent", Proposal.created_at >= day90)),
            decided_proposals_90d=count(select(func.count()).select_from(Proposal)
                                        .where(Proposal.created_at >= day90, Proposal.status.not_in(("proposed", "expired")))),
            auto_policies=count(select(func.count()).select_from(PolicySetting).where(PolicySetting.autonomy == "auto")),
            digests_sent_30d=count(select(func.count()).select_from(DigestRun).where(DigestRun.status == "sent",
                                                                                    DigestRun.sent_at >= day30)),
            people_with_verified_evidence=count(
                select(func.count(distinct(SkillEvidence.person_id))).join(Person, Person.id == SkillEvidence.person_id)
                .where(active, SkillEvidence.evidence_type.in_(VERIFIED), SkillEvidence.status == EvidenceStatus.active)),
            opportunities_open=count(select(func.count()).select_from(Opportunity).where(Opportunity.status == "open")),
            opportunities_posted_90d=count(select(func.count()).select_from(Opportunity).where(Opportunity.posted_at >= day90)),
            applications_90d=count(select(func.count()).select_from(Application).where(Application.created_at >= day90)),
            people_with_hire_date=count(select(func.count()).select_from(Person).where(active, Person.hire_date.is_not(None))),
            leavers_recorded=count(select(func.count()).select_from(Person).where(Person.leave_date.is_not(None))),
            role_changes=count(select(func.count()).select_from(RoleChange)),
            people_rated_last_year=count(
                select(func.count(distinct(PerformanceRating.person_id))).join(Person, Person.id == PerformanceRating.person_id)
                .where(active, PerformanceRating.period_end >= today - dt.timedelta(days=366))),
            team_kpi_months_last_quarter=count(select(func.count(distinct(TeamKpi.month)))
                                               .where(TeamKpi.month >= today.replace(day=1) - dt.timedelta(days=92))),
        )

    # ------------------------------------------------------------------ the questionnaire

    def answers(self) -> dict[str, bool]:
        return {q: a for q, a in self._session.execute(select(MaturityAnswer.question, MaturityAnswer.answer))}

    def answer(self, question: str, answer: bool, by: int | None, at: dt.datetime) -> bool:
        """Record an answer; False when it was already the answer (nothing changes)."""
        row = self._session.get(MaturityAnswer, question)
        if row is not None and row.answer == answer:
            return False
        if row is None:
            self._session.add(MaturityAnswer(question=question, answer=answer, answered_by=by, answered_at=at))
        else:
            row.answer, row.answered_by, row.answered_at = answer, by, at
        self._session.flush()
        return True

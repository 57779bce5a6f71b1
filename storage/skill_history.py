"""Repository: the monthly skill history (``skill_monthly``) the skill-gap forecast reads, per team or for the
whole organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import exists, func, select

from storage.models import (Application, ApplicationStatus, CourseSkill, Enrolment, EnrolmentStatus, EvidenceStatus,
                            Opportunity, OpportunitySkill, Person, RequirementKind, RoleSkill, Skill, SkillEvidence,
                            SkillMonthly, TagStatus, Team)
from storage.preferences import surfaced_people_filter
from storage.repository import Repository


class SkillHistory(Repository):
    def record(self, month: dt.date, team_id: int, skill_id: int, *, supply: float, pipeline: float,
               demand: float) -> None:
        """This month's numbers for one team and skill; recording the month again replaces them."""
        row = self._session.scalar(select(SkillMonthly).where(
            SkillMonthly.month == month, SkillMonthly.team_id == team_id, SkillMonthly.skill_id == skill_id))
        if row is None:
            row = SkillMonthly(month=month, team_id=team_id, skill_id=skill_id)
            self._session.add(row)
        row.supply, row.pipeline, row.demand = supply, pipeline, demand
        self._session.flush()

    def add_months(self, rows: list[tuple[dt.date, int, int, float, float, float]]) -> None:
        """Many new months at once (month, team id, skill id, supply, pipeline, demand) — the demo seed, after a
        wipe; ``record`` is the one for a month that may already be there."""
        self._session.add_all(SkillMonthly(month=m, team_id=t, skill_id=s, supply=su, pipeline=p, demand=d)
                              for m, t, s, su, p, d in rows)
        self._session.flush()

    def series(self, team_id: int | None = None) -> dict[str, tuple[list[float], list[float]]]:
        """Skill label → (demand by month, supply + pipeline by month), oldest first; summed over teams when
        ``team_id`` is None (the organisation)."""
        q = (select(Skill.label, SkillMonthly.month, func.sum(SkillMonthly.demand),
                    func.sum(SkillMonthly.supply + SkillMonthly.pipeline))
             .join(Skill, Skill.id == SkillMonthly.skill_id)
             .group_by(Skill.label, SkillMonthly.month).order_by(Skill.label, SkillMonthly.month))
        if team_id is not None:
            q = q.where(SkillMonthly.team_id == team_id)
        out: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
        for label, _month, demand, supply in self._session.execute(q):
            out[label][0].append(float(demand))
            out[label][1].append(float(supply))
        return dict(out)

    def team_by_name(self, name: str) -> Team | None:
        return self._session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))

    def team_led_by(self, person_id: int) -> Team | None:
        return self._session.scalar(select(Team).where(Team.lead_id == person_id))

    def teams(self) -> list[Team]:
        return list(self._session.scalars(select(Team).order_by(Team.name)))

    def team(self, team_id: int) -> Team | None:
        return self._session.get(Team, team_id)

    def skill_id(self, label: str) -> int | None:
        """The id of the skill the history names by this label."""
        return self._session.scalar(select(Skill.id).where(Skill.label == label).order_by(Skill.id).limit(1))

    def cohort_candidates(self, team_id: int | None, skill_id: int, course_id: int, *, below_level: int,
                          limit: int) -> list[int]:
        """Active people of the team (everyone when ``team_id`` is None) with no active evidence of the skill at
        ``below_level`` or above, not enrolled in the course and not opted out of being shown to others — by id, at
        most ``limit``. A cohort proposal lists them to its approver."""
        holds = select(SkillEvidence.person_id).where(SkillEvidence.skill_id == skill_id, SkillEvidence.level >= below_level,
                                                       SkillEvidence.status == EvidenceStatus.active)
        enrolled = select(Enrolment.person_id).where(Enrolment.course_id == course_id)
        q = (select(Person.id).where(Person.active.is_(True), Person.id.not_in(holds), Person.id.not_in(enrolled),
                                     surfaced_people_filter(Person.id))
             .order_by(Person.id).limit(limit))
        if team_id is not None:
            q = q.where(Person.team_id == team_id)
        return list(self._session.scalars(q))

    def tracked_skill_ids(self) -> list[int]:
        """The skills the history already follows, and the skills open opportunities require."""
        tracked = set(self._session.scalars(select(SkillMonthly.skill_id).distinct()))
        tracked |= set(self._session.scalars(select(OpportunitySkill.skill_id).join(
            Opportunity, Opportunity.id == OpportunitySkill.opportunity_id)
            .where(Opportunity.status == "open", OpportunitySkill.required.is_(True)).distinct()))
        return sorted(tracked)

    def current_counts(self, skill_ids: list[int], *, at_level: int) -> dict[tuple[int, int], tuple[float, float, float]]:
        """(team id, skill id) -> (supply, pipeline, demand) today, counting active people of each team:

        * supply: people with active evidence of the skill at ``at_level`` or above;
        * pipeline: people not in supply enrolled in (or taking) a course with an accepted tag for the skill;
        * demand: people whose current role needs the skill (an essential requirement), plus the places still open on
          open opportunities requiring it that someone in the team owns.
        """
        if not skill_ids:
            return {}
        out: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        active = (Person.active.is_(True), Person.team_id.is_not(None))
        holders = (select(Person.team_id, SkillEvidence.skill_id, func.count(func.distinct(Person.id)))
                   .join(SkillEvidence, SkillEvidence.person_id == Person.id)
                   .where(*active, SkillEvidence.skill_id.in_(skill_ids), SkillEvidence.level >= at_level,
                          SkillEvidence.status == EvidenceStatus.active)
                   .group_by(Person.team_id, SkillEvidence.skill_id))
        for team_id, skill_id, n in self._session.execute(holders):
            out[(team_id, skill_id)][0] = float(n)
        held = exists().where(SkillEvidence.person_id == Person.id, SkillEvidence.skill_id == CourseSkill.skill_id,
                              SkillEvidence.level >= at_level, SkillEvidence.status == EvidenceStatus.active)
        learning = (select(Person.team_id, CourseSkill.skill_id, func.count(func.distinct(Person.id)))
                    .join(Enrolment, Enrolment.person_id == Person.id)
                    .join(CourseSkill, CourseSkill.course_id == Enrolment.course_id)
                    .where(*active, CourseSkill.skill_id.in_(skill_ids), CourseSkill.status == TagStatus.accepted,
                           Enrolment.status.in_([EnrolmentStatus.enrolled, EnrolmentStatus.in_progress]),
                           ~held)
                    .group_by(Person.team_id, CourseSkill.skill_id))
        for team_id, skill_id, n in self._session.execute(learning):
            out[(team_id, skill_id)][1] = float(n)
        roles = (select(Person.team_id, RoleSkill.skill_id, func.count(Person.id))
                 .join(RoleSkill, RoleSkill.occupation_id == Person.role_id)
                 .where(*active, RoleSkill.skill_id.in_(skill_ids), RoleSkill.kind == RequirementKind.essential)
                 .group_by(Person.team_id, RoleSkill.skill_id))
        for team_id, skill_id, n in self._session.execute(roles):
            out[(team_id, skill_id)][2] += float(n)
        placed = (select(Application.opportunity_id, func.count(Application.id).label("placed"))
                  .where(Application.status == ApplicationStatus.placed).group_by(Application.opportunity_id).subquery())
        places = (select(Person.team_id, OpportunitySkill.skill_id,
                         func.sum(func.coalesce(Opportunity.capacity, 1) - func.coalesce(placed.c.placed, 0)))
                  .join(Opportunity, Opportunity.owner_id == Person.id)
                  .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
                  .outerjoin(placed, placed.c.opportunity_id == Opportunity.id)
                  .where(*active, Opportunity.status == "open", OpportunitySkill.required.is_(True),
                         OpportunitySkill.skill_id.in_(skill_ids))
                  .group_by(Person.team_id, OpportunitySkill.skill_id))
        for team_id, skill_id, n in self._session.execute(places):
            out[(team_id, skill_id)][2] += max(0.0, float(n or 0))
        return {key: (v[0], v[1], v[2]) for key, v in out.items()}

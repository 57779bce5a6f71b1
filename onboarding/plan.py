"""A new hire's role-specific path and their 30/60/90-day plan, built from the path answer (``skills_engine.paths``).

The path is the role's essential skills the new hire can't show yet, with the courses that close them (the path
answer's learning plan). The plan takes from it: days 1–30 the mandatory courses and meeting the team; days 31–60
the first path courses (those not already mandatory) and a stretch task (an open opportunity that exercises a gap
skill, else a task the manager names) with a buddy from the team; days 61–90 the first validation check-in on the
top gap skills. Check-ins fall at the end of each phase, moved off weekends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from approvals.actions import OnboardingPlan
from skills_engine.graph import RoleGraph
from skills_engine.paths import path_to
from storage import UnitOfWork
from storage.models import Course, Person

PATH_COURSES = 2  # courses in days 31–60: a first step, not the whole path
VALIDATION_SKILLS = 3
PHASE_ENDS = (30, 60, 90)


@dataclass(frozen=True)
class RolePath:
    course_ids: list[int]
    course_codes: list[str]
    gap_skill_ids: list[int]
    gap_skills: list[str]
    stretch_task: str | None
    essential_total: int


def role_path(uow: UnitOfWork, graph: RoleGraph, person: Person, now: dt.datetime, skip_course_ids: set[int]) -> RolePath:
    """The role's essentials this person can't show yet and the courses for them (none without a role)."""
    role = uow.onboarding.occupation(person.role_id)
    if role is None:
        return RolePath([], [], [], [], None, 0)
    answer = path_to(uow.skills, graph, person, role, now)
    courses = [c for c, _ in answer.learning.courses if c.course_id not in skip_course_ids]
    project = answer.focus.project or (answer.learning.projects[0][0] if answer.learning.projects else None)
    stretch = f"“{project.title}” (an open {project.kind})" if project else None
    ranked = [p.item for p in answer.focus.ranked] or answer.report.missing  # the path answer's own order: what matters most
    return RolePath([c.course_id for c in courses], [c.code for c in courses], [g.skill_id for g in ranked],
                    [g.label for g in ranked], stretch, len(answer.requirements))


def workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def build(uow: UnitOfWork, person: Person, start: dt.date, mandatory: list[Course], path: RolePath) -> OnboardingPlan:
    team = uow.onboarding.teammates(person.id, person.team_id, person.manager_id)
    buddy = team[0] if team else None
    return OnboardingPlan(
        start_date=start, role_id=person.role_id, role_label=person.role.label if person.role else (person.job_title or ""),
        manager_id=person.manager_id, mandatory_course_codes=[c.code for c in mandatory],
        meet_the_team=[name for _, name in team],
        path_course_ids=path.course_ids[:PATH_COURSES], path_course_codes=path.course_codes[:PATH_COURSES],
        stretch_task=path.stretch_task or "a first task on real work, chosen with the manager",
        buddy_id=buddy[0] if buddy else None, buddy_name=buddy[1] if buddy else None,
        validation_skill_ids=path.gap_skill_ids[:VALIDATION_SKILLS], validation_skills=path.gap_skills[:VALIDATION_SKILLS],
        checkins=[workday(start + dt.timedelta(days=d - 1)) for d in PHASE_ENDS],
    )

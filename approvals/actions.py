"""The typed actions the agent may propose, with the payload each one carries.

Payloads are pydantic models so a proposal read back from the database (JSON) is validated before
anything acts on it, and an override can only produce a payload that is still well formed.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from pydantic import BaseModel, Field


class ActionType(str, enum.Enum):
    enrol_course = "enrol_course"
    schedule_checkin = "schedule_checkin"
    readiness_nudge = "readiness_nudge"
    adjust_path = "adjust_path"
    stretch_assignment = "stretch_assignment"
    manager_reminder = "manager_reminder"
    erase_person = "erase_person"  # GDPR Art. 17 / CCPA: always decided by HR, never automatic
    staff_opportunity = "staff_opportunity"  # the marketplace: a manager approves the hours before a person takes a place
    onboarding_plan = "onboarding_plan"  # a new hire's first 30/60/90 days: their manager confirms it
    course_cohort = "course_cohort"  # a forecast skill gap: a group of people enrolled in one course, decided by HR or L&D


LABELS: dict[ActionType, str] = {
    ActionType.enrol_course: "course enrolment",
    ActionType.schedule_checkin: "learning check-in",
    ActionType.readiness_nudge: "readiness nudge",
    ActionType.adjust_path: "learning-path adjustment",
    ActionType.stretch_assignment: "stretch assignment",
    ActionType.manager_reminder: "reminder to a manager",
    ActionType.erase_person: "data erasure",
    ActionType.staff_opportunity: "marketplace placement",
    ActionType.onboarding_plan: "30/60/90-day onboarding plan",
    ActionType.course_cohort: "course cohort",
}


class EnrolCourse(BaseModel):
    course_id: int
    course_code: str
    course_title: str
    role_id: int | None = None  # the role the course works towards
    skill_ids: list[int] = Field(default_factory=list)  # the gap skills it covers


class ScheduleCheckin(BaseModel):
    enrolment_id: int
    course_id: int
    course_title: str
    date: dt.date
    days_without_progress: int = 0


class ReadinessNudge(BaseModel):
    opportunity_id: int
    opportunity_title: str
    manager_id: int | None = None
    skill_ids: list[int] = Field(default_factory=list)
    note: str | None = None


class AdjustPath(BaseModel):
    role_id: int
    role_label: str
    previous_role_id: int | None = None
    course_ids: list[int] = Field(default_factory=list)
    course_codes: list[str] = Field(default_factory=list)
    drop_enrolment_ids: list[int] = Field(default_factory=list)  # unfinished courses that no longer serve the target
    drop_course_codes: list[str] = Field(default_factory=list)
    reason: str = "role_change"  # role_change (the directory) | target_change (the person's target role)


class StretchAssignment(BaseModel):
    opportunity_id: int
    opportunity_title: str
    skill_ids: list[int] = Field(default_factory=list)


class ManagerReminder(BaseModel):
    """Decisions and validation requests that have waited too long for one manager (the proposal's subject)."""

    proposal_ids: list[int] = Field(default_factory=list)
    validation_ids: list[int] = Field(default_factory=list)
    oldest_days: int = 0


class ErasePerson(BaseModel):
    """Holds no name, email or free text: the request outlives the person it is about."""

    requested_by: int | None = None
    self_service: bool = True


class StaffOpportunity(BaseModel):
    """The owner offered a place to an applicant; their manager approves the hours (an override changes them)."""

    opportunity_id: int
    opportunity_title: str
    application_id: int
    hours_per_week: float | None = None
    duration_weeks: int | None = None
    owner_id: int | None = None


class OnboardingPlan(BaseModel):
    """A new hire's first 90 days, counted from ``start_date``: days 1–30 the mandatory courses and meeting the team,
    31–60 the first courses of their role's path and a stretch task with a buddy, 61–90 the first validation
    check-in. ``checkins`` are the dates of the three check-ins (the ends of the phases) confirmation schedules."""

    start_date: dt.date
    role_id: int | None = None
    role_label: str = ""
    manager_id: int | None = None
    mandatory_course_codes: list[str] = Field(default_factory=list)
    meet_the_team: list[str] = Field(default_factory=list)
    path_course_ids: list[int] = Field(default_factory=list)
    path_course_codes: list[str] = Field(default_factory=list)
    stretch_task: str | None = None
    buddy_id: int | str | None = None  # a pseudonym once the buddy's data is erased
    buddy_name: str | None = None
    validation_skill_ids: list[int] = Field(default_factory=list)
    validation_skills: list[str] = Field(default_factory=list)
    checkins: list[dt.date] = Field(default_factory=list)


class CourseCohort(BaseModel):
    """A forecast gap answered with a course: the listed people (who lack the skill at working level) are enrolled in
    ``course`` together. ``team`` is None for the whole organisation; ``quarter`` is the quarter ahead where the gap
    is largest; ``size`` the number of people listed. The proposal's subject is the person who proposed it."""

    skill_id: int
    skill: str
    course_id: int
    course_code: str
    course: str  # the course's title
    team_id: int | None = None
    team: str | None = None
    size: int = Field(ge=1)
    quarter: int = Field(ge=1, le=4)
    person_ids: list[int] = Field(default_factory=list)
    requested_by: int | None = None


PAYLOADS: dict[ActionType, type[BaseModel]] = {
    ActionType.enrol_course: EnrolCourse,
    ActionType.schedule_checkin: ScheduleCheckin,
    ActionType.readiness_nudge: ReadinessNudge,
    ActionType.adjust_path: AdjustPath,
    ActionType.stretch_assignment: StretchAssignment,
    ActionType.manager_reminder: ManagerReminder,
    ActionType.erase_person: ErasePerson,
    ActionType.staff_opportunity: StaffOpportunity,
    ActionType.onboarding_plan: OnboardingPlan,
    ActionType.course_cohort: CourseCohort,
}


def parse_type(value: str) -> ActionType | None:
    text = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return ActionType(text)
    except ValueError:
        return None


def load_payload(action_type: str, payload: dict[str, Any]) -> BaseModel:
    return PAYLOADS[ActionType(action_type)].model_validate(payload)


def dump_payload(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def summary(action_type: str, payload: dict[str, Any], subject_name: str) -> str:
    """One line saying what would happen, for cards, lists and the audit trail."""
    p = payload
    kind = ActionType(action_type)
    if kind == ActionType.enrol_course:
        return f"Enrol {subject_name} in {p.get('course_code')} “{p.get('course_title')}”"
    if kind == ActionType.schedule_checkin:
        return f"Schedule a check-in with {subject_name} on {p.get('date')} about “{p.get('course_title')}”"
    if kind == ActionType.readiness_nudge:
        return f"Tell {subject_name}'s manager they look ready for “{p.get('opportunity_title')}”"
    if kind == ActionType.adjust_path:
        parts = []
        if p.get("course_codes"):
            parts.append("add " + ", ".join(p["course_codes"]))
        if p.get("drop_course_codes"):
            parts.append("drop " + ", ".join(p["drop_course_codes"]))
        return f"Adjust {subject_name}'s learning path for {p.get('role_label')}: {'; '.join(parts) or 'no courses'}"
    if kind == ActionType.manager_reminder:
        waiting = []
        if p.get("proposal_ids"):
            waiting.append(f"{len(p['proposal_ids'])} decision(s)")
        if p.get("validation_ids"):
            waiting.append(f"{len(p['validation_ids'])} validation request(s)")
        return (f"Remind {subject_name} of {' and '.join(waiting) or 'nothing'} waiting for them "
                f"(the oldest for {p.get('oldest_days', 0)} days)")
    if kind == ActionType.onboarding_plan:
        return f"A 30/60/90-day onboarding plan for {subject_name} as {p.get('role_label') or 'a new hire'}, starting {p.get('start_date')}"
    if kind == ActionType.course_cohort:
        return (f"Enrol a cohort of {p.get('size')} from {p.get('team') or 'the organisation'} in {p.get('course_code')} "
                f"“{p.get('course')}” for {p.get('skill')} (expected to be short in quarter {p.get('quarter')} ahead)")
    if kind == ActionType.erase_person:
        return (f"Erase everything Ladder holds about {subject_name} (requested by "
                f"{'them' if p.get('self_service') else 'HR'}); audit entries are kept under a pseudonym")
    if kind == ActionType.staff_opportunity:
        hours = f"{p['hours_per_week']:g} hours a week" if p.get("hours_per_week") else "hours not stated"
        weeks = f" for {p['duration_weeks']} weeks" if p.get("duration_weeks") else ""
        return f"Let {subject_name} take a place on “{p.get('opportunity_title')}”: {hours}{weeks}"
    return f"Recommend {subject_name} for the stretch assignment “{p.get('opportunity_title')}”"


def plan_lines(payload: dict[str, Any]) -> list[str]:
    """The three phases of an onboarding plan and its check-ins, one line each (cards, the welcome, replies)."""
    p = payload
    first = ", ".join(p.get("mandatory_course_codes") or []) or "no mandatory courses"
    team = ", ".join((p.get("meet_the_team") or [])[:4])
    second = ", ".join(p.get("path_course_codes") or []) or "no path courses yet"
    stretch = p.get("stretch_task") or "a first small task on real work"
    buddy = f" with {p['buddy_name']} as buddy" if p.get("buddy_name") else ""
    skills = ", ".join((p.get("validation_skills") or [])[:3]) or "the role's first essential skills"
    dates = [str(d) for d in p.get("checkins") or []]
    lines = [
        f"Days 1–30: mandatory courses ({first}); meet the team" + (f" ({team})" if team else ""),
        f"Days 31–60: first path courses ({second}); stretch task: {stretch}{buddy}",
        f"Days 61–90: first validation check-in with the manager ({skills})",
    ]
    if dates:
        lines.append("Check-ins: " + ", ".join(dates))
    return lines

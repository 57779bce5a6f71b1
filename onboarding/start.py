"""Registering a new hire: the onboarding record, the mandatory enrolments (as the autonomy policy allows) and the
manager's 30/60/90-day plan card — once per person.

``start_onboarding(uow, person_id, …)`` is the one function anything that brings people in calls (the `/ladder hire`
command, a sentence in chat, and the HRIS import to come): it works inside the caller's transaction, and what must
wait for the commit (carrying out automatic enrolments, sending the manager their cards, the welcome on the start
date) is done by the onboarding pass (``onboarding.run``), which the caller may run at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from approvals import policy
from approvals.actions import ActionType
from approvals.approvers import default_approver_id
from approvals.proposing import NewProposal, write
from onboarding.mandatory import courses_for
from onboarding.plan import build, role_path
from skills_engine.graph import RoleGraph
from storage import UnitOfWork
from storage.models import AccessRole, Course, Onboarding, Person


class OnboardingError(ValueError):
    """The new hire can't be onboarded as asked; the message is for the person who asked."""


@dataclass(frozen=True)
class MandatoryEnrolment:
    course_code: str
    course_title: str
    how: Literal["auto", "approve", "off", "enrolled"]  # enrolled: they already were
    proposal_id: int | None = None


@dataclass(frozen=True)
class Started:
    status: Literal["started", "already"]
    person_id: int
    start_date: dt.date
    mandatory: list[MandatoryEnrolment] = field(default_factory=list)
    plan_proposal_id: int | None = None
    path_course_codes: list[str] = field(default_factory=list)
    registered_at: dt.datetime | None = None


@dataclass(frozen=True)
class NewHire:
    """What a registration says about a person not yet in the directory."""

    email: str
    name: str
    role_id: int
    manager_id: int | None = None
    team_id: int | None = None


def register_hire(uow: UnitOfWork, hire: NewHire, *, now: dt.datetime, graph: RoleGraph, start_date: dt.date | None = None,
                  actor_id: int | None = None, source: str = "command", expiry_days: int = 7) -> Started:
    """Adds the new hire to the directory, then ``start_onboarding``. The same person again (their email already
    being onboarded) changes nothing; an email of someone already employed is refused."""
    existing = uow.people.by_email(hire.email)
    if existing is not None:
        record = uow.onboarding.of(existing.id)
        if record is None:
            raise OnboardingError(f"{existing.name} ({existing.email}) is already an employee, not a new hire — "
                                  "nothing was changed. To move someone to a new role, change their role in the directory.")
        return _already(record)
    team = uow.onboarding.team(hire.team_id)
    if hire.team_id is not None and team is None:
        raise OnboardingError("That team doesn't exist.")
    manager = uow.people.get(hire.manager_id) if hire.manager_id else None
    if hire.manager_id and (manager is None or not manager.active):
        raise OnboardingError("That manager isn't an active person in the directory.")
    role = uow.onboarding.occupation(hire.role_id)
    if role is None:
        raise OnboardingError("That role isn't in the taxonomy.")
    person = Person(name=hire.name.strip(), email=hire.email.strip().lower(), manager_id=hire.manager_id,
                    team_id=hire.team_id if hire.team_id is not None else (manager.team_id if manager else None),
                    role_id=role.id, job_title=role.label, hire_date=start_date or now.date(), access_role=AccessRole.employee,
                    active=True)
    uow.add(person)
    uow.flush()
    uow.audit.record(action="person.hired", actor_id=actor_id, subject_id=person.id, object_type="person",
                     object_id=str(person.id), at=now, detail={"role_id": role.id, "manager_id": hire.manager_id,
                                                               "team_id": person.team_id, "source": source})
    return start_onboarding(uow, person.id, now=now, graph=graph, start_date=start_date, actor_id=actor_id, source=source,
                            expiry_days=expiry_days)


def start_onboarding(uow: UnitOfWork, person_id: int, *, now: dt.datetime, graph: RoleGraph, start_date: dt.date | None = None,
                     actor_id: int | None = None, source: str = "hris", expiry_days: int = 7) -> Started:
    """Onboard a person already in the directory (the HRIS import's entry point). Idempotent: a person already being
    onboarded gets ``status="already"`` and nothing changes. Raises OnboardingError for nobody or an inactive record."""
    person = uow.people.get(person_id)
    if person is None or not person.active:
        raise OnboardingError("There's no active person with that id in the directory.")
    record = uow.onboarding.of(person.id)
    if record is not None:
        return _already(record)
    start = start_date or now.date()
    levels = policy.current(uow)
    approver = default_approver_id(uow, person)
    courses = courses_for(uow, person.role_id, person.team_id)
    enrolment_news, outcomes = _mandatory_enrolments(uow, person, courses, approver, levels)
    path = role_path(uow, graph, person, now, skip_course_ids={c.id for c in courses})
    plan_news = []
    if levels[ActionType.onboarding_plan] != policy.Autonomy.off:
        plan = build(uow, person, start, courses, path)
        evidence = [{"kind": "new_hire", "text": f"Starts on {start} as {plan.role_label or 'a new hire'}"},
                    {"kind": "gap", "text": f"{len(path.gap_skill_ids)} of the role's {path.essential_total} skills aren't shown yet "
                                            "(nothing is verified for a new hire)"}]
        if courses:
            evidence.append({"kind": "policy", "text": "Mandatory by policy: " + ", ".join(c.code for c in courses)})
        plan_news.append(NewProposal(
            ActionType.onboarding_plan, person.id, approver, plan.model_dump(mode="json"),
            f"{person.name} joins on {start}: a plan for their first 90 days — the mandatory courses and the team first, "
            f"then the first courses of the {plan.role_label or 'role'} path with a stretch task, then a validation check-in.",
            evidence, f"onboarding:plan:{person.id}"))
    ids = write(uow, enrolment_news + plan_news, levels, now=now, expiry_days=expiry_days, created_by="onboarding")
    enrolment_ids, plan_id = ids[:len(enrolment_news)], (ids[len(enrolment_news)] if plan_news else None)
    by_course = dict(zip((n.payload["course_id"] for n in enrolment_news), enrolment_ids))
    outcomes = [MandatoryEnrolment(o.course_code, o.course_title, o.how, by_course.get(cid)) for cid, o in outcomes]
    record = uow.onboarding.add(Onboarding(
        person_id=person.id, start_date=start, role_id=person.role_id, source=source, registered_by=actor_id, registered_at=now,
        plan_proposal_id=plan_id, enrolment_proposal_ids=enrolment_ids, path_course_ids=path.course_ids))
    uow.audit.record(action="onboarding.registered", actor_id=actor_id, actor_kind="person" if actor_id else "system",
                     subject_id=person.id, object_type="onboarding", object_id=str(record.id), at=now,
                     detail={"start_date": start.isoformat(), "source": source, "mandatory": [c.code for c in courses],
                             "plan_proposal_id": plan_id, "enrolment_proposal_ids": enrolment_ids})
    return Started("started", person.id, start, outcomes, plan_id, path.course_codes, now)


def _mandatory_enrolments(uow: UnitOfWork, person: Person, courses: list[Course], approver: int | None,
                          levels: dict[ActionType, policy.Autonomy]) -> tuple[list[NewProposal], list[tuple[int, MandatoryEnrolment]]]:
    level = levels[ActionType.enrol_course]
    news, outcomes = [], []
    for course in courses:
        _, enrolled = uow.proposals.enrolment_in(person.id, course.id)
        if enrolled is not None:
            outcomes.append((course.id, MandatoryEnrolment(course.code, course.title, "enrolled")))
            continue
        outcomes.append((course.id, MandatoryEnrolment(course.code, course.title, level.value)))  # type: ignore[arg-type]
        if level == policy.Autonomy.off:
            continue
        news.append(NewProposal(
            ActionType.enrol_course, person.id, approver,
            {"course_id": course.id, "course_code": course.code, "course_title": course.title, "role_id": person.role_id},
            f"{course.code} is mandatory for new hires like {person.name} (the onboarding policy).",
            [{"kind": "policy", "text": f"{course.code} “{course.title}” is a mandatory course for new hires"}],
            f"onboarding:enrol:{person.id}:{course.id}"))
    return news, outcomes


def _already(record: Onboarding) -> Started:
    return Started("already", record.person_id, record.start_date, [], record.plan_proposal_id, [], record.registered_at)

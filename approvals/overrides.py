"""Overrides: what a decider may change in a proposal, and the payload the change produces."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from approvals import actions
from approvals.actions import ActionType
from storage import UnitOfWork
from storage.models import Course, Opportunity, Proposal

HINTS = {
    "enrol_course": "Say which course instead, e.g. `override {id} with DS101 because …`.",
    "schedule_checkin": "Say which date instead, e.g. `override {id} with 2026-12-04 because …`.",
    "erase_person": "An erasure request can only be approved or rejected.",
    "adjust_path": "Say which course codes instead, e.g. `override {id} with DS101,DS120 because …`.",
    "readiness_nudge": "Say which opportunity instead (its id or title), e.g. `override {id} with 3 because …`.",
    "stretch_assignment": "Say which opportunity instead (its id or title), e.g. `override {id} with 3 because …`.",
    "manager_reminder": "A reminder has nothing to change — approve it or reject it.",
    "course_cohort": "Say which course instead, e.g. `override {id} with DS101 because …`.",
    "staff_opportunity": "Say how many hours a week instead, e.g. `override {id} with 2 because …`.",
    "onboarding_plan": ("Say what to change, e.g. `override {id} with buddy: alex@example.com; stretch: build the weekly "
                        "report; checkins: 2027-01-08, 2027-02-05, 2027-03-05; courses: DS101, DS120 because …`."),
}
MAX_HOURS_PER_WEEK = 40.0
MAX_CHOICES = 50


def override_hint(action_type: str) -> str:
    return HINTS.get(action_type, "Say what to change and why.")


def override_choices(uow: UnitOfWork, action_type: str) -> list[tuple[str, str]]:
    """(label, value) pairs an override of this type can switch to; empty when the change is free text (a date)."""
    kind = ActionType(action_type)
    if kind in (ActionType.enrol_course, ActionType.adjust_path, ActionType.course_cohort):
        return [(f"{code} {title}", code) for code, title in uow.proposals.course_choices(MAX_CHOICES)]
    if kind in (ActionType.readiness_nudge, ActionType.stretch_assignment):
        return [(title, str(oid)) for oid, title in uow.proposals.open_opportunity_choices(MAX_CHOICES)]
    return []


def override_payload(uow: UnitOfWork, p: Proposal, change: str, today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The payload an override produces, validated, and what changed; raises ValueError with a message for the decider."""
    change = change.strip()
    if not change:
        raise ValueError(override_hint(p.action_type))
    kind = ActionType(p.action_type)
    payload = dict(p.payload)
    if kind == ActionType.manager_reminder:
        raise ValueError(override_hint(p.action_type))
    if kind == ActionType.erase_person:
        raise ValueError("An erasure request can be approved or rejected, not changed.")
    if kind == ActionType.onboarding_plan:
        payload, changes = _adjust_plan(uow, payload, change, today)
    if kind in (ActionType.enrol_course, ActionType.course_cohort):
        course = _course(uow, change)
        if course.id == payload.get("course_id"):
            raise ValueError(f"{course.code} is what was proposed already — approve it instead, or pick another course.")
        payload.update(course_id=course.id, course_code=course.code,
                       **{"course" if kind == ActionType.course_cohort else "course_title": course.title})
        changes = {"course": {"from": p.payload.get("course_code"), "to": course.code}}
    elif kind == ActionType.schedule_checkin:
        try:
            date = dt.date.fromisoformat(change)
        except ValueError:
            raise ValueError(f"“{change}” isn't a date — use YYYY-MM-DD, e.g. {today + dt.timedelta(days=3)}.") from None
        if date < today:
            raise ValueError(f"{date} is in the past — pick today or a later date.")
        payload["date"] = date.isoformat()
        changes = {"date": {"from": p.payload.get("date"), "to": date.isoformat()}}
    elif kind == ActionType.staff_opportunity:
        hours = _hours(change)
        if hours == payload.get("hours_per_week"):
            raise ValueError(f"{hours:g} hours a week is what was asked already — approve it instead, or give other hours.")
        payload["hours_per_week"] = hours
        changes = {"hours_per_week": {"from": p.payload.get("hours_per_week"), "to": hours}}
    elif kind == ActionType.adjust_path:
        courses = [_course(uow, c) for c in change.replace(",", " ").split()]
        payload.update(course_ids=[c.id for c in courses], course_codes=[c.code for c in courses])
        changes = {"courses": {"from": p.payload.get("course_codes"), "to": [c.code for c in courses]}}
    elif kind != ActionType.onboarding_plan:  # readiness_nudge, stretch_assignment
        opp = _opportunity(uow, change)
        payload.update(opportunity_id=opp.id, opportunity_title=opp.title)
        changes = {"opportunity": {"from": p.payload.get("opportunity_title"), "to": opp.title}}
    try:
        payload = actions.dump_payload(actions.PAYLOADS[kind].model_validate(payload))
    except ValidationError as exc:  # pragma: no cover - the branches above build valid payloads
        raise ValueError(f"That change doesn't fit this proposal ({exc.errors()[0]['msg']}).") from None
    return payload, changes


def _hours(text: str) -> float:
    words = text.strip().lower().replace(",", ".").split()
    try:
        hours = float(words[0]) if words else -1.0
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_HOURS_PER_WEEK:
        raise ValueError(f"“{text.strip()}” isn't a number of hours a week — give one between 0.5 and {MAX_HOURS_PER_WEEK:g}, "
                         "e.g. `2`.")
    return round(hours * 2) / 2


def _course(uow: UnitOfWork, text: str) -> Course:
    text = text.strip().strip("“”\"'.")
    course = uow.proposals.course_by_code(text)
    if course is None and text.isdigit():
        course = uow.proposals.course(int(text))
    if course is None:
        course = uow.proposals.course_by_title(text)
    if course is None:
        raise ValueError(f"I can't find a course “{text}” in the catalogue — use its code, e.g. DS101.")
    return course


def _opportunity(uow: UnitOfWork, text: str) -> Opportunity:
    text = text.strip().strip("“”\"'.")
    opp = uow.proposals.opportunity(int(text)) if text.isdigit() else uow.proposals.opportunity_by_title(text)
    if opp is None or opp.status != "open":
        raise ValueError(f"I can't find an open opportunity “{text}”.")
    return opp


PLAN_KEYS = {"buddy": "buddy", "stretch": "stretch", "stretch task": "stretch", "task": "stretch", "checkins": "checkins",
             "checkin": "checkins", "check-ins": "checkins", "check-in": "checkins", "dates": "checkins",
             "courses": "courses", "course": "courses", "path courses": "courses"}


def _adjust_plan(uow: UnitOfWork, payload: dict[str, Any], change: str, today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """``buddy: <email>; stretch: <task>; checkins: <date>, <date>, <date>; courses: <codes>`` — any of them, in any order."""
    parts: dict[str, str] = {}
    for piece in change.replace("\n", ";").split(";"):
        key, sep, value = piece.partition(":")
        key = PLAN_KEYS.get(key.strip().lower(), "")
        if not sep or not key or not value.strip():
            if piece.strip():
                raise ValueError(f"I didn't understand “{piece.strip()}”. {override_hint('onboarding_plan').format(id='<id>')}")
            continue
        parts[key] = value.strip()
    if not parts:
        raise ValueError(override_hint("onboarding_plan").format(id="<id>"))
    new, changes = dict(payload), {}
    if "buddy" in parts:
        buddy = uow.people.by_email(parts["buddy"].strip("<>"))
        if buddy is None:
            raise ValueError(f"I can't find “{parts['buddy']}” in the directory — give the buddy's work email.")
        if buddy.id == payload.get("manager_id") or buddy.id == payload.get("buddy_id"):
            raise ValueError(f"{buddy.name} is already in the plan — pick someone else as buddy.")
        new.update(buddy_id=buddy.id, buddy_name=buddy.name)
        changes["buddy"] = {"from": payload.get("buddy_name"), "to": buddy.name}
    if "stretch" in parts:
        new["stretch_task"] = parts["stretch"][:300]
        changes["stretch_task"] = {"from": payload.get("stretch_task"), "to": new["stretch_task"]}
    if "checkins" in parts:
        dates = []
        for text in parts["checkins"].replace(",", " ").split():
            try:
                dates.append(dt.date.fromisoformat(text))
            except ValueError:
                raise ValueError(f"“{text}” isn't a date — use YYYY-MM-DD, e.g. {today + dt.timedelta(days=30)}.") from None
        if len(dates) != 3 or dates != sorted(dates) or len(set(dates)) != 3:
            raise ValueError("Give three check-in dates in order (the ends of days 30, 60 and 90), e.g. "
                             f"{today + dt.timedelta(days=30)}, {today + dt.timedelta(days=60)}, {today + dt.timedelta(days=90)}.")
        if dates[0] < today:
            raise ValueError(f"{dates[0]} is in the past — check-ins must be today or later.")
        new["checkins"] = [d.isoformat() for d in dates]
        changes["checkins"] = {"from": payload.get("checkins"), "to": new["checkins"]}
    if "courses" in parts:
        courses = [_course(uow, c) for c in parts["courses"].replace(",", " ").split()]
        new.update(path_course_ids=[c.id for c in courses], path_course_codes=[c.code for c in courses])
        changes["courses"] = {"from": payload.get("path_course_codes"), "to": [c.code for c in courses]}
    return new, changes

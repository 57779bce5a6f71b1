"""The agent's rules: each turns the signals of one pass into candidate proposals, with rationale and evidence.

A ``dedupe_key`` per (rule, person, object) lets the pass skip what is already open or decided recently.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from agent.signals import Org, requirements, role_labels
from approvals.actions import ActionType
from approvals.proposing import NewProposal
from approvals.utc import aware
from storage import UnitOfWork

ROLE_SNAPSHOT_KEY = "agent:last_seen_roles"


def enrol_for_targets(uow: UnitOfWork, org: Org, labels: dict[int, str]) -> list[NewProposal]:
    """A person with a target role and an essential gap no enrolment covers: the course covering the most gap skills per hour."""
    with_target = [(pid, t) for pid, (_, _, t, _) in org.people.items() if t]
    reqs = requirements(uow, {t for _, t in with_target})
    plans = []
    for pid, target in with_target:
        missing, plan = org.gap_plan(pid, reqs.get(target, []), 1)
        if plan is not None:
            plans.append((pid, target, missing, plan))
    role_labels(uow, {t for _, t, _, _ in plans}, labels)
    names = uow.proposals.skill_labels({s for _, _, _, plan in plans for s in plan.courses[0][1]})
    out = []
    for pid, target, missing, plan in plans:
        course, covers = plan.courses[0]
        role = labels.get(target, "their target role")
        total = len(reqs.get(target, []))
        covered_names = [names.get(s, str(s)) for s in covers]
        evidence = [
            {"kind": "target_role", "text": f"Target role: {role}"},
            {"kind": "gap", "text": f"{len(missing)} of {total} essential skills for {role} are not verified at the level it needs"},
            {"kind": "course", "text": f"{course.code} “{course.title}” ({course.duration_hours:g} h) teaches {', '.join(covered_names)}"},
            {"kind": "enrolment", "text": "No current enrolment covers these skills"},
        ]
        rationale = (f"{org.name(pid)} is working towards {role}; {course.code} covers {len(covers)} of the open gaps "
                     f"({', '.join(covered_names[:3])}{'…' if len(covered_names) > 3 else ''}) — the most gap skills per hour in the catalogue.")
        out.append(NewProposal(
            ActionType.enrol_course, pid, org.approver(pid),
            {"course_id": course.course_id, "course_code": course.code, "course_title": course.title, "role_id": target, "skill_ids": list(covers)},
            rationale, evidence, f"enrol_course:{pid}:{target}"))
    return out


def checkins(uow: UnitOfWork, org: Org, now: dt.datetime, after_days: int) -> list[NewProposal]:
    """An enrolment without progress for ``after_days``: a check-in two days on (moved off a weekend). Inactivity is
    read from what a person does, so nobody who opted out of inference from activity gets one."""
    cutoff = now - dt.timedelta(days=after_days)
    rows = uow.proposals.stalled_enrolments(cutoff)
    date = _next_workday(now.date() + dt.timedelta(days=2))
    out = []
    for eid, pid, cid, progress, last_at, title in rows:
        if pid not in org.people or pid in org.no_inference:  # inactivity is a signal read from what they do
            continue
        last_at = aware(last_at)
        idle = (now - last_at).days
        evidence = [
            {"kind": "enrolment", "text": f"Enrolled in “{title}”, progress {progress:.0%}"},
            {"kind": "inactivity", "text": f"No progress recorded since {last_at:%Y-%m-%d} ({idle} days; the threshold is {after_days})"},
        ]
        out.append(NewProposal(
            ActionType.schedule_checkin, pid, org.approver(pid),
            {"enrolment_id": eid, "course_id": cid, "course_title": title, "date": date.isoformat(), "days_without_progress": idle},
            f"{org.name(pid)} hasn't made progress on “{title}” for {idle} days; a short check-in helps people restart or drop it.",
            evidence, f"schedule_checkin:{eid}"))
    return out


def _next_workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def readiness(uow: UnitOfWork, org: Org, per_opportunity: int) -> list[NewProposal]:
    """People whose *verified* skills cover every required skill of an open opportunity: tell their manager (never
    about someone who opted out of being surfaced to others)."""
    needs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    info: dict[int, tuple[str, int | None]] = {}
    for oid, title, owner, sid, level in uow.proposals.open_opportunity_requirements():
        needs[oid].append((sid, level))
        info[oid] = (title, owner)
    # skill -> {person: verified level}: candidates are the intersection over an opportunity's skills
    wanted = {s for reqs in needs.values() for s, _ in reqs}
    holders = org.verified.holders(wanted)
    names = uow.proposals.skill_labels(wanted)
    out = []
    for oid, reqs in sorted(needs.items()):
        title, owner = info[oid]
        candidates: set[int] | None = None
        for sid, level in reqs:
            ok = {pid for pid, lvl in holders.get(sid, {}).items() if lvl >= level}
            candidates = ok if candidates is None else candidates & ok
            if not candidates:
                break
        if not candidates:
            continue
        ranked = sorted((pid for pid in candidates if pid != owner and pid in org.people and pid not in org.hidden),
                        key=lambda pid: (-sum(org.verified.level(pid, s) for s, _ in reqs), pid))[:per_opportunity]
        for pid in ranked:
            manager = org.approver(pid)
            evidence = [{"kind": "verified_skill", "text": f"{names.get(s, s)}: verified level {org.verified.level(pid, s)} (needs {lvl})"} for s, lvl in reqs]
            out.append(NewProposal(
                ActionType.readiness_nudge, pid, manager,
                {"opportunity_id": oid, "opportunity_title": title, "manager_id": manager, "skill_ids": [s for s, _ in reqs]},
                f"{org.name(pid)}'s verified skills (assessments, validations, project outcomes — not tenure) cover every "
                f"skill “{title}” requires.", evidence, f"readiness_nudge:{pid}:{oid}"))
    return out


def role_changes(uow: UnitOfWork, org: Org, labels: dict[int, str]) -> list[NewProposal]:
    """A role change in the directory since the last pass: courses for the new role's essentials."""
    seen_before = uow.proposals.snapshot(ROLE_SNAPSHOT_KEY)
    current = {str(pid): role for pid, (_, role, _, _) in org.people.items() if role}
    uow.proposals.save_snapshot(ROLE_SNAPSHOT_KEY, {"roles": current})
    if seen_before is None:
        return []  # the first pass only records the roles it sees
    seen: dict[str, int] = seen_before.get("roles", {})
    changed = [(int(pid), seen[pid], role) for pid, role in current.items() if pid in seen and seen[pid] != role]
    if not changed:
        return []
    reqs = requirements(uow, {new for _, _, new in changed})
    role_labels(uow, {r for _, old, new in changed for r in (old, new)}, labels)
    out = []
    for pid, old, new in changed:
        missing, plan = org.gap_plan(pid, reqs.get(new, []), 3)
        if plan is None:
            continue
        codes = [c.code for c, _ in plan.courses]
        evidence = [
            {"kind": "role_change", "text": f"Role changed in the directory: {labels.get(old, old)} → {labels.get(new, new)}"},
            {"kind": "gap", "text": f"{len(missing)} of {len(reqs.get(new, []))} essential skills of the new role are not verified yet"},
        ] + [{"kind": "course", "text": f"{c.code} “{c.title}” ({c.duration_hours:g} h) covers {len(cov)} of them"} for c, cov in plan.courses]
        out.append(NewProposal(
            ActionType.adjust_path, pid, org.approver(pid),
            {"role_id": new, "role_label": labels.get(new, str(new)), "previous_role_id": old,
             "course_ids": [c.course_id for c, _ in plan.courses], "course_codes": codes},
            f"{org.name(pid)} moved to {labels.get(new, new)}; these courses cover the new role's essentials they can't show yet.",
            evidence, f"adjust_path:{pid}:{new}"))
    return out

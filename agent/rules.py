"""The agent's rules: each turns the signals of one pass into candidate proposals, with rationale and evidence.

A ``dedupe_key`` per (rule, person, object) lets the pass skip what is already open or decided recently, and
``agent.cooldown`` keeps it from proposing the same kind of thing for the same person twice within the
cooldown. Every rule draws its people from ``people_in_scope`` — the one place where who may be proposed for is
decided.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from agent.signals import Org, requirements, role_labels
from approvals.actions import LABELS, ActionType
from approvals.proposing import NewProposal
from approvals.utc import aware
from storage import UnitOfWork
from storage.models import ProposalStatus

ROLE_SNAPSHOT_KEY = "agent:last_seen_roles"
TARGET_SNAPSHOT_KEY = "agent:last_seen_targets"
OPEN_STATES = (ProposalStatus.proposed, ProposalStatus.approved, ProposalStatus.overridden)

# Opt-outs (storage.preferences): rules that *surface* a person to someone else (a manager told they look ready, a
# stretch assignment proposed to their manager) leave out people who opted out of being surfaced; rules that read
# what a person *does* (a stalled course) or infer fit from their skills leave out people who opted out of inference.
SURFACING_RULES = frozenset({"readiness", "stretch"})
INFERRING_RULES = frozenset({"checkin", "readiness", "stretch"})


def people_in_scope(org: Org, rule: str) -> list[int]:
    """The people a rule may propose something for: everyone active (``org.people`` holds only active people), less
    those whose opt-outs the rule must respect.

    THE place where eligibility is decided, for every rule (``rule`` names it: enrol, checkin, readiness,
    role_change, target_change, stretch, manager_reminder).
    """
    left_out = (org.hidden if rule in SURFACING_RULES else frozenset()) | (
        org.no_inference if rule in INFERRING_RULES else frozenset())
    return sorted(pid for pid in org.people if pid not in left_out)


def enrol_for_targets(uow: UnitOfWork, org: Org, labels: dict[int, str], skip: set[int] = frozenset()) -> list[NewProposal]:
    """A person with a target role and an essential gap no enrolment covers: the course covering the most gap skills per hour.

    ``skip``: people another rule of this pass already proposes a path for (a target that just changed)."""
    with_target = [(pid, t) for pid in people_in_scope(org, "enrol") if pid not in skip and (t := org.people[pid][2])]
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
    scope = set(people_in_scope(org, "checkin"))
    for eid, pid, cid, progress, last_at, title in rows:
        if pid not in scope:
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
        scope = set(people_in_scope(org, "readiness"))
        ranked = sorted((pid for pid in candidates if pid != owner and pid in scope),
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
    current = {str(pid): org.people[pid][1] for pid in people_in_scope(org, "role_change") if org.people[pid][1]}
    uow.proposals.save_snapshot(ROLE_SNAPSHOT_KEY, {"roles": current})
    if seen_before is None:
        return []  # the first pass only records the roles it sees
    seen: dict[str, int] = seen_before.get("roles", {})
    changed = [(int(pid), seen[pid], role) for pid, role in current.items() if pid in seen and seen[pid] != role]
    return role_change_proposals(uow, org, changed, labels)


def role_change_proposals(uow: UnitOfWork, org: Org, changed: list[tuple[int, int | None, int]],
                          labels: dict[int, str]) -> list[NewProposal]:
    """``adjust_path`` for people whose role changed (person, old role, new role): courses for the new role's
    essentials. The agent's pass finds the changes against its snapshot; the HRIS import hands over the ones it
    applied (hr_data.role_changes)."""
    changed = [(pid, old, new) for pid, old, new in changed if pid in org.people]
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


def target_changes(uow: UnitOfWork, org: Org, labels: dict[int, str]) -> tuple[list[NewProposal], set[int]]:
    """A target role changed since the last pass: drop the unfinished courses that served only the old target and
    add the course that closes most of the new target's gap. Returns the proposals and the people they are for.

    A course "served only the old target" when it teaches an essential skill of the old target and none of the
    new one's; courses that teach neither (a person's own choice) are left alone.
    """
    seen_before = uow.proposals.snapshot(TARGET_SNAPSHOT_KEY)
    current = {str(pid): org.people[pid][2] for pid in people_in_scope(org, "target_change") if org.people[pid][2]}
    uow.proposals.save_snapshot(TARGET_SNAPSHOT_KEY, {"targets": current})
    if seen_before is None:
        return [], set()  # the first pass only records the targets it sees
    seen: dict[str, int] = seen_before.get("targets", {})
    changed = [(int(pid), seen[pid], new) for pid, new in current.items() if pid in seen and seen[pid] != new]
    if not changed:
        return [], set()
    reqs = requirements(uow, {r for _, old, new in changed for r in (old, new)})
    role_labels(uow, {r for _, old, new in changed for r in (old, new)}, labels)
    unfinished: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for eid, pid, cid, code, title in uow.proposals.unfinished_enrolments():
        unfinished[pid].append((eid, cid, code, title))
    out, handled = [], set()
    for pid, old, new in changed:
        new_skills = {s for s, _ in reqs.get(new, [])}
        old_skills = {s for s, _ in reqs.get(old, [])}
        drops = []
        for eid, cid, code, title in unfinished.get(pid, []):
            taught = org.courses[cid].skill_ids if cid in org.courses else frozenset()
            if taught & old_skills and not taught & new_skills:
                drops.append((eid, code, title))
        missing, plan = org.gap_plan(pid, reqs.get(new, []), 1)
        if plan is None and not drops:
            continue
        old_label, new_label = labels.get(old, str(old)), labels.get(new, str(new))
        evidence = [{"kind": "target_change", "text": f"Target role changed: {old_label} → {new_label}"},
                    {"kind": "gap", "text": f"{len(missing)} of {len(reqs.get(new, []))} essential skills for {new_label} are not verified yet"}]
        adds = []
        if plan is not None:
            course, covers = plan.courses[0]
            adds = [course]
            evidence.append({"kind": "course", "text": f"Add {course.code} “{course.title}” ({course.duration_hours:g} h): "
                                                       f"covers {len(covers)} of the open gaps, the most per hour"})
        evidence += [{"kind": "drop", "text": f"Drop {code} “{title}”: it served {old_label}; {new_label} needs none of what it teaches"}
                     for _, code, title in drops]
        what = "; ".join(part for part in (
            f"add {adds[0].code}" if adds else "",
            f"drop {', '.join(code for _, code, _ in drops)}" if drops else "") if part)
        out.append(NewProposal(
            ActionType.adjust_path, pid, org.approver(pid),
            {"role_id": new, "role_label": new_label, "previous_role_id": old,
             "course_ids": [c.course_id for c in adds], "course_codes": [c.code for c in adds],
             "drop_enrolment_ids": [eid for eid, _, _ in drops], "drop_course_codes": [code for _, code, _ in drops],
             "reason": "target_change"},
            f"{org.name(pid)} now aims for {new_label} instead of {old_label}: {what}, so their learning serves the new target.",
            evidence, f"adjust_path:{pid}:target:{new}"))
        handled.add(pid)
    return out, handled


def stretch_assignments(uow: UnitOfWork, org: Org, today: dt.date, labels: dict[int, str], per_opportunity: int) -> list[NewProposal]:
    """An open opportunity (not closed by ``today``, with places left) that exercises skills of a person's gap for
    their target role: recommend them for it as a stretch assignment. One per person per pass, the opportunity
    that covers most of their gap first; at most ``per_opportunity`` proposals waiting per opportunity and never
    more than its places left (declared interests and stretch proposals still open take places)."""
    opps: dict[int, tuple[str, int | None, dt.date | None, int | None, set[int]]] = {}
    for oid, title, owner, closes, capacity, sid in uow.proposals.stretch_openings(today):
        opps.setdefault(oid, (title, owner, closes, capacity, set()))[4].add(sid)
    if not opps:
        return []
    taken: Counter[int] = Counter()  # places: declared interests and stretch proposals not yet decided or carried out
    waiting: Counter[int] = Counter()  # stretch proposals not yet decided or carried out
    already: set[tuple[int, int]] = set()
    for pid, oid in uow.proposals.interest_pairs():
        taken[oid] += 1
        already.add((pid, oid))
    for pid, payload in uow.proposals.open_payloads(ActionType.stretch_assignment.value, OPEN_STATES):
        oid = payload.get("opportunity_id")
        if isinstance(oid, int) and (pid, oid) not in already:
            taken[oid] += 1
            waiting[oid] += 1
            already.add((pid, oid))
    with_target = [(pid, t) for pid in people_in_scope(org, "stretch") if (t := org.people[pid][2])]
    reqs = requirements(uow, {t for _, t in with_target})
    by_skill: dict[int, list[int]] = defaultdict(list)  # skill -> opportunities that use it
    for oid, (*_, skills) in opps.items():
        for sid in skills:
            by_skill[sid].append(oid)
    pairs = []
    for pid, target in with_target:
        missing = {sid for sid, level in reqs.get(target, []) if sid in by_skill and org.verified.level(pid, sid) < level}
        overlaps: dict[int, list[int]] = defaultdict(list)
        for sid in missing:
            for oid in by_skill[sid]:
                overlaps[oid].append(sid)
        gap = sum(1 for sid, level in reqs.get(target, []) if org.verified.level(pid, sid) < level) if overlaps else 0
        for oid, overlap in overlaps.items():
            _, owner, closes, _, _ = opps[oid]
            if owner != pid and (pid, oid) not in already:
                pairs.append((-len(overlap), closes or dt.date.max, oid, pid, target, sorted(overlap), gap))
    pairs.sort(key=lambda p: p[:4])
    chosen, per_opp = [], Counter(waiting)  # the limit counts what still waits, so a second pass adds nothing
    added: Counter[int] = Counter()
    placed: set[int] = set()
    for _, _, oid, pid, target, overlap, gap in pairs:
        capacity = opps[oid][3]
        left = None if capacity is None else capacity - taken[oid] - added[oid]
        if pid in placed or per_opp[oid] >= per_opportunity or (left is not None and left <= 0):
            continue
        chosen.append((oid, pid, target, overlap, gap, left))
        placed.add(pid)
        per_opp[oid] += 1
        added[oid] += 1
    role_labels(uow, {t for _, _, t, _, _, _ in chosen}, labels)
    names = uow.proposals.skill_labels({s for _, _, _, overlap, _, _ in chosen for s in overlap})
    out = []
    for oid, pid, target, overlap, gap, left in chosen:
        title, _, closes, capacity, _ = opps[oid]
        role = labels.get(target, "their target role")
        skill_names = [names.get(s, str(s)) for s in overlap]
        places = "no stated limit on places" if capacity is None else f"{left} of {capacity} places left"
        evidence = [
            {"kind": "target_role", "text": f"Target role: {role}"},
            {"kind": "gap", "text": f"“{title}” uses {len(overlap)} of the {gap} skills {role} needs that aren't verified yet: "
                                    + ", ".join(skill_names)},
            {"kind": "opportunity", "text": f"Open until {closes:%Y-%m-%d}; {places}" if closes else f"Open; {places}"},
        ]
        out.append(NewProposal(
            ActionType.stretch_assignment, pid, org.approver(pid),
            {"opportunity_id": oid, "opportunity_title": title, "skill_ids": overlap},
            f"{org.name(pid)} is working towards {role}; “{title}” would let them practise {', '.join(skill_names[:3])}"
            f"{'…' if len(skill_names) > 3 else ''} on real work — a stretch, not a claim that they are ready.",
            evidence, f"stretch_assignment:{pid}:{oid}"))
    return out


def manager_reminders(uow: UnitOfWork, org: Org, now: dt.datetime, after_days: int, labels: dict[int, str]) -> list[NewProposal]:
    """Decisions or validation requests that have waited ``after_days`` or more for one manager: remind them
    (before a proposal escalates or expires unseen, and before a report's request goes stale)."""
    before = now - dt.timedelta(days=after_days)
    decisions: dict[int, list[tuple[int, str, int, dt.datetime]]] = defaultdict(list)
    for approver, pid, kind, subject, created in uow.proposals.waiting_decisions(before):
        decisions[approver].append((pid, kind, subject, aware(created)))
    validations: dict[int, list[tuple[int, int, int, dt.datetime]]] = defaultdict(list)
    for verifier, eid, person, sid, asked in uow.proposals.waiting_validations(before):
        validations[verifier].append((eid, person, sid, aware(asked)))
    managers = [m for m in people_in_scope(org, "manager_reminder") if m in decisions or m in validations]
    skills = uow.proposals.skill_labels({sid for m in managers for _, _, sid, _ in validations.get(m, [])})
    out = []
    for manager in managers:
        ds, vs = decisions.get(manager, []), validations.get(manager, [])
        oldest = min([at for *_, at in ds] + [at for *_, at in vs])
        days = (now - oldest).days
        evidence = [{"kind": "decision", "text": f"Proposal {pid} ({LABELS[ActionType(kind)]} for {_name(org, subject)}) "
                                                 f"waiting since {at:%Y-%m-%d}"} for pid, kind, subject, at in ds]
        evidence += [{"kind": "validation", "text": f"{_name(org, person)} asked you to validate {skills.get(sid, sid)} on {at:%Y-%m-%d}"}
                     for _, person, sid, at in vs]
        waiting = " and ".join(part for part in (
            f"{len(ds)} decision(s)" if ds else "", f"{len(vs)} validation request(s)" if vs else "") if part)
        out.append(NewProposal(
            ActionType.manager_reminder, manager, org.approver(manager),
            {"proposal_ids": [pid for pid, *_ in ds], "validation_ids": [eid for eid, *_ in vs], "oldest_days": days},
            f"{waiting} have waited for {org.name(manager)} for {after_days} days or more (the oldest {days} days); "
            "a reminder keeps them from expiring unseen.", evidence, f"manager_reminder:{manager}"))
    return out


def _name(org: Org, pid: int) -> str:
    return org.name(pid) if pid in org.people else "someone no longer active"

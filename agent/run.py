"""One pass of Ladder's agent: read signals, propose actions within the policy, report what it did.

Signals → proposals:

* a person with a target role and an essential gap no enrolment covers → ``enrol_course`` (the best
  course by the learning plan's greedy cover);
* an enrolment without progress for ``checkin_after_days`` → ``schedule_checkin``;
* a person whose *verified* skills cover an open opportunity's required skills → ``readiness_nudge``
  to their manager;
* a role change in the directory (against the snapshot of roles the last pass saw) →
  ``adjust_path`` with courses for the new role's essentials.

Set-based: a handful of queries load everything a pass needs (people, evidence, requirements,
courses, enrolments, opportunities, open proposals); the rules run in memory. A ``dedupe_key`` per
(rule, person, object) keeps the agent from proposing what is already open or was decided within
``agent_cooldown_days`` — running it twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from approvals import policy, service
from approvals.actions import ActionType
from approvals.execution import execute_pending
from approvals.notify import notify_approvers
from skills_engine import gaps, proficiency
from storage.models import (
    AccessRole,
    AuditEvent,
    ConversationState,
    Course,
    CourseSkill,
    Decision,
    Enrolment,
    EnrolmentStatus,
    EvidenceStatus,
    Occupation,
    Opportunity,
    OpportunitySkill,
    Person,
    Proposal,
    ProposalStatus,
    RequirementKind,
    RoleSkill,
    Skill,
    SkillEvidence,
    TagStatus,
)
from storage.queries import CourseOffer

log = logging.getLogger(__name__)

ROLE_SNAPSHOT_KEY = "agent:last_seen_roles"
_PASS_LOCK = threading.Lock()  # one pass at a time per process (scheduler and CLI may overlap)


@dataclass
class AgentReport:
    created: Counter = field(default_factory=Counter)  # per action type
    auto_executed: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)  # already open / decided recently
    disabled: Counter = field(default_factory=Counter)  # policy off
    deadlines: dict[str, int] = field(default_factory=dict)
    recovered: dict[str, int] = field(default_factory=dict)
    people: int = 0
    seconds: float = 0.0
    proposal_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Agent pass over {self.people:,} people in {self.seconds:.1f}s."]
        for kind in ActionType:
            k = kind.value
            out.append(f"• {k}: {self.created[k]} proposed" + (f" ({self.auto_executed[k]} done automatically)" if self.auto_executed[k] else "")
                       + (f", {self.duplicates[k]} already open or decided" if self.duplicates[k] else "")
                       + (f", {self.disabled[k]} skipped (policy off)" if self.disabled[k] else ""))
        if any(self.deadlines.values()):
            out.append(f"• deadlines: {self.deadlines.get('escalated', 0)} escalated, {self.deadlines.get('expired', 0)} expired")
        return out

    def as_data(self) -> dict[str, Any]:
        return {"created": dict(self.created), "auto_executed": dict(self.auto_executed), "duplicates": dict(self.duplicates),
                "disabled": dict(self.disabled), "deadlines": self.deadlines, "people": self.people, "seconds": round(self.seconds, 3)}


class _Verified:
    """Verified levels, computed only for the (person, skill) pairs a rule asks about, then cached."""

    def __init__(self, evidence: dict[int, dict[int, list[proficiency.EvidenceItem]]], now: dt.datetime) -> None:
        self.evidence = evidence
        self.now = now
        self._cache: dict[tuple[int, int], int] = {}

    def level(self, pid: int, sid: int) -> int:
        key = (pid, sid)
        level = self._cache.get(key)
        if level is None:
            items = self.evidence.get(pid, {}).get(sid)
            level = proficiency.assess(sid, items, self.now).verified_level if items else 0
            self._cache[key] = level
        return level

    def holders(self, skill_ids: set[int]) -> dict[int, dict[int, int]]:
        """skill -> {person: verified level > 0} for the given skills."""
        out: dict[int, dict[int, int]] = defaultdict(dict)
        for pid, by_skill in self.evidence.items():
            for sid in by_skill.keys() & skill_ids:
                level = self.level(pid, sid)
                if level:
                    out[sid][pid] = level
        return out


@dataclass
class _Org:
    people: dict[int, tuple[int | None, int | None, int | None, str]]  # id -> (manager, role, target, name)
    hr_fallback: int | None
    verified: "_Verified"
    courses: dict[int, CourseOffer]
    courses_by_skill: dict[int, list[int]]
    enrolled_courses: dict[int, set[int]]  # person -> course ids (any status but withdrawn)


def run_pass(ladder) -> AgentReport:
    with _PASS_LOCK:
        started = time.perf_counter()
        report = AgentReport()
        session = ladder.db.session()
        try:
            report.recovered = execute_pending(ladder, session)  # approved but never carried out (a crash)
            report.deadlines = service.sweep_deadlines(ladder, session)
            _propose(ladder, session, report)
        finally:
            session.close()
        report.seconds = time.perf_counter() - started
        log.info("agent pass", extra=report.as_data())
        return report


def _propose(ladder, session: Session, report: AgentReport) -> None:
    now = ladder.now()
    today = now.date()
    settings = ladder.settings
    levels = policy.current(session)
    org = _load_org(session, now)
    report.people = len(org.people)
    blocked = _blocked_keys(session, now - dt.timedelta(days=settings.agent_cooldown_days))
    labels: dict[int, str] = {}

    candidates: list[service.NewProposal] = []
    candidates += _enrol_for_targets(session, org, labels)
    candidates += _checkins(session, org, now, settings.checkin_after_days)
    candidates += _readiness(session, org, settings.agent_nudges_per_opportunity)
    candidates += _role_changes(session, org, labels)

    fresh: list[service.NewProposal] = []
    for c in candidates:
        kind = c.action_type.value
        if levels[c.action_type] == policy.Autonomy.off:
            report.disabled[kind] += 1
        elif c.dedupe_key in blocked:
            report.duplicates[kind] += 1
        else:
            blocked.add(c.dedupe_key)
            fresh.append(c)
    created = create_many(session, fresh, levels, now, settings.approval_expiry_days)
    session.commit()
    auto_ids, card_ids = [], []
    for c, pid in zip(fresh, created):
        report.created[c.action_type.value] += 1
        (auto_ids if levels[c.action_type] == policy.Autonomy.auto else card_ids).append(pid)
    report.proposal_ids = created
    if auto_ids:
        execute_pending(ladder, session, auto_ids)
        for kind, n in session.execute(select(Proposal.action_type, func.count()).where(
                Proposal.id.in_(auto_ids), Proposal.status == ProposalStatus.executed).group_by(Proposal.action_type)):
            report.auto_executed[kind] += n
        session.commit()
    if card_ids:
        notify_approvers(ladder, session, card_ids, heading="from Ladder's agent — waiting for your decision")
    if auto_ids and ladder.notifiers:
        notify_approvers(ladder, session, auto_ids, heading="done automatically by Ladder (policy: auto) — for your information")


def create_many(session: Session, news: list[service.NewProposal], levels, now: dt.datetime, expiry_days: int) -> list[int]:
    """Bulk version of ``service.create``: one INSERT … RETURNING for proposals, executemany for the rest."""
    if not news:
        return []
    from approvals import actions

    rows = []
    for n in news:
        level = levels[n.action_type]
        auto = level == policy.Autonomy.auto
        payload = actions.dump_payload(actions.PAYLOADS[n.action_type].model_validate(n.payload))
        rows.append({
            "action_type": n.action_type.value, "subject_id": n.subject_id, "approver_id": n.approver_id, "payload": payload,
            "rationale": n.rationale, "evidence": n.evidence, "policy_note": policy.note(n.action_type, level),
            "status": ProposalStatus.approved if auto else ProposalStatus.proposed, "dedupe_key": n.dedupe_key, "created_by": "agent",
            "created_at": now, "expires_at": None if auto else now + dt.timedelta(days=expiry_days), "decided_at": now if auto else None,
            "version": 1, "attempts": 0,
        })
    ids: list[int] = []
    for start in range(0, len(rows), 2000):
        ids += list(session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), rows[start:start + 2000]))
    audit, decisions = [], []
    for n, row, pid in zip(news, rows, ids):
        audit.append({"at": now, "actor_id": None, "actor_kind": "agent", "action": "proposal.created", "subject_id": n.subject_id,
                      "object_type": "proposal", "object_id": str(pid),
                      "detail": {"action_type": row["action_type"], "payload": row["payload"], "rationale": n.rationale, "evidence": n.evidence,
                                 "approver_id": n.approver_id, "policy": levels[n.action_type].value, "dedupe_key": n.dedupe_key}})
        if row["status"] == ProposalStatus.approved:
            decisions.append({"proposal_id": pid, "decider_id": None, "outcome": ProposalStatus.approved, "reason": "policy: auto", "decided_at": now})
            audit.append({"at": now, "actor_id": None, "actor_kind": "system", "action": "proposal.auto_approved", "subject_id": n.subject_id,
                          "object_type": "proposal", "object_id": str(pid), "detail": {"policy": "auto"}})
    for start in range(0, len(audit), 5000):
        session.execute(insert(AuditEvent), audit[start:start + 5000])
    if decisions:
        session.execute(insert(Decision), decisions)
    return ids


# --------------------------------------------------------------------------- loading


def _load_org(session: Session, now: dt.datetime) -> _Org:
    people = {pid: (mgr, role, target, name) for pid, mgr, role, target, name in session.execute(
        select(Person.id, Person.manager_id, Person.role_id, Person.target_role_id, Person.name).where(Person.active.is_(True)))}
    hr = session.scalar(select(Person.id).where(Person.access_role == AccessRole.hr_admin, Person.active.is_(True)).order_by(Person.id).limit(1))
    grouped: dict[int, dict[int, list[proficiency.EvidenceItem]]] = defaultdict(lambda: defaultdict(list))
    for pid, sid, etype, level, observed in session.execute(
        select(SkillEvidence.person_id, SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level, SkillEvidence.observed_at)
        .where(SkillEvidence.status == EvidenceStatus.active, SkillEvidence.evidence_type.in_(list(proficiency.VERIFYING)))
    ):
        grouped[pid][sid].append(proficiency.EvidenceItem(skill_id=sid, evidence_type=etype, level=level, observed_at=observed))
    verified = _Verified(grouped, now)
    offers: dict[int, tuple[str, str, float, set[int]]] = {}
    for cid, code, title, hours, sid in session.execute(
        select(Course.id, Course.code, Course.title, Course.duration_hours, CourseSkill.skill_id)
        .join(CourseSkill, CourseSkill.course_id == Course.id).where(CourseSkill.status == TagStatus.accepted)
    ):
        offers.setdefault(cid, (code, title, hours, set()))[3].add(sid)
    courses = {cid: CourseOffer(cid, c, t, h, frozenset(s)) for cid, (c, t, h, s) in offers.items()}
    by_skill: dict[int, list[int]] = defaultdict(list)
    for cid, offer in courses.items():
        for sid in offer.skill_ids:
            by_skill[sid].append(cid)
    enrolled: dict[int, set[int]] = defaultdict(set)
    for pid, cid in session.execute(select(Enrolment.person_id, Enrolment.course_id).where(Enrolment.status != EnrolmentStatus.withdrawn)):
        enrolled[pid].add(cid)
    return _Org(people, hr, verified, courses, by_skill, enrolled)


def _blocked_keys(session: Session, since: dt.datetime) -> set[str]:
    return {key for (key,) in session.execute(
        select(Proposal.dedupe_key).where(Proposal.dedupe_key.is_not(None),
                                          or_(Proposal.status == ProposalStatus.proposed, Proposal.created_at >= since,
                                              Proposal.decided_at >= since)))}


def _approver(org: _Org, pid: int) -> int | None:
    manager = org.people[pid][0]
    if manager is not None and manager != pid and manager in org.people:
        return manager
    return org.hr_fallback if org.hr_fallback != pid else None


def _requirements(session: Session, role_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ids = sorted(role_ids)
    for start in range(0, len(ids), 2000):
        for occ, sid, level in session.execute(
            select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.target_level)
            .where(RoleSkill.occupation_id.in_(ids[start:start + 2000]), RoleSkill.kind == RequirementKind.essential)
        ):
            out[occ].append((sid, level))
    return out


def _role_labels(session: Session, role_ids: set[int], labels: dict[int, str]) -> dict[int, str]:
    missing = sorted(role_ids - set(labels))
    for start in range(0, len(missing), 2000):
        labels.update(session.execute(select(Occupation.id, Occupation.label).where(Occupation.id.in_(missing[start:start + 2000]))).all())
    return labels


def _skill_names(session: Session, skill_ids: set[int]) -> dict[int, str]:
    ids = sorted(skill_ids)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 2000):
        out.update(session.execute(select(Skill.id, Skill.label).where(Skill.id.in_(ids[start:start + 2000]))).all())
    return out


def _gap_plan(org: _Org, pid: int, reqs: list[tuple[int, int]], max_courses: int) -> tuple[list[int], gaps.LearningPlan | None]:
    """Essential skills not verified at target level and not taught by a course the person is already in."""
    missing = [sid for sid, target in reqs if org.verified.level(pid, sid) < target]
    enrolled = org.enrolled_courses.get(pid, set())
    covered = {s for cid in enrolled if cid in org.courses for s in org.courses[cid].skill_ids}
    open_gap = [s for s in missing if s not in covered]
    if not open_gap:
        return missing, None
    pool = {cid for s in open_gap for cid in org.courses_by_skill.get(s, ()) if cid not in enrolled}
    if not pool:
        return missing, None
    result = gaps.plan(open_gap, [org.courses[c] for c in pool], [], max_courses=max_courses)
    return missing, (result if result.courses else None)


# --------------------------------------------------------------------------- rules


def _enrol_for_targets(session: Session, org: _Org, labels: dict[int, str]) -> list[service.NewProposal]:
    with_target = [(pid, t) for pid, (_, _, t, _) in org.people.items() if t]
    reqs = _requirements(session, {t for _, t in with_target})
    plans = []
    for pid, target in with_target:
        missing, plan = _gap_plan(org, pid, reqs.get(target, []), 1)
        if plan is not None:
            plans.append((pid, target, missing, plan))
    _role_labels(session, {t for _, t, _, _ in plans}, labels)
    names = _skill_names(session, {s for _, _, _, plan in plans for s in plan.courses[0][1]})
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
        rationale = (f"{org.people[pid][3]} is working towards {role}; {course.code} covers {len(covers)} of the open gaps "
                     f"({', '.join(covered_names[:3])}{'…' if len(covered_names) > 3 else ''}) — the most gap skills per hour in the catalogue.")
        out.append(service.NewProposal(
            ActionType.enrol_course, pid, _approver(org, pid),
            {"course_id": course.course_id, "course_code": course.code, "course_title": course.title, "role_id": target, "skill_ids": list(covers)},
            rationale, evidence, f"enrol_course:{pid}:{target}"))
    return out


def _checkins(session: Session, org: _Org, now: dt.datetime, after_days: int) -> list[service.NewProposal]:
    cutoff = now - dt.timedelta(days=after_days)
    last = func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)
    rows = session.execute(
        select(Enrolment.id, Enrolment.person_id, Enrolment.course_id, Enrolment.progress, last, Course.title)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.status.in_([EnrolmentStatus.enrolled, EnrolmentStatus.in_progress]), Enrolment.progress < 1.0, last <= cutoff)
    ).all()
    date = _next_workday(now.date() + dt.timedelta(days=2))
    out = []
    for eid, pid, cid, progress, last_at, title in rows:
        if pid not in org.people:
            continue
        last_at = service.aware(last_at)
        idle = (now - last_at).days
        evidence = [
            {"kind": "enrolment", "text": f"Enrolled in “{title}”, progress {progress:.0%}"},
            {"kind": "inactivity", "text": f"No progress recorded since {last_at:%Y-%m-%d} ({idle} days; the threshold is {after_days})"},
        ]
        out.append(service.NewProposal(
            ActionType.schedule_checkin, pid, _approver(org, pid),
            {"enrolment_id": eid, "course_id": cid, "course_title": title, "date": date.isoformat(), "days_without_progress": idle},
            f"{org.people[pid][3]} hasn't made progress on “{title}” for {idle} days; a short check-in helps people restart or drop it.",
            evidence, f"schedule_checkin:{eid}"))
    return out


def _next_workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _readiness(session: Session, org: _Org, per_opportunity: int) -> list[service.NewProposal]:
    needs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    info: dict[int, tuple[str, int | None]] = {}
    for oid, title, owner, sid, level in session.execute(
        select(Opportunity.id, Opportunity.title, Opportunity.owner_id, OpportunitySkill.skill_id, OpportunitySkill.level)
        .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
        .where(Opportunity.status == "open", OpportunitySkill.required.is_(True))
    ):
        needs[oid].append((sid, level))
        info[oid] = (title, owner)
    # skill -> {person: verified level}: candidates are the intersection over an opportunity's skills
    wanted = {s for reqs in needs.values() for s, _ in reqs}
    holders = org.verified.holders(wanted)
    names = _skill_names(session, wanted)
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
        ranked = sorted((pid for pid in candidates if pid != owner and pid in org.people),
                        key=lambda pid: (-sum(org.verified.level(pid, s) for s, _ in reqs), pid))[:per_opportunity]
        for pid in ranked:
            manager = _approver(org, pid)
            evidence = [{"kind": "verified_skill", "text": f"{names.get(s, s)}: verified level {org.verified.level(pid, s)} (needs {lvl})"} for s, lvl in reqs]
            out.append(service.NewProposal(
                ActionType.readiness_nudge, pid, manager,
                {"opportunity_id": oid, "opportunity_title": title, "manager_id": manager, "skill_ids": [s for s, _ in reqs]},
                f"{org.people[pid][3]}'s verified skills (assessments, validations, project outcomes — not tenure) cover every "
                f"skill “{title}” requires.", evidence, f"readiness_nudge:{pid}:{oid}"))
    return out


def _role_changes(session: Session, org: _Org, labels: dict[int, str]) -> list[service.NewProposal]:
    state = session.get(ConversationState, ROLE_SNAPSHOT_KEY)
    current = {str(pid): role for pid, (_, role, _, _) in org.people.items() if role}
    if state is None:
        session.add(ConversationState(key=ROLE_SNAPSHOT_KEY, data={"roles": current}))
        return []
    seen: dict[str, int] = (state.data or {}).get("roles", {})
    changed = [(int(pid), seen[pid], role) for pid, role in current.items() if pid in seen and seen[pid] != role]
    state.data = {"roles": current}
    if not changed:
        return []
    reqs = _requirements(session, {new for _, _, new in changed})
    _role_labels(session, {r for _, old, new in changed for r in (old, new)}, labels)
    out = []
    for pid, old, new in changed:
        missing, plan = _gap_plan(org, pid, reqs.get(new, []), 3)
        if plan is None:
            continue
        codes = [c.code for c, _ in plan.courses]
        evidence = [
            {"kind": "role_change", "text": f"Role changed in the directory: {labels.get(old, old)} → {labels.get(new, new)}"},
            {"kind": "gap", "text": f"{len(missing)} of {len(reqs.get(new, []))} essential skills of the new role are not verified yet"},
        ] + [{"kind": "course", "text": f"{c.code} “{c.title}” ({c.duration_hours:g} h) covers {len(cov)} of them"} for c, cov in plan.courses]
        out.append(service.NewProposal(
            ActionType.adjust_path, pid, _approver(org, pid),
            {"role_id": new, "role_label": labels.get(new, str(new)), "previous_role_id": old,
             "course_ids": [c.course_id for c, _ in plan.courses], "course_codes": codes},
            f"{org.people[pid][3]} moved to {labels.get(new, new)}; these courses cover the new role's essentials they can't show yet.",
            evidence, f"adjust_path:{pid}:{new}"))
    return out

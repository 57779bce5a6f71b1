"""The organisation as one agent pass sees it, loaded set-based: a handful of queries, then everything in memory."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from skills_engine import gaps, proficiency
from storage import UnitOfWork


class VerifiedLevels:
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
class Org:
    people: dict[int, tuple[int | None, int | None, int | None, str]]  # id -> (manager, role, target, name)
    hr_fallback: int | None
    verified: VerifiedLevels
    courses: dict[int, gaps.CourseOffer]
    courses_by_skill: dict[int, list[int]]
    enrolled_courses: dict[int, set[int]]  # person -> course ids (any status but withdrawn)
    hidden: frozenset[int] = frozenset()  # opted out of being surfaced to others: never nudged about
    no_inference: frozenset[int] = frozenset()  # opted out of inference from activity: no signals from what they do

    def name(self, pid: int) -> str:
        return self.people[pid][3]

    def approver(self, pid: int) -> int | None:
        """The person's manager; without one, the first HR admin (unless that is the person)."""
        manager = self.people[pid][0]
        if manager is not None and manager != pid and manager in self.people:
            return manager
        return self.hr_fallback if self.hr_fallback != pid else None

    def gap_plan(self, pid: int, reqs: list[tuple[int, int]], max_courses: int) -> tuple[list[int], gaps.LearningPlan | None]:
        """Essential skills not verified at target level and not taught by a course the person is already in."""
        missing = [sid for sid, target in reqs if self.verified.level(pid, sid) < target]
        enrolled = self.enrolled_courses.get(pid, set())
        covered = {s for cid in enrolled if cid in self.courses for s in self.courses[cid].skill_ids}
        open_gap = [s for s in missing if s not in covered]
        if not open_gap:
            return missing, None
        pool = {cid for s in open_gap for cid in self.courses_by_skill.get(s, ()) if cid not in enrolled}
        if not pool:
            return missing, None
        result = gaps.plan(open_gap, [self.courses[c] for c in pool], [], max_courses=max_courses)
        return missing, (result if result.courses else None)


def load_org(uow: UnitOfWork, now: dt.datetime) -> Org:
    people = {pid: (mgr, role, target, name) for pid, mgr, role, target, name in uow.proposals.active_people()}
    admins = uow.people.hr_admins()
    grouped: dict[int, dict[int, list[proficiency.EvidenceItem]]] = defaultdict(lambda: defaultdict(list))
    for pid, sid, etype, level, observed in uow.proposals.active_evidence(proficiency.VERIFYING):
        grouped[pid][sid].append(proficiency.EvidenceItem(skill_id=sid, evidence_type=etype, level=level, observed_at=observed))
    offers: dict[int, tuple[str, str, float, set[int]]] = {}
    for cid, code, title, hours, sid in uow.proposals.course_skill_rows():
        offers.setdefault(cid, (code, title, hours, set()))[3].add(sid)
    courses = {cid: gaps.CourseOffer(cid, c, t, h, frozenset(s)) for cid, (c, t, h, s) in offers.items()}
    by_skill: dict[int, list[int]] = defaultdict(list)
    for cid, offer in courses.items():
        for sid in offer.skill_ids:
            by_skill[sid].append(cid)
    enrolled: dict[int, set[int]] = defaultdict(set)
    for pid, cid in uow.proposals.enrolled_pairs():
        enrolled[pid].add(cid)
    return Org(people, admins[0].id if admins else None, VerifiedLevels(grouped, now), courses, by_skill, enrolled,
               frozenset(uow.preferences.hidden_among()), frozenset(uow.preferences.no_inference_among()))


def requirements(uow: UnitOfWork, role_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    """role -> [(skill, target level)] of its essential skills."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for occ, sid, level in uow.proposals.essential_requirements(role_ids):
        out[occ].append((sid, level))
    return out


def role_labels(uow: UnitOfWork, role_ids: set[int], labels: dict[int, str]) -> dict[int, str]:
    """Adds the labels ``labels`` doesn't have yet (a pass shares one dict between its rules)."""
    labels.update(uow.proposals.role_labels(role_ids - set(labels)))
    return labels

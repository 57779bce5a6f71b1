"""Gap analysis and the learning plan that closes a gap. Pure functions over plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

from skills_engine.proficiency import Proficiency
from storage.models import RequirementKind
from storage.queries import CourseOffer, OpportunityOffer, Requirement

LEARNING_HOURS_PER_WEEK = 4.0  # the handbook's learning-time allowance; used for time estimates


@dataclass(frozen=True, slots=True)
class GapItem:
    skill_id: int
    uri: str
    label: str
    kind: RequirementKind
    target_level: int
    verified_level: int  # 0 = no verified evidence
    claimed_level: int  # best estimate including unverified evidence
    demand: int  # how many roles need this skill as essential

    @property
    def closing_evidence(self) -> str:
        if self.claimed_level >= self.target_level:
            return "you already claim it: a manager validation or an assessment would verify it"
        if self.verified_level or self.claimed_level:
            return f"evidence at level {self.target_level} (assessment, project outcome or manager validation)"
        return "a course plus an assessment, or a project outcome your manager validates"


@dataclass(slots=True)
class GapReport:
    role_id: int
    role_label: str
    have: list[GapItem] = field(default_factory=list)
    missing: list[GapItem] = field(default_factory=list)  # essential, not verified at target level
    helpful: list[GapItem] = field(default_factory=list)  # optional, not verified at target level

    @property
    def essential_total(self) -> int:
        return len(self.have) + len(self.missing)


def analyse(
    role_id: int,
    role_label: str,
    requirements: list[Requirement],
    profile: dict[int, Proficiency],
    demand: dict[int, int],
) -> GapReport:
    report = GapReport(role_id, role_label)
    for req in requirements:
        prof = profile.get(req.skill_id)
        item = GapItem(
            req.skill_id, req.uri, req.label, req.kind, req.target_level,
            prof.verified_level if prof else 0, prof.level if prof else 0, demand.get(req.skill_id, 0),
        )
        if item.verified_level >= req.target_level:
            if req.kind == RequirementKind.essential:
                report.have.append(item)
        elif req.kind == RequirementKind.essential:
            report.missing.append(item)
        else:
            report.helpful.append(item)
    rank = lambda g: (-g.demand, g.label)  # noqa: E731 - the ordering is the point
    report.have.sort(key=lambda g: g.label)
    report.missing.sort(key=rank)
    report.helpful.sort(key=rank)
    return report


@dataclass(slots=True)
class LearningPlan:
    courses: list[tuple[CourseOffer, list[int]]] = field(default_factory=list)  # course, gap skills it covers
    projects: list[tuple[OpportunityOffer, list[int]]] = field(default_factory=list)
    uncovered: list[int] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return sum(c.duration_hours for c, _ in self.courses)

    @property
    def weeks(self) -> int:
        return max(1, round(self.hours / LEARNING_HOURS_PER_WEEK)) if self.courses else 0


def plan(missing: list[int], courses: list[CourseOffer], opportunities: list[OpportunityOffer], max_courses: int = 5) -> LearningPlan:
    """Greedy set cover: each next course teaches the most still-missing skills per hour."""
    result = LearningPlan()
    todo = list(missing)
    remaining = set(missing)
    pool = list(courses)
    while remaining and pool and len(result.courses) < max_courses:
        best = max(pool, key=lambda c: (len(c.skill_ids & remaining) / max(c.duration_hours, 1.0), -c.course_id))
        covered = best.skill_ids & remaining
        if not covered:
            break
        result.courses.append((best, [s for s in todo if s in covered]))
        remaining -= covered
        pool.remove(best)
    for opp in sorted(opportunities, key=lambda o: (-len(o.skill_ids & set(missing)), o.opportunity_id))[:2]:
        result.projects.append((opp, [s for s in todo if s in opp.skill_ids]))
    result.uncovered = [s for s in todo if s in remaining]
    return result

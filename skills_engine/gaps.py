"""Gap analysis and the learning plan that closes a gap. Pure functions over plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

from skills_engine.proficiency import Proficiency
from storage.models import RequirementKind
from storage.skills import CourseOffer, OpportunityOffer, Requirement

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
    related_demand: int = 0  # how many roles related to the target (graph neighbours) need it as essential

    @property
    def closing_evidence(self) -> str:
        """What would close this gap: always verifying evidence at the target level."""
        if self.claimed_level >= self.target_level:
            return (f"you already claim level {self.claimed_level}: ask your manager to validate it, "
                    f"or pass an assessment at level {self.target_level}")
        if self.verified_level:
            return (f"verified at level {self.verified_level}; needs level {self.target_level}: an assessment, "
                    f"project outcome or manager validation at level {self.target_level}")
        return (f"a course to learn it, then verifying evidence at level {self.target_level}: an assessment, a project "
                f"outcome, a peer review or your manager's validation (a course completion alone doesn't verify)")


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
    related_demand: dict[int, int] | None = None,
) -> GapReport:
    """Essential skills not verified at the target level are missing; optional ones would help.
    Ranked by importance: essential before optional, then by how many related roles need the skill,
    then how many roles need it at all, then by name."""
    related_demand = related_demand or {}
    report = GapReport(role_id, role_label)
    for req in requirements:
        prof = profile.get(req.skill_id)
        item = GapItem(
            req.skill_id, req.uri, req.label, req.kind, req.target_level,
            prof.verified_level if prof else 0, prof.level if prof else 0, demand.get(req.skill_id, 0),
            related_demand.get(req.skill_id, 0),
        )
        if item.verified_level >= req.target_level:
            if req.kind == RequirementKind.essential:
                report.have.append(item)
        elif req.kind == RequirementKind.essential:
            report.missing.append(item)
        else:
            report.helpful.append(item)
    rank = lambda g: (-g.related_demand, -g.demand, g.label)  # noqa: E731 - the ordering is the point
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


@dataclass(slots=True)
class SkillOptions:
    """How to close one skill gap: the best course(s) and a stretch project or gig, if any."""

    skill_id: int
    courses: list[CourseOffer] = field(default_factory=list)
    project: OpportunityOffer | None = None

    @property
    def hours(self) -> float:
        return self.courses[0].duration_hours if self.courses else 0.0


def options_per_skill(missing: list[int], courses: list[CourseOffer], opportunities: list[OpportunityOffer],
                      per_skill: int = 2) -> dict[int, SkillOptions]:
    """Best courses for each missing skill: those covering most of the other gaps, then the shortest."""
    wanted = set(missing)
    out: dict[int, SkillOptions] = {}
    for skill_id in missing:
        teaching = [c for c in courses if skill_id in c.skill_ids]
        teaching.sort(key=lambda c: (-len(c.skill_ids & wanted), c.duration_hours, c.course_id))
        projects = [o for o in opportunities if skill_id in o.skill_ids]
        projects.sort(key=lambda o: (-len(o.skill_ids & wanted), o.opportunity_id))
        out[skill_id] = SkillOptions(skill_id, teaching[:per_skill], projects[0] if projects else None)
    return out


def estimate_weeks(hours: float) -> int:
    return max(1, round(hours / LEARNING_HOURS_PER_WEEK)) if hours else 0

"""Which missing skills to start with, and why: a transparent score, the best stretch project and the time.

The path answer opens with "three skills and one stretch project". The three are the missing essential skills
with the highest score, where the score is a plain sum of points, one entry per reason, so the answer can say
exactly why each skill was chosen:

=============  ======  ======================================================================================
reason         points  when
=============  ======  ======================================================================================
essential      3       the role needs it as essential (every missing skill is: it keeps the sum readable)
neighbours     0–3     related roles (the role's graph neighbours) need it too: 3 × the share that do,
                       rounded half up, so learning it also moves the person towards those roles
course         2       a course in the catalogue teaches it: there is a concrete first step
close          1–3     the person is already close: 3 = they claim the target level (a validation away),
                       2 = verified below the target level, 1 = some unverified evidence below it
=============  ======  ======================================================================================

Ties: more related roles needing it, then more roles needing it at all, then by name and id, so the same
inputs always give the same order. The taxonomy has no skill-to-skill relations (ESCO's skill relations are not
imported), so "close" reads the person's own evidence for the skill itself.

Pure functions over plain data; the handler words the result.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from skills_engine.gaps import GapItem, LearningPlan, SkillOptions, plan
from skills_engine.proficiency import VERIFYING, Proficiency
from storage.models import EvidenceType, RequirementKind
from storage.skills import CourseOffer, OpportunityOffer

TOP = 3  # the product promise: three skills and one stretch project
ESSENTIAL_POINTS = 3
NEIGHBOUR_POINTS = 3  # at most; scaled by the share of related roles that need the skill
COURSE_POINTS = 2
CLAIMED_AT_TARGET_POINTS = 3  # only verification is missing: the quickest gap to close
VERIFIED_BELOW_POINTS = 2
SOME_EVIDENCE_POINTS = 1


class ReasonKind(str, enum.Enum):
    essential = "essential"
    neighbours = "neighbours"
    course = "course"
    close = "close"


class Closeness(str, enum.Enum):
    claimed_at_target = "claimed_at_target"  # unverified evidence already at the target level
    verified_below = "verified_below"  # verified, but below the target level
    some_evidence = "some_evidence"  # unverified evidence below the target level


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    points: int
    related: int = 0  # neighbours: how many related roles need the skill ...
    of: int = 0  # ... out of how many related roles
    course: CourseOffer | None = None  # course: the best course for it
    closeness: Closeness | None = None  # close: how close
    level: int = 0  # close: the level the evidence shows (claimed, or verified when verified_below)
    evidence: tuple[EvidenceType, ...] = ()  # close: the unverified kinds of evidence (none: a lapsed verification)


@dataclass(frozen=True, slots=True)
class Priority:
    item: GapItem
    reasons: tuple[Reason, ...]
    score: int  # the sum of the reasons' points

    @classmethod
    def of(cls, item: GapItem, reasons: tuple[Reason, ...]) -> Priority:
        return cls(item, reasons, sum(r.points for r in reasons))

    def reason(self, kind: ReasonKind) -> Reason | None:
        return next((r for r in self.reasons if r.kind == kind), None)


@dataclass(frozen=True)
class Focus:
    """What the path answer opens with."""

    ranked: list[Priority]  # every missing essential skill, highest score first
    project: OpportunityOffer | None  # the open opportunity that best exercises the top skills
    project_skills: list[int]  # the missing skills the project uses, top skills first
    first_course: CourseOffer | None  # the course that teaches most of the top skills
    plan: LearningPlan  # the courses for the top skills alone

    @property
    def top(self) -> list[Priority]:
        return self.ranked[:TOP]


def rank(missing: list[GapItem], options: dict[int, SkillOptions], profile: dict[int, Proficiency],
         neighbours: int) -> list[Priority]:
    """Every missing skill with its reasons, highest score first (see the module's table)."""
    scored = [Priority.of(item, _reasons(item, options.get(item.skill_id), profile.get(item.skill_id), neighbours))
              for item in missing]
    scored.sort(key=lambda p: (-p.score, -p.item.related_demand, -p.item.demand, p.item.label, p.item.skill_id))
    return scored


def focus(missing: list[GapItem], options: dict[int, SkillOptions], profile: dict[int, Proficiency], neighbours: int,
          courses: list[CourseOffer], opportunities: list[OpportunityOffer]) -> Focus:
    ranked = rank(missing, options, profile, neighbours)
    top_ids = [p.item.skill_id for p in ranked[:TOP]]
    project, uses = _best_project(top_ids, [p.item.skill_id for p in ranked], opportunities)
    return Focus(ranked, project, uses, _first_course(top_ids, {g.skill_id for g in missing}, courses),
                 plan(top_ids, courses, []))


def _reasons(item: GapItem, options: SkillOptions | None, prof: Proficiency | None, neighbours: int) -> tuple[Reason, ...]:
    out: list[Reason] = []
    if item.kind == RequirementKind.essential:
        out.append(Reason(ReasonKind.essential, ESSENTIAL_POINTS))
    if neighbours and item.related_demand:
        points = math.floor(NEIGHBOUR_POINTS * item.related_demand / neighbours + 0.5)
        if points:
            out.append(Reason(ReasonKind.neighbours, points, related=item.related_demand, of=neighbours))
    if options is not None and options.courses:
        out.append(Reason(ReasonKind.course, COURSE_POINTS, course=options.courses[0]))
    close = _closeness(item, prof)
    if close is not None:
        out.append(close)
    return tuple(out)


def _closeness(item: GapItem, prof: Proficiency | None) -> Reason | None:
    if prof is None:
        return None
    unverified = tuple(sorted({e.evidence_type for e in prof.evidence if e.evidence_type not in VERIFYING},
                              key=lambda t: t.value))
    if prof.level >= item.target_level:  # unverified evidence (or verification that has lapsed) at the target
        return Reason(ReasonKind.close, CLAIMED_AT_TARGET_POINTS, closeness=Closeness.claimed_at_target,
                      level=prof.level, evidence=unverified)
    if prof.verified_level:
        return Reason(ReasonKind.close, VERIFIED_BELOW_POINTS, closeness=Closeness.verified_below,
                      level=prof.verified_level)
    if prof.level:
        return Reason(ReasonKind.close, SOME_EVIDENCE_POINTS, closeness=Closeness.some_evidence, level=prof.level,
                      evidence=unverified)
    return None


def _best_project(top: list[int], missing: list[int],
                  opportunities: list[OpportunityOffer]) -> tuple[OpportunityOffer | None, list[int]]:
    """The opportunity using most of the top skills, then most of the other gaps, then the oldest posting."""
    wanted_top, wanted = set(top), set(missing)
    fitting = [o for o in opportunities if o.skill_ids & wanted]
    if not fitting:
        return None, []
    best = min(fitting, key=lambda o: (-len(o.skill_ids & wanted_top), -len(o.skill_ids & wanted), o.opportunity_id))
    return best, [s for s in missing if s in best.skill_ids]  # ``missing`` is in score order: top skills first


def _first_course(top: list[int], missing: set[int], courses: list[CourseOffer]) -> CourseOffer | None:
    """The course teaching most of the top skills, then most other gaps, then the shortest."""
    wanted_top = set(top)
    teaching = [c for c in courses if c.skill_ids & wanted_top]
    if not teaching:
        return None
    return min(teaching, key=lambda c: (-len(c.skill_ids & wanted_top), -len(c.skill_ids & missing),
                                        c.duration_hours, c.course_id))

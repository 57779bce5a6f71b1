"""The path answer: where a person stands against a role, what to learn and how, and — when the jump is
large — a gentler route through related roles. Computed here as one typed result; the handler words it.

Everything about the taxonomy comes from the in-memory role graph (requirements, how many roles need a
skill): a path answer costs the person's evidence, the courses and the open opportunities — three reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skills_engine import gaps, priorities, proficiency, routes
from skills_engine.gaps import LEARNING_HOURS_PER_WEEK, GapItem, GapReport, LearningPlan, SkillOptions
from skills_engine.graph import HaveSets, RoleGraph, RoleNode
from skills_engine.priorities import TOP, Closeness, Focus, Priority, Reason, ReasonKind
from skills_engine.proficiency import Proficiency
from storage.models import Occupation, Person, RequirementKind
from storage.skills import CourseOffer, Requirement, Skills

# The handler words these; it needs no other module of the engine.
__all__ = ["LEARNING_HOURS_PER_WEEK", "TOP", "Closeness", "Focus", "GapItem", "GapReport", "PathAnswer", "Priority", "Reason",
           "ReasonKind", "RoleGraph", "RouteAdvice", "RouteStep", "SkillOptions", "path_to"]


@dataclass(frozen=True)
class RouteStep:
    role: RoleNode
    skills: list[tuple[int, str, str]]  # (skill id, uri, label) to learn for this step, by id
    plan: LearningPlan  # courses for this step's skills


@dataclass(frozen=True)
class RouteAdvice:
    """A route through 1–2 stepping-stone roles whose largest step is clearly smaller than the direct jump."""

    direct_largest: int  # skills to learn at once going straight to the role
    largest_step: int
    total: int
    steps: list[RouteStep]  # the last step is the role itself
    min_similarity: float  # every stepping stone shares at least this share of essentials with the next role

    @property
    def via(self) -> list[RouteStep]:
        return self.steps[:-1]


@dataclass(frozen=True)
class PathAnswer:
    requirements: list[Requirement]
    report: GapReport
    learning: LearningPlan  # the courses (and stretch work) that close the gap
    options: dict[int, SkillOptions]  # per missing skill: its best courses and a project
    route: RouteAdvice | None
    focus: Focus  # what the answer opens with: the top skills and why, one stretch project, their time


def path_to(skills: Skills, graph: RoleGraph, person: Person, role: Occupation, now: dt.datetime) -> PathAnswer:
    profile = proficiency.person_profile(skills, person.id, now)
    node = graph.roles.get(role.id)
    if node is not None:  # the role graph holds every requirement in memory: no join per answer
        reqs = [Requirement(sid, graph.skills[sid][0], graph.skills[sid][1], RequirementKind(kind), level)
                for sid, kind, level in node.requirements()]
    else:
        reqs = skills.requirements(role.id)
    demand = {r.skill_id: graph.demand.get(r.skill_id, 0) for r in reqs}  # in memory: no GROUP BY per answer
    related = graph.related_demand(role.id, [r.skill_id for r in reqs]) if node is not None else {}
    report = gaps.analyse(role.id, role.label, reqs, profile, demand, related)
    missing_ids = [g.skill_id for g in report.missing]
    detour = _detour(graph, person, role, profile)
    route_skills = sorted({s for step in detour[1].steps for s in step.learn} - set(missing_ids)) if detour else []
    offers = skills.courses_teaching(missing_ids + route_skills)  # one read for the gap and the route
    openings = skills.open_opportunities_for(missing_ids)
    options = gaps.options_per_skill(missing_ids, offers, openings)
    neighbours = len(graph.neighbours.get(role.id, ())) if node is not None else 0
    return PathAnswer(
        requirements=reqs,
        report=report,
        learning=gaps.plan(missing_ids, offers, openings),
        options=options,
        route=_advice(graph, role.id, detour, offers) if detour else None,
        focus=priorities.focus(report.missing, options, profile, neighbours, offers, openings),
    )


def _detour(graph: RoleGraph, person: Person, role: Occupation,
            profile: dict[int, Proficiency]) -> tuple[routes.CareerRoute, routes.CareerRoute] | None:
    """When the jump is large, a route through up to two related roles that keeps every step smaller."""
    if role.id not in graph.roles or person.role_id == role.id:
        return None
    have = HaveSets({sid: p.verified_level for sid, p in profile.items() if p.verified_level})
    direct, best = routes.route(graph, have, role.id, current=person.role_id)
    return (direct, best) if best is not None else None


def _advice(graph: RoleGraph, role_id: int, detour: tuple[routes.CareerRoute, routes.CareerRoute],
            offers: list[CourseOffer]) -> RouteAdvice:
    direct, best = detour
    steps = [RouteStep(graph.roles[step.role_id],
                       [(s, graph.skills[s][0], graph.skills[s][1]) for s in sorted(step.learn)],
                       gaps.plan(sorted(step.learn), offers, []))
             for step in best.steps]
    sims = [graph.similarity(a, b) for a, b in zip(best.via, best.via[1:] + [role_id])]
    return RouteAdvice(direct.largest_step, best.largest_step, best.total, steps, min(sims))

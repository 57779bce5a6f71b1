"""Use case: "what's my path to X?" — the gap between a person and a role, and how to close it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from handlers.context import Ladder
from skills_engine import gaps, proficiency
from skills_engine.graph import HaveSets, graph_for
from skills_engine.roles import RoleMatch
from storage import queries
from storage.models import Occupation, Person, RequirementKind

MAX_LISTED = 8


def resolve_role(ladder: Ladder, session: Session, role_text: str) -> RoleMatch:
    return ladder.roles.get(session).resolve(role_text)


def role_choice_reply(match: RoleMatch) -> Reply:
    """Ambiguous or unknown role: offer the candidates as buttons."""
    buttons = [
        Button(label=c.label, ref=ActionRef(kind=ActionKind.pick_role, target=str(c.occupation_id)).encode())
        for c in match.candidates[:5]
    ]
    if match.status == "ambiguous":
        text = f"I know several roles that could be “{match.query}”. Which one do you mean?"
        title = "Which role?"
    elif buttons:
        text = f"I couldn't find a role called “{match.query}”. The closest I know are below — pick one, or try another name."
        title = "Closest roles"
    else:
        text = f"I couldn't find a role called “{match.query}”. Try the role's usual title, e.g. “data scientist”."
        title = ""
    cards = [Card(title=title, buttons=buttons)] if buttons else []
    return Reply(
        text=text,
        cards=cards,
        data={"intent": "career_path", "status": match.status, "query": match.query,
              "candidates": [{"id": c.occupation_id, "label": c.label, "score": c.score} for c in match.candidates]},
    )


def _skill_list(items: list[gaps.GapItem], limit: int = MAX_LISTED) -> str:
    names = [g.label for g in items[:limit]]
    more = len(items) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def path_reply(ladder: Ladder, session: Session, person: Person, role: Occupation) -> Reply:
    evidence = queries.evidence_for(session, person.id)
    profile = proficiency.profile(evidence, ladder.now())
    graph = graph_for(ladder, session)
    node = graph.roles.get(role.id)
    if node is not None:  # the role graph holds every requirement in memory: no join per answer
        reqs = [queries.Requirement(sid, graph.skills[sid][0], graph.skills[sid][1], RequirementKind(kind), level)
                for sid, kind, level in node.requirements()]
    else:
        reqs = queries.requirements(session, role.id)
    demand = {r.skill_id: graph.demand.get(r.skill_id, 0) for r in reqs}  # in memory: no GROUP BY per answer
    related = graph.related_demand(role.id, [r.skill_id for r in reqs]) if role.id in graph.roles else {}
    report = gaps.analyse(role.id, role.label, reqs, profile, demand, related)
    missing_ids = [g.skill_id for g in report.missing]
    route_plan = _route_plan(graph, person, role, profile)
    route_skills = sorted({s for step in route_plan[1].steps for s in step.learn} - set(missing_ids)) if route_plan else []
    offers = queries.courses_teaching(session, missing_ids + route_skills)  # one query for the gap and the route
    openings = queries.open_opportunities_for_skills(session, missing_ids)
    learning = gaps.plan(missing_ids, offers, openings)
    options = gaps.options_per_skill(missing_ids, offers, openings)

    current = person.role.label if person.role else (person.job_title or "not recorded")
    lines = [f"*Your path to {role.label}*", f"You are currently: {current}."]
    if not reqs:
        lines.append(f"I have no skill requirements recorded for {role.label}, so I can't measure a gap yet.")
    elif person.role_id == role.id:
        lines.append(f"That is already your role. You have {len(report.have)} of its {report.essential_total} essential skills verified.")
    else:
        lines.append(f"You have {len(report.have)} of the {report.essential_total} essential skills of {role.label} verified.")
    if report.have:
        lines.append(f"✅ Already verified: {_skill_list(report.have)}.")
    if report.missing:
        lines.append(f"🎯 Missing, most in demand first ({len(report.missing)}):")
        for item in report.missing[:MAX_LISTED]:
            claimed = f" (you claim level {item.claimed_level}, not yet verified)" if item.claimed_level else ""
            lines.append(f"• {item.label} — needs level {item.target_level}{claimed}{_how_line(options.get(item.skill_id))}")
        if len(report.missing) > MAX_LISTED:
            lines.append(f"• …and {len(report.missing) - MAX_LISTED} more")
        lines.append("To close a gap I need verifying evidence at the level shown — an assessment, a project outcome, "
                     "a peer review or your manager's validation (“ask my manager to validate <skill>”).")
        claimed_later = [g for g in report.missing[MAX_LISTED:] if g.claimed_level]
        if claimed_later:
            lines.append("🟡 Also missing, but you claim them (not yet verified — ask your manager to validate): "
                         + ", ".join(f"{g.label} (level {g.claimed_level})" for g in claimed_later[:MAX_LISTED]) + ".")
    elif reqs:
        lines.append("🎉 You have every essential skill verified — talk to your manager about open roles.")

    buttons: list[Button] = []
    if learning.courses:
        first, covered = learning.courses[0]
        names = _skill_list([g for g in report.missing if g.skill_id in covered], 3)
        lines.append(f"➡️ Next step: take “{first.title}” ({first.duration_hours:g} h) — it teaches {names}.")
        for course, _ in learning.courses[:3]:
            buttons.append(Button(label=f"Enrol me in {course.title}"[:75], ref=ActionRef(kind=ActionKind.enrol, target=str(course.course_id)).encode(), style="primary" if course is first else "default"))
        lines.append(
            f"⏱️ The {len(learning.courses)} course(s) I'd suggest take about {learning.hours:g} hours — roughly "
            f"{learning.weeks} week(s) at {gaps.LEARNING_HOURS_PER_WEEK:g} h of learning a week."
        )
    elif report.missing:
        lines.append(f"➡️ Next step: ask your manager for a project that uses {report.missing[0].label}; no course in the catalogue teaches it yet.")
    if learning.projects:
        opp, _ = learning.projects[0]
        lines.append(f"🧗 Stretch {opp.kind}: “{opp.title}” would exercise some of these skills.")
        buttons.append(Button(label="Show stretch projects", ref=ActionRef(kind=ActionKind.show_projects, target=str(role.id)).encode()))
    if person.target_role_id != role.id:
        buttons.append(Button(label=f"Set {role.label} as my target role"[:75], ref=ActionRef(kind=ActionKind.set_target, target=str(role.id)).encode()))

    route = _route(graph, role, route_plan, offers)
    if route:
        lines.extend(route.pop("lines"))

    facts = [
        Fact(title="Essential skills verified", value=f"{len(report.have)} / {report.essential_total}"),
        Fact(title="Missing essentials", value=str(len(report.missing))),
    ]
    if learning.courses:
        facts.append(Fact(title="Estimated time", value=f"{learning.hours:g} h (~{learning.weeks} wk)"))
    card = Card(title=f"Path to {role.label}", facts=facts, buttons=buttons)
    return Reply(
        text="\n".join(lines),
        cards=[card],
        data={
            "intent": "career_path",
            "status": "found",
            "person": person.email,
            "current_role": current,
            "role": {"id": role.id, "uri": role.uri, "label": role.label},
            "have": [_item_json(g) for g in report.have],
            "missing": [_item_json(g, options.get(g.skill_id)) for g in report.missing],
            "helpful": [_item_json(g) for g in report.helpful[:MAX_LISTED]],
            "plan": {
                "courses": [{"id": c.course_id, "code": c.code, "title": c.title, "hours": c.duration_hours,
                             "covers": covered} for c, covered in learning.courses],
                "projects": [{"id": o.opportunity_id, "kind": o.kind, "title": o.title} for o, _ in learning.projects],
                "hours": learning.hours,
                "weeks": learning.weeks,
            },
            "route": route,
        },
    )


def _item_json(g: gaps.GapItem, options: gaps.SkillOptions | None = None) -> dict:
    out = {"skill_id": g.skill_id, "uri": g.uri, "label": g.label, "kind": g.kind.value,
           "target_level": g.target_level, "verified_level": g.verified_level, "claimed_level": g.claimed_level,
           "related_demand": g.related_demand, "demand": g.demand}
    if g.verified_level < g.target_level:
        out["closing_evidence"] = g.closing_evidence
    if options is not None:
        out["courses"] = [{"id": c.course_id, "code": c.code, "title": c.title, "hours": c.duration_hours} for c in options.courses]
        out["project"] = ({"id": options.project.opportunity_id, "kind": options.project.kind, "title": options.project.title}
                          if options.project else None)
    return out


def _how_line(options: gaps.SkillOptions | None) -> str:
    if options is None:
        return ""
    parts = []
    if options.courses:
        c = options.courses[0]
        parts.append(f"course “{c.title}” ({c.duration_hours:g} h)")
    if options.project:
        parts.append(f"{options.project.kind} “{options.project.title}”")
    return (" · " + " · ".join(parts)) if parts else " · no course yet: ask for a project that uses it"


def _route_plan(graph, person: Person, role: Occupation, profile: dict):
    """When the jump is large, a path through up to two related roles that keeps every step smaller."""
    if role.id not in graph.roles or person.role_id == role.id:
        return None
    have = HaveSets({sid: p.verified_level for sid, p in profile.items() if p.verified_level})
    direct, best = graph.route(have, role.id, current=person.role_id)
    return (direct, best) if best is not None else None


def _route(graph, role: Occupation, route_plan, offers) -> dict | None:
    if route_plan is None:
        return None
    direct, best = route_plan
    steps, lines = [], []
    for step in best.steps:
        node = graph.roles[step.role_id]
        step_plan = gaps.plan(sorted(step.learn), offers, [])
        steps.append({"role": {"id": node.id, "uri": node.uri, "label": node.label}, "learn": len(step.learn),
                      "skills": [{"skill_id": s, "uri": graph.skills[s][0], "label": graph.skills[s][1]} for s in sorted(step.learn)],
                      "hours": step_plan.hours, "weeks": step_plan.weeks})
    via = " → ".join(graph.roles[r].label for r in best.via)
    sims = [graph.similarity(a, b) for a, b in zip(best.via, best.via[1:] + [role.id])]
    why = (f"Going straight to {role.label} means learning {direct.largest_step} essential skills at once. Through {via} "
           f"the largest single step is {best.largest_step} skill(s) ({', '.join(str(s['learn']) for s in steps)} per step), "
           f"and each stepping stone shares {min(sims):.0%} or more of its essential skills with the next role, so what you "
           f"verify on the way counts towards {role.label}.")
    lines.append(f"🪜 A gentler route: {via} → {role.label}.")
    lines.append(f"Why: {why}")
    return {"direct": direct.largest_step, "via": steps[:-1], "target": steps[-1], "largest_step": best.largest_step,
            "total": best.total, "why": why, "lines": lines}


def career_path(ladder: Ladder, session: Session, person: Person, role_text: str) -> Reply:
    match = resolve_role(ladder, session, role_text)
    if match.status != "found" or match.role is None:
        return role_choice_reply(match)
    role = session.get(Occupation, match.role.occupation_id)
    assert role is not None
    return path_reply(ladder, session, person, role)

"""Use case: "what's my path to X?" — the gap between a person and a role, and how to close it.

The answer only reads: the router runs the intents and clicks below inside ``Database.read_only()``
(and remembers the role for follow-ups in a small write of its own afterwards).
"""

from __future__ import annotations

from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from handlers.context import Ladder
from handlers.intents import IntentKind
from skills_engine import paths
from skills_engine.labels import LabelMatch
from storage import UnitOfWork
from storage.models import Occupation, Person

MAX_LISTED = 8
READ_ONLY_INTENTS = frozenset({IntentKind.career_path, IntentKind.follow_up_role})
READ_ONLY_CLICKS = frozenset({ActionKind.pick_role, ActionKind.show_path})


def resolve_role(ladder: Ladder, uow: UnitOfWork, role_text: str) -> LabelMatch:
    return ladder.indexes.roles(uow.skills.taxonomy).resolve(role_text)


def role_choice_reply(match: LabelMatch) -> Reply:
    """Ambiguous or unknown role: offer the candidates as buttons."""
    buttons = [
        Button(label=c.label, ref=ActionRef(kind=ActionKind.pick_role, target=str(c.id)).encode())
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
              "candidates": [{"id": c.id, "label": c.label, "score": c.score} for c in match.candidates]},
    )


def career_path(ladder: Ladder, uow: UnitOfWork, person: Person, role_text: str) -> Reply:
    match = resolve_role(ladder, uow, role_text)
    if match.status != "found" or match.best is None:
        return role_choice_reply(match)
    role = uow.skills.occupation(match.best.id)
    assert role is not None
    return path_reply(ladder, uow, person, role)


def path_click(ladder: Ladder, uow: UnitOfWork, person: Person, occupation_id: int) -> Reply:
    """A "pick this role" or "show my path" button."""
    role = uow.skills.occupation(occupation_id)
    if role is None:
        return Reply(text="I can't find that role any more.", ephemeral=True)
    return path_reply(ladder, uow, person, role)


def path_reply(ladder: Ladder, uow: UnitOfWork, person: Person, role: Occupation) -> Reply:
    graph = ladder.indexes.graph(uow.skills.taxonomy)
    answer = paths.path_to(uow.skills, graph, person, role, ladder.now())
    report, learning, options = answer.report, answer.learning, answer.options

    current = _current_role(person, graph)
    lines = [f"*Your path to {role.label}*", f"You are currently: {current}."]
    if not answer.requirements:
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
    elif answer.requirements:
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
            f"{learning.weeks} week(s) at {paths.LEARNING_HOURS_PER_WEEK:g} h of learning a week."
        )
    elif report.missing:
        lines.append(f"➡️ Next step: ask your manager for a project that uses {report.missing[0].label}; no course in the catalogue teaches it yet.")
    if learning.projects:
        opp, _ = learning.projects[0]
        lines.append(f"🧗 Stretch {opp.kind}: “{opp.title}” would exercise some of these skills.")
        buttons.append(Button(label="Show stretch projects", ref=ActionRef(kind=ActionKind.show_projects, target=str(role.id)).encode()))
    if person.target_role_id != role.id:
        buttons.append(Button(label=f"Set {role.label} as my target role"[:75], ref=ActionRef(kind=ActionKind.set_target, target=str(role.id)).encode()))

    route = _route_json(role, answer.route)
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


def _current_role(person: Person, graph: paths.RoleGraph) -> str:
    if person.role_id in graph.roles:  # the role graph has every role's label: no read per answer
        return graph.roles[person.role_id].label
    return person.role.label if person.role else (person.job_title or "not recorded")


def _skill_list(items: list[paths.GapItem], limit: int = MAX_LISTED) -> str:
    names = [g.label for g in items[:limit]]
    more = len(items) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _item_json(g: paths.GapItem, options: paths.SkillOptions | None = None) -> dict:
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


def _how_line(options: paths.SkillOptions | None) -> str:
    if options is None:
        return ""
    parts = []
    if options.courses:
        c = options.courses[0]
        parts.append(f"course “{c.title}” ({c.duration_hours:g} h)")
    if options.project:
        parts.append(f"{options.project.kind} “{options.project.title}”")
    return (" · " + " · ".join(parts)) if parts else " · no course yet: ask for a project that uses it"


def _route_json(role: Occupation, advice: paths.RouteAdvice | None) -> dict | None:
    if advice is None:
        return None
    steps = [{"role": {"id": s.role.id, "uri": s.role.uri, "label": s.role.label}, "learn": len(s.skills),
              "skills": [{"skill_id": sid, "uri": uri, "label": label} for sid, uri, label in s.skills],
              "hours": s.plan.hours, "weeks": s.plan.weeks}
             for s in advice.steps]
    via = " → ".join(s.role.label for s in advice.via)
    why = (f"Going straight to {role.label} means learning {advice.direct_largest} essential skills at once. Through {via} "
           f"the largest single step is {advice.largest_step} skill(s) ({', '.join(str(s['learn']) for s in steps)} per step), "
           f"and each stepping stone shares {advice.min_similarity:.0%} or more of its essential skills with the next role, "
           f"so what you verify on the way counts towards {role.label}.")
    lines = [f"🪜 A gentler route: {via} → {role.label}.", f"Why: {why}"]
    return {"direct": advice.direct_largest, "via": steps[:-1], "target": steps[-1], "largest_step": advice.largest_step,
            "total": advice.total, "why": why, "lines": lines}

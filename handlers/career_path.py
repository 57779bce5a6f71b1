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
READ_ONLY_CLICKS = frozenset({ActionKind.pick_role, ActionKind.show_path, ActionKind.show_all_skills})


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


def path_click(ladder: Ladder, uow: UnitOfWork, person: Person, occupation_id: int,
               kind: ActionKind = ActionKind.show_path) -> Reply:
    """A "pick this role", "show my path" or "show all missing skills" button."""
    role = uow.skills.occupation(occupation_id)
    if role is None:
        return Reply(text="I can't find that role any more.", ephemeral=True)
    return path_reply(ladder, uow, person, role, complete=kind == ActionKind.show_all_skills)


def path_reply(ladder: Ladder, uow: UnitOfWork, person: Person, role: Occupation, *, complete: bool = False) -> Reply:
    """The path answer. It opens with what matters (three skills and why, one stretch project, the time); with
    ``complete`` it lists every missing skill instead, in the same order."""
    graph = ladder.indexes.graph(uow.skills.taxonomy)
    answer = paths.path_to(uow.skills, graph, person, role, ladder.now())
    report, learning, focus = answer.report, answer.learning, answer.focus
    current = _current_role(person, graph)

    title = f"*All {len(report.missing)} missing skills for {role.label}*" if complete else f"*Your path to {role.label}*"
    lines = [title, f"You are currently: {current}."]
    if not answer.requirements:
        lines.append(f"I have no skill requirements recorded for {role.label}, so I can't measure a gap yet.")
    elif person.role_id == role.id:
        lines.append(f"That is already your role. You have {len(report.have)} of its {report.essential_total} essential skills verified.")
    else:
        lines.append(f"You have {len(report.have)} of the {report.essential_total} essential skills of {role.label} verified.")
    if complete:
        lines.extend(_complete_lines(answer))
    elif report.missing:
        lines.extend(_opening_lines(role, answer))
    elif answer.requirements:
        lines.extend(_qualified_lines(person, role, report))
    if report.have and not complete:
        lines.append(f"✅ Already verified: {_skill_list(report.have)}.")
    if report.missing:
        lines.append("To close a gap I need verifying evidence at the level shown — an assessment, a project outcome, "
                     "a peer review or your manager's validation (“ask my manager to validate <skill>”).")
    route = _route_json(role, answer.route)
    if route:
        route_lines = route.pop("lines")
        if not complete:
            lines.extend(route_lines)

    facts = [
        Fact(title="Essential skills verified", value=f"{len(report.have)} / {report.essential_total}"),
        Fact(title="Missing essentials", value=str(len(report.missing))),
    ]
    if focus.top:
        facts.append(Fact(title="Start with", value=", ".join(p.item.label for p in focus.top)))
    if learning.courses:
        facts.append(Fact(title="Estimated time", value=f"{learning.hours:g} h (~{learning.weeks} wk)"))
    card_title = f"All missing skills for {role.label}" if complete else f"Path to {role.label}"
    card = Card(title=card_title[:150], facts=facts, buttons=_buttons(person, role, answer, complete))
    options = answer.options
    data = {
        "intent": "career_path",
        "status": "found",
        "view": "all" if complete else "opening",
        "person": person.email,
        "current_role": current,
        "role": {"id": role.id, "uri": role.uri, "label": role.label},
        "have": [_item_json(g) for g in report.have],
        "missing": [_item_json(g, options.get(g.skill_id)) for g in report.missing],
        "helpful": [_item_json(g) for g in report.helpful[:MAX_LISTED]],
        "top_missing": [_priority_json(role, p) for p in focus.top],
        "stretch_project": _project_json(focus),
        "time": _time_json(answer),
        "plan": {
            "courses": [{"id": c.course_id, "code": c.code, "title": c.title, "hours": c.duration_hours,
                         "covers": covered} for c, covered in learning.courses],
            "projects": [{"id": o.opportunity_id, "kind": o.kind, "title": o.title} for o, _ in learning.projects],
            "hours": learning.hours,
            "weeks": learning.weeks,
        },
        "route": route,
    }
    if complete:
        data["all_missing"] = [{"skill_id": p.item.skill_id, "label": p.item.label, "score": p.score} for p in focus.ranked]
    return Reply(text="\n".join(lines), cards=[card], data=data)


def _opening_lines(role: Occupation, answer: paths.PathAnswer) -> list[str]:
    """Three skills and why, one stretch project, the time, the next step: what the answer opens with."""
    report, learning, focus = answer.report, answer.learning, answer.focus
    top = focus.top
    if len(report.missing) > len(top):
        lines = [f"🎯 Start with these three of your {len(report.missing)} missing skills:"]
    else:
        lines = [f"🎯 {['The one skill', 'The two skills', 'The three skills'][len(top) - 1]} you still need:"]
    for n, priority in enumerate(top, 1):
        lines.append(f"{n}. {priority.item.label} (level {priority.item.target_level}) — {_why(role, priority)}")
    lines.append(_project_line(answer))
    lines.append(_time_line(answer, ['this one', 'these two', 'these three'][len(top) - 1]))
    lines.extend(_next_step_lines(answer))
    shown = {p.item.skill_id for p in top}
    claimed = [g for g in report.missing if g.claimed_level and g.skill_id not in shown]
    if claimed:
        lines.append(f"🟡 You also claim {len(claimed)} more of them (not yet verified — ask your manager to validate): "
                     + ", ".join(f"{g.label} (level {g.claimed_level})" for g in claimed[:MAX_LISTED])
                     + (" …" if len(claimed) > MAX_LISTED else "") + ".")
    if len(report.missing) > len(top):
        lines.append(f"📋 “Show all {len(report.missing)} missing skills” lists the other {len(report.missing) - len(top)}, "
                     "each with how to close it.")
    return lines


def _qualified_lines(person: Person, role: Occupation, report: paths.GapReport) -> list[str]:
    lines = [f"🎉 You have every essential skill of {role.label} verified — you're qualified for it."]
    if person.role_id == role.id:
        lines.append("➡️ Next step: ask me “what roles am I closest to?” to choose where to grow next.")
    else:
        lines.append("➡️ Next step: tell your manager you're ready and ask about open roles"
                     + (f" — setting {role.label} as your target role shows them" if person.target_role_id != role.id else "")
                     + ".")
    if report.helpful:
        lines.append(f"To stand out: {_skill_list(report.helpful, 3)} — optional for {role.label}, but they help.")
    return lines


def _complete_lines(answer: paths.PathAnswer) -> list[str]:
    """Every missing skill, in the order of the opening (most important first), with how to close it."""
    if not answer.focus.ranked:
        return ["🎉 Nothing is missing: every essential skill is verified."] if answer.requirements else []
    lines = ["Most important first (the first three are where I'd start):"]
    for n, priority in enumerate(answer.focus.ranked, 1):
        item = priority.item
        claimed = f" (you claim level {item.claimed_level}, not yet verified)" if item.claimed_level else ""
        lines.append(f"{n}. {item.label} — needs level {item.target_level}{claimed}{_how_line(answer.options.get(item.skill_id))}")
    return lines


def _why(role: Occupation, priority: paths.Priority) -> str:
    """Each reason the skill earned points for, in words (the points are in the reply's data)."""
    return "; ".join(_reason_text(role, r) for r in priority.reasons)


_EVIDENCE_WORDS = {"course_completion": "a course you completed", "self_assessment": "your own rating",
                   "inferred": "what your work suggests"}


def _reason_text(role: Occupation, reason: paths.Reason) -> str:
    kind = reason.kind
    if kind == paths.ReasonKind.essential:
        return f"essential for {role.label}"
    if kind == paths.ReasonKind.neighbours:
        if reason.of == 1:
            return "its one related role needs it too"
        share = f"all {reason.of}" if reason.related == reason.of else f"{reason.related} of its {reason.of}"
        return f"{share} related roles {'needs' if reason.related == 1 else 'need'} it too"
    if kind == paths.ReasonKind.course and reason.course is not None:
        return f"a course teaches it: “{reason.course.title}” ({reason.course.duration_hours:g} h)"
    sources = " and ".join(_EVIDENCE_WORDS.get(e.value, e.value.replace("_", " ")) for e in reason.evidence)
    if reason.closeness == paths.Closeness.claimed_at_target:
        if not sources:
            return f"you showed level {reason.level} before, but that evidence no longer verifies: it needs fresh evidence"
        verb = "put" if len(reason.evidence) > 1 else "puts"
        return f"{sources} already {verb} you at level {reason.level} — only verification is missing"
    if reason.closeness == paths.Closeness.verified_below:
        return f"already verified at level {reason.level}: one level-up away"
    verb = "put" if len(reason.evidence) > 1 else "puts"
    return f"you've started: {sources or 'earlier evidence'} {verb} you at level {reason.level}, not yet verified"


def _project_line(answer: paths.PathAnswer) -> str:
    focus = answer.focus
    if focus.project is None:
        first = focus.top[0].item.label
        return f"🧗 No open stretch project uses these skills right now — ask your manager for work that uses {first}."
    labels = {g.skill_id: g.label for g in answer.report.missing}
    names = [labels[s] for s in focus.project_skills]
    more = f" and {len(names) - 3} more of your gaps" if len(names) > 3 else ""
    return f"🧗 Stretch {focus.project.kind}: “{focus.project.title}” — it uses {', '.join(names[:3])}{more}."


def _time_line(answer: paths.PathAnswer, count: str) -> str:
    learning, top_plan = answer.learning, answer.focus.plan
    pace = f"at {paths.LEARNING_HOURS_PER_WEEK:g} h of learning a week"
    if not learning.courses:
        return ("⏱️ No course in the catalogue teaches these yet, so I can't estimate the time: verifying evidence "
                "from a project or an assessment is the way in.")
    line = (f"⏱️ The {len(learning.courses)} course(s) I'd suggest take about {learning.hours:g} hours — roughly "
            f"{learning.weeks} week(s) {pace}")
    if len(answer.report.missing) <= len(answer.focus.top):
        return line + "."
    if top_plan.courses:
        return line + f"; {count} alone: {top_plan.hours:g} h (~{top_plan.weeks} week(s))."
    return line + f"; no course teaches {count} yet."


def _next_step_lines(answer: paths.PathAnswer) -> list[str]:
    focus, learning = answer.focus, answer.learning
    lines = []
    first = focus.first_course or (learning.courses[0][0] if learning.courses else None)
    if first is not None:
        labels = [p.item.label for p in focus.ranked if p.item.skill_id in first.skill_ids]
        lines.append(f"➡️ Next step: take “{first.title}” ({first.duration_hours:g} h) — it teaches "
                     f"{', '.join(labels[:3])}{' and more' if len(labels) > 3 else ''}.")
    else:
        lines.append(f"➡️ Next step: ask your manager for a project that uses {focus.top[0].item.label}; "
                     "no course in the catalogue teaches it yet.")
    quick = next((p for p in focus.top if (r := p.reason(paths.ReasonKind.close)) is not None
                  and r.closeness == paths.Closeness.claimed_at_target and r.evidence), None)
    if quick is not None:
        lines.append(f"⚡ Quickest win: “ask my manager to validate {quick.item.label}” — you already claim level "
                     f"{quick.item.claimed_level}.")
    return lines


def _buttons(person: Person, role: Occupation, answer: paths.PathAnswer, complete: bool) -> list[Button]:
    """At most five, so Slack shows them all without a "more…" menu."""
    report, learning, focus = answer.report, answer.learning, answer.focus
    buttons: list[Button] = []
    if complete:
        buttons.append(Button(label=f"Back to my path to {role.label}"[:75],
                              ref=ActionRef(kind=ActionKind.show_path, target=str(role.id)).encode()))
    courses = [focus.first_course] if focus.first_course else []
    courses += [c for c, _ in learning.courses if c not in courses]
    for course in courses[:1 if complete else 2]:
        buttons.append(Button(label=f"Enrol me in {course.title}"[:75], style="primary" if course is courses[0] else "default",
                              ref=ActionRef(kind=ActionKind.enrol, target=str(course.course_id)).encode()))
    if not complete and len(report.missing) > len(focus.top):
        buttons.append(Button(label=f"Show all {len(report.missing)} missing skills",
                              ref=ActionRef(kind=ActionKind.show_all_skills, target=str(role.id)).encode()))
    if learning.projects:
        buttons.append(Button(label="Show stretch projects", ref=ActionRef(kind=ActionKind.show_projects, target=str(role.id)).encode()))
    if person.target_role_id != role.id:
        buttons.append(Button(label=f"Set {role.label} as my target role"[:75], ref=ActionRef(kind=ActionKind.set_target, target=str(role.id)).encode()))
    return buttons


def _priority_json(role: Occupation, p: paths.Priority) -> dict:
    reasons = []
    for r in p.reasons:
        out: dict = {"kind": r.kind.value, "points": r.points, "text": _reason_text(role, r)}
        if r.kind == paths.ReasonKind.neighbours:
            out.update(related=r.related, of=r.of)
        if r.course is not None:
            out["course"] = {"id": r.course.course_id, "code": r.course.code, "title": r.course.title,
                             "hours": r.course.duration_hours}
        if r.closeness is not None:
            out.update(closeness=r.closeness.value, level=r.level, evidence=[e.value for e in r.evidence])
        reasons.append(out)
    return {"skill_id": p.item.skill_id, "uri": p.item.uri, "label": p.item.label, "target_level": p.item.target_level,
            "score": p.score, "reasons": reasons}


def _project_json(focus: paths.Focus) -> dict | None:
    if focus.project is None:
        return None
    return {"id": focus.project.opportunity_id, "kind": focus.project.kind, "title": focus.project.title,
            "uses": focus.project_skills}


def _time_json(answer: paths.PathAnswer) -> dict:
    learning, top = answer.learning, answer.focus.plan
    return {"hours": learning.hours, "weeks": learning.weeks, "hours_per_week": paths.LEARNING_HOURS_PER_WEEK,
            "top_hours": top.hours, "top_weeks": top.weeks}


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

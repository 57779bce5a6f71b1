"""Use cases for managers: "who on my team is ready for X?" and "team gaps for X".

Scoped to the manager's own reports — direct and indirect, along the manager_id chain — and nobody
else: the capability is ``view_team``, the reads take its ``Scope`` (filtered in SQL), so even a caller that
forgot the check could not list a non-report; a report who opted out of being shown to others is left out where the
list is read. Anyone without the capability gets a clear refusal (fails closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from conversation import Reply
from handlers import career_path
from handlers.context import Ladder
from governance.permissions import Capability
from handlers.access import Scope, gate
from handlers.access import scope as scope_of
from skills_engine import proficiency
from skills_engine.graph import HaveSets, RoleGraph
from storage import UnitOfWork
from storage.models import Occupation, Person

MAX_PEOPLE = 10
MAX_SKILLS = 10
NOT_A_MANAGER = ("Team views are for managers, and the directory doesn't list you as one. "
                 "If you do lead a team, ask HR ({contact}) to update your record.")
NO_REPORTS = "Nobody reports to you in the directory, so there is no team to look at."


@dataclass(frozen=True, slots=True)
class Readiness:
    person_id: int
    name: str
    email: str
    title: str
    missing: frozenset[int]
    have: int


def scope(ladder: Ladder, uow: UnitOfWork, manager: Person) -> tuple[list[int], Scope, Reply | None]:
    """The people this manager may see and the scope their data is read through — or a refusal."""
    permission = gate(uow, manager, Capability.view_team)
    readable = scope_of(uow, manager, Capability.view_team)
    if not permission:
        return [], readable, Reply(text=NOT_A_MANAGER.format(contact=ladder.settings.hr_contact) + " " + permission.reason,
                                   data={"intent": "team_denied", "reason": "not_a_manager", "status": "forbidden"})
    try:
        ids = uow.people.team(manager.id, readable, surfaced_only=True)  # opted out of being surfaced: left out
    except Exception:  # noqa: BLE001 - fails closed: no scope, no data
        return [], readable, Reply(text="I couldn't work out who reports to you, so I won't show team data right now.",
                                   data={"intent": "team_denied", "reason": "scope_failed"})
    if not ids:
        return [], readable, Reply(text=NO_REPORTS, data={"intent": "team_denied", "reason": "no_reports"})
    return ids, readable, None


def _role(ladder: Ladder, uow: UnitOfWork, role_text: str) -> tuple[Occupation | None, Reply | None]:
    match = career_path.resolve_role(ladder, uow, role_text)
    if match.status == "found" and match.best is not None:
        return uow.skills.occupation(match.best.id), None
    names = [c.label for c in match.candidates[:5]]
    if names:
        text = f"Which role do you mean by “{role_text}”? " + "; ".join(f"“{n}”" for n in names) + ". Ask again with the exact name."
    else:
        text = f"I couldn't find a role called “{role_text}”."
    return None, Reply(text=text, data={"intent": "team_role_choice", "status": match.status,
                                         "candidates": [{"id": c.id, "label": c.label} for c in match.candidates]})


def readiness(ladder: Ladder, uow: UnitOfWork, graph: RoleGraph, person_ids: list[int], role_id: int,
              readable: Scope) -> list[Readiness]:
    """Each person's missing essentials for the role, most ready first (only people ``readable`` covers)."""
    evidence = uow.skills.evidence_for_people(person_ids, readable)
    people = uow.people.in_scope(person_ids, readable)
    person_ids = [pid for pid in person_ids if pid in people and pid in evidence]
    now = ladder.now()
    role = graph.roles[role_id]
    out = []
    for pid in person_ids:
        have = HaveSets(proficiency.verified_levels(proficiency.evidence_items(evidence.get(pid, [])), now))
        missing = graph.missing(role_id, have)
        p = people[pid]
        title = p.job_title or (graph.roles[p.role_id].label if p.role_id in graph.roles else "")
        out.append(Readiness(pid, p.name, p.email, title, missing,
                             len(role.essential) - len(missing)))
    out.sort(key=lambda r: (len(r.missing), -r.have, r.name))
    return out


def _team_view(ladder: Ladder, uow: UnitOfWork, manager: Person, role_text: str):
    """What both team views start from: the manager's reporting line, the role and the role graph —
    or the reply that says why not (not a manager, unknown or ambiguous role)."""
    ids, readable, refusal = scope(ladder, uow, manager)
    if refusal:
        return refusal
    role, problem = _role(ladder, uow, role_text)
    if problem:
        return problem
    assert role is not None
    return ids, readable, role, ladder.indexes.graph(uow.skills.taxonomy)


def team_ready(ladder: Ladder, uow: UnitOfWork, manager: Person, role_text: str) -> Reply:
    view = _team_view(ladder, uow, manager, role_text)
    if isinstance(view, Reply):
        return view
    ids, readable, role, graph = view
    if role.id not in graph.roles or not graph.roles[role.id].essential:
        return Reply(text=f"I have no essential skills recorded for {role.label}, so I can't rank readiness.",
                     data={"intent": "team_ready", "role": {"id": role.id, "label": role.label}, "people": []})
    ranked = readiness(ladder, uow, graph, ids, role.id, readable)
    total = len(graph.roles[role.id].essential)
    ready = [r for r in ranked if not r.missing]
    lines = [f"*Who on your team is ready for {role.label}* ({len(ids)} people, {total} essential skills)",
             f"{len(ready)} ready now." if ready else "Nobody has every essential skill verified yet; closest first:"]
    for r in ranked[:MAX_PEOPLE]:
        if not r.missing:
            lines.append(f"• {r.name} ({r.title}) — ready ✅")
            continue
        names = sorted(graph.skills[s][1] for s in r.missing)
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        lines.append(f"• {r.name} ({r.title}) — {len(r.missing)} missing: {shown}")
    return Reply(text="\n".join(lines), data={
        "intent": "team_ready", "role": {"id": role.id, "uri": role.uri, "label": role.label}, "team_size": len(ids),
        "people": [{"email": r.email, "name": r.name, "missing_count": len(r.missing), "have": r.have,
                    "missing": [{"skill_id": s, "uri": graph.skills[s][0], "label": graph.skills[s][1]} for s in sorted(r.missing)]}
                   for r in ranked]})


def team_gaps(ladder: Ladder, uow: UnitOfWork, manager: Person, role_text: str) -> Reply:
    view = _team_view(ladder, uow, manager, role_text)
    if isinstance(view, Reply):
        return view
    ids, readable, role, graph = view
    if role.id not in graph.roles or not graph.roles[role.id].essential:
        return Reply(text=f"I have no essential skills recorded for {role.label}.", data={"intent": "team_gaps", "skills": []})
    ranked = readiness(ladder, uow, graph, ids, role.id, readable)
    lacking: dict[int, int] = {s: 0 for s in graph.roles[role.id].essential}
    for r in ranked:
        for s in r.missing:
            lacking[s] += 1
    related = graph.related_demand(role.id, lacking)
    order = sorted(lacking, key=lambda s: (-lacking[s], -related.get(s, 0), -graph.demand.get(s, 0), graph.skills[s][1]))
    offers = uow.skills.courses_teaching(order[:MAX_SKILLS])
    lines = [f"*Team gaps for {role.label}* — across your {len(ids)} report(s), the skills most people lack:"]
    out = []
    for s in order:
        teaching = sorted((c for c in offers if s in c.skill_ids), key=lambda c: (c.duration_hours, c.course_id))
        out.append({"skill_id": s, "uri": graph.skills[s][0], "label": graph.skills[s][1], "lacking": lacking[s],
                    "team_size": len(ids), "course": ({"id": teaching[0].course_id, "title": teaching[0].title} if teaching else None)})
    for item in out[:MAX_SKILLS]:
        if not item["lacking"]:
            break
        course = f" · course “{item['course']['title']}”" if item["course"] else ""
        lines.append(f"• {item['label']} — {item['lacking']} of {len(ids)} lack it{course}")
    covered = sum(1 for item in out if not item["lacking"])
    if covered:
        lines.append(f"{covered} essential skill(s) are verified for everyone.")
    return Reply(text="\n".join(lines), data={"intent": "team_gaps", "role": {"id": role.id, "uri": role.uri, "label": role.label},
                                               "team_size": len(ids), "skills": out})

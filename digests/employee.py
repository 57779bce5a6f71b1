"""The employees' weekly digest (opt-in): progress on their path to their target role, the next step, the courses
they are taking, and open opportunities that fit their gap and were not in an earlier digest.

Built for many people at once: one read of everyone's evidence, enrolments, the courses teaching their missing
skills and the opportunities that use them, then each digest from memory (bench/digest_bench.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from digests.content import Digest, Window, when
from digests.opportunities import fitting_opportunities
from digests.readiness import missing_for_targets
from digests.schedule import DigestKind
from skills_engine.graph import RoleGraph
from storage import UnitOfWork
from storage.models import Person
from storage.scope import Scope
from storage.skills import CourseOffer

MAX_OPPORTUNITIES = 3
_CHUNK = 2000


def _next_course(missing: frozenset[int], offers_by_skill: dict[int, list[CourseOffer]], graph: RoleGraph,
                 taking: set[int], done: set[int]) -> tuple[int, CourseOffer] | None:
    """The missing skill most roles need that a course teaches, with its shortest course the person isn't already
    taking or finished."""
    for skill in sorted(missing, key=lambda s: (-graph.demand.get(s, 0), graph.skills.get(s, ("", ""))[1], s)):
        courses = [c for c in offers_by_skill.get(skill, []) if c.course_id not in taking and c.course_id not in done]
        if courses:
            return skill, min(courses, key=lambda c: (c.duration_hours, c.course_id))
    return None


def build_many(uow: UnitOfWork, graph: RoleGraph, people: Sequence[Person], window: Window) -> dict[int, Digest | None]:
    """person id -> their digest, or None when it would be empty."""
    out: dict[int, Digest | None] = {}
    for start in range(0, len(people), _CHUNK):
        out.update(_build_chunk(uow, graph, list(people[start:start + _CHUNK]), window))
    return out


def _build_chunk(uow: UnitOfWork, graph: RoleGraph, people: list[Person], window: Window) -> dict[int, Digest | None]:
    ids = [p.id for p in people]
    targets = {p.id: p.target_role_id for p in people if p.target_role_id in graph.roles}
    own = Scope(frozenset(ids))  # each digest is about its own reader
    missing = missing_for_targets(uow, graph, targets, own, window.now)
    activity = uow.digests.enrolment_activity(ids)
    previous = uow.digests.last_details(DigestKind.employee.value, ids)
    gaps = sorted(set().union(*missing.values())) if missing else []
    offers_by_skill: dict[int, list[CourseOffer]] = {}
    for offer in uow.skills.courses_teaching(gaps):
        for skill in offer.skill_ids:
            offers_by_skill.setdefault(skill, []).append(offer)
    openings = fitting_opportunities(uow, gaps)
    out: dict[int, Digest | None] = {}
    for person in people:
        out[person.id] = _one(graph, person, window, targets.get(person.id), missing.get(person.id), activity[person.id],
                              previous.get(person.id, {}), offers_by_skill, openings)
    return out


def _one(graph, person: Person, window: Window, target: int | None, gaps: frozenset[int] | None, activity,
         previous: dict, offers_by_skill, openings) -> Digest | None:
    lines = [f"*Your weekly Ladder digest* — {when(window.since)} to {when(window.now)}"]
    cards: list[Card] = []
    detail: dict = {}
    new: list[int] = []
    taking = {a.course_id for a in activity if a.status in ("enrolled", "in_progress")}
    done = {a.course_id for a in activity if a.status == "completed"}
    said = False
    if target is not None and gaps is not None:
        role = graph.roles[target]
        total, have = len(role.essential), len(role.essential) - len(gaps)
        detail.update(role_id=target, have=have, total=total)
        change = ""
        if previous.get("role_id") == target and isinstance(previous.get("have"), int):
            delta = have - previous["have"]
            change = f" — up {delta} since your last digest" if delta > 0 else (" — the same as last week" if delta == 0 else "")
        lines.append(f"\n*Your path to {role.label}*: {have} of {total} essential skills verified{change}.")
        buttons = [Button(label=f"Open my path to {role.label}"[:75], ref=ActionRef(kind=ActionKind.show_path, target=str(target)).encode())]
        if not gaps:
            lines.append("You have every essential skill verified: talk to your manager about the move.")
        else:
            step = _next_course(gaps, offers_by_skill, graph, taking, done)
            if step is not None:
                skill, course = step
                lines.append(f"➡️ Next step: {graph.skills[skill][1]} — “{course.title}” ({course.duration_hours:g} h).")
                buttons.insert(0, Button(label=f"Enrol me in {course.title}"[:75], style="primary",
                                         ref=ActionRef(kind=ActionKind.enrol, target=str(course.course_id)).encode()))
            else:
                first = min(gaps, key=lambda s: (-graph.demand.get(s, 0), graph.skills.get(s, ("", ""))[1]))
                lines.append(f"➡️ Next step: ask your manager for a project that uses {graph.skills[first][1]}; "
                             "no course teaches it yet.")
        cards.append(Card(title=f"Path to {role.label}", facts=[Fact(title="Verified", value=f"{have} of {total}")],
                          buttons=buttons))
        said = True
    moving = [a for a in activity if a.status in ("enrolled", "in_progress")]
    finished = [a for a in activity if a.status == "completed" and window.covers(a.completed_at)]
    if finished:
        lines.append("\n*Completed this week*: " + ", ".join(a.course_title for a in finished) + " 🎉")
        said = True
    if moving:
        lines.append("\n*Your courses*")
        lines += [f"• {a.course_title} — {a.progress:.0%}" for a in moving[:5]]
        said = True
    if gaps:
        shown_before = set(previous.get("opportunities", []))
        fitting = [o for o in openings if o.skill_ids & gaps and o.opportunity_id not in shown_before]
        fitting.sort(key=lambda o: (-len(o.skill_ids & gaps), o.title, o.opportunity_id))
        if fitting:
            lines.append("\n*New opportunities that fit your gaps*")
            for o in fitting[:MAX_OPPORTUNITIES]:
                uses = ", ".join(sorted(graph.skills[s][1] for s in o.skill_ids & gaps if s in graph.skills)[:3])
                lines.append(f"• {o.title} ({o.kind}) — uses {uses}")
            if target is not None:
                cards.append(Card(title="Stretch work", body="Open projects and gigs that use the skills you are building.",
                                  buttons=[Button(label="Show stretch projects",
                                                  ref=ActionRef(kind=ActionKind.show_projects, target=str(target)).encode())]))
            detail["opportunities"] = sorted(shown_before | {o.opportunity_id for o in fitting[:MAX_OPPORTUNITIES]})
            new = [o.opportunity_id for o in fitting[:MAX_OPPORTUNITIES]]
            said = True
        elif shown_before:
            detail["opportunities"] = sorted(shown_before)
    if not said:
        return None
    lines.append("\nSay “stop my digest” to stop these.")
    data = {"intent": "digest", "kind": DigestKind.employee.value, **detail, "new_opportunities": new}
    return Digest(DigestKind.employee, person.id, Reply(text="\n".join(lines), cards=cards, data=data), detail=detail)

"""The employees' weekly digest (opt-in): progress on their path to their target role, the next step, the courses
they are taking, and open opportunities that fit them — ranked by the talent marketplace's matching, at most
``DIGEST_MAX_OPPORTUNITIES`` of them, none that an earlier digest listed.

Built for many people at once: one read of everyone's evidence, enrolments, the courses teaching their missing
skills, and one batched marketplace match for the whole chunk, then each digest from memory (bench/digest_bench.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from digests.content import Digest, Window, when
from digests.opportunities import fitting_opportunities
from digests.readiness import missing_for_targets
from digests.schedule import DigestKind
from marketplace.matching import Match
from skills_engine.graph import RoleGraph
from storage import UnitOfWork
from storage.models import Person
from storage.scope import Scope
from storage.skills import CourseOffer

MAX_OPPORTUNITIES = 3  # the default of Settings.digest_max_opportunities
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


def build_many(uow: UnitOfWork, graph: RoleGraph, people: Sequence[Person], window: Window,
               max_opportunities: int = MAX_OPPORTUNITIES) -> dict[int, Digest | None]:
    """person id -> their digest, or None when it would be empty."""
    out: dict[int, Digest | None] = {}
    for start in range(0, len(people), _CHUNK):
        out.update(_build_chunk(uow, graph, list(people[start:start + _CHUNK]), window, max_opportunities))
    return out


def _build_chunk(uow: UnitOfWork, graph: RoleGraph, people: list[Person], window: Window,
                 cap: int) -> dict[int, Digest | None]:
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
    shown = {pid: set(detail.get("opportunities", [])) for pid, detail in previous.items()}
    openings = fitting_opportunities(uow, ids, today=window.now.date(), cap=cap, shown_before=shown)
    out: dict[int, Digest | None] = {}
    for person in people:
        out[person.id] = _one(graph, person, window, targets.get(person.id), missing.get(person.id), activity[person.id],
                              previous.get(person.id, {}), offers_by_skill, openings.get(person.id, []))
    return out


def _one(graph, person: Person, window: Window, target: int | None, gaps: frozenset[int] | None, activity,
         previous: dict, offers_by_skill, fitting: list[Match]) -> Digest | None:
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
    shown_before = set(previous.get("opportunities", []))
    if fitting:
        lines.append("\n*New opportunities that fit you*")
        for m in fitting:
            why = [f"you have {', '.join(m.have[:3])}" if m.have else "", f"you'd learn {', '.join(m.learn[:3])}" if m.learn else ""]
            hours = f", {m.hours_per_week:g} h a week" if m.hours_per_week else ""
            lines.append(f"• {m.title} ({m.kind}{hours}) — {'; '.join(w for w in why if w)}")
        cards.append(Card(title="Opportunities for you", body="Open projects, gigs and roles ranked on your skills — "
                                                               "never tenure or who you know.",
                          buttons=[Button(label=f"I'm interested: {m.title}"[:75],
                                          ref=ActionRef(kind=ActionKind.apply_opportunity, target=str(m.opportunity_id)).encode())
                                   for m in fitting]))
        new = [m.opportunity_id for m in fitting]
        detail["opportunities"] = sorted(shown_before | set(new))
        said = True
    elif shown_before:
        detail["opportunities"] = sorted(shown_before)
    if not said:
        return None
    lines.append("\nSay “stop my digest” to stop these.")
    data = {"intent": "digest", "kind": DigestKind.employee.value, **detail, "new_opportunities": new}
    return Digest(DigestKind.employee, person.id, Reply(text="\n".join(lines), cards=cards, data=data), detail=detail)

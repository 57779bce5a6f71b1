"""The mandatory-course policy: which courses every new hire takes, or those hired into one role or one team.

Kept in the database (``mandatory_courses``, migration 0016), so every process reads the same policy and each change
is audited. The default is empty — no course is mandatory until an admin, HR or L&D says so with
``/ladder mandatory add <course> [for everyone | for role <role> | for team <team>]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from storage import UnitOfWork
from storage.models import Course, MandatoryCourse, MandatoryScope


class PolicyInputError(ValueError):
    """A policy change that can't be made; the message is for the person who asked."""


@dataclass(frozen=True)
class Rule:
    course_code: str
    course_title: str
    scope: str  # everyone | role | team
    scope_name: str  # "everyone", the role's label or the team's name

    @property
    def line(self) -> str:
        who = "every new hire" if self.scope == "everyone" else f"new hires in {self.scope} {self.scope_name}"
        return f"{self.course_code} “{self.course_title}” — {who}"


@dataclass(frozen=True)
class Change:
    status: str  # added | removed | unchanged
    rule: Rule


def rules(uow: UnitOfWork) -> list[Rule]:
    rows = uow.onboarding.mandatory_rules()
    names = uow.onboarding.scope_names([r for r, _ in rows])
    return [Rule(c.code, c.title, r.scope.value, "everyone" if r.scope == MandatoryScope.everyone
                 else names.get((r.scope.value, r.scope_id), f"#{r.scope_id}")) for r, c in rows]


def courses_for(uow: UnitOfWork, role_id: int | None, team_id: int | None) -> list[Course]:
    return uow.onboarding.mandatory_for(role_id, team_id)


def change(uow: UnitOfWork, verb: str, course_text: str, scope_text: str, *, actor_id: int | None, now: dt.datetime,
           resolve_role: Callable[[str], tuple[int, str] | None]) -> Change:
    """Add or remove one rule (audited). ``scope_text``: "", "everyone", "role <role>" or "team <team>";
    ``resolve_role`` turns a role's name into (id, label) — the caller's role index. Raises PolicyInputError."""
    course = _course(uow, course_text)
    scope, scope_id, scope_name = _scope(uow, scope_text, resolve_role)
    rule = Rule(course.code, course.title, scope.value, scope_name)
    existing = uow.onboarding.mandatory_rule(course.id, scope, scope_id)
    if verb == "add":
        if existing is not None:
            return Change("unchanged", rule)
        uow.onboarding.add_mandatory(MandatoryCourse(course_id=course.id, scope=scope, scope_id=scope_id, added_by=actor_id,
                                                     added_at=now))
    elif verb == "remove":
        if existing is None:
            return Change("unchanged", rule)
        uow.onboarding.remove_mandatory(existing)
    else:
        raise PolicyInputError("Say `add` or `remove`.")
    uow.audit.record(action=f"mandatory_course.{'added' if verb == 'add' else 'removed'}", actor_id=actor_id,
                     object_type="course", object_id=str(course.id), at=now,
                     detail={"course": course.code, "scope": scope.value, "scope_id": scope_id})
    return Change("added" if verb == "add" else "removed", rule)


def _course(uow: UnitOfWork, text: str) -> Course:
    text = text.strip().strip("“”\"'.")
    if not text:
        raise PolicyInputError("Which course? Give its code, e.g. SC101.")
    course = uow.proposals.course_by_code(text) or uow.proposals.course_by_code(text.upper()) or uow.proposals.course_by_title(text)
    if course is None:
        raise PolicyInputError(f"I can't find a course “{text}” in the catalogue — use its code, e.g. SC101.")
    return course


def _scope(uow: UnitOfWork, text: str, resolve_role: Callable[[str], tuple[int, str] | None]) -> tuple[MandatoryScope, int, str]:
    words = text.strip()
    lowered = words.lower()
    if lowered in ("", "everyone", "all", "everybody", "all new hires"):
        return MandatoryScope.everyone, 0, "everyone"
    kind, _, name = words.partition(" ")
    name = name.strip().strip("“”\"'")
    if kind.lower() == "role" and name:
        found = resolve_role(name)
        if found is None:
            raise PolicyInputError(f"I don't know the role “{name}”. Use its name as in “what's my path to …?”.")
        return MandatoryScope.role, found[0], found[1]
    if kind.lower() == "team" and name:
        team = uow.onboarding.team_by_name(name)
        if team is None:
            known = ", ".join(n for _, n in uow.onboarding.teams()) or "none yet"
            raise PolicyInputError(f"There's no team “{name}”. Teams: {known}.")
        return MandatoryScope.team, team.id, team.name
    raise PolicyInputError("Say who it is for: `for everyone`, `for role <role>` or `for team <team>`.")

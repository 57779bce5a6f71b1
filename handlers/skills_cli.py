"""`python app.py skills …`: the skills answers as JSON for scripts and analysts, and course tagging.

    skills profile --as EMAIL --json            skills with ESCO URIs, levels, confidence and evidence
    skills gap     --as EMAIL [--role ROLE]     gap to a role (default: the person's target role)
    skills path    --as EMAIL [--role ROLE]     the full path answer (courses, projects, route)
    skills closest --as EMAIL                   nearest roles with their gap size
    skills tag-courses                          suggest ESCO skills for courses without accepted tags
    skills accept-tag COURSE_CODE SKILL_URI     accept a suggested tag (admins)
"""

from __future__ import annotations

import json
import sys

from handlers import career_path, closest_roles, course_tags, skill_claims
from handlers.context import Ladder
from storage import UnitOfWork

GAP_KEYS = ("person", "current_role", "role", "have", "missing", "helpful")


def _print(payload: dict, text: str, as_json: bool) -> None:
    print(json.dumps(payload, indent=2, ensure_ascii=False, default=str) if as_json else text)


def run(ladder: Ladder, args) -> int:
    if args.action in ("tag-courses", "accept-tag"):
        with ladder.db.unit_of_work() as uow:
            return _tagging(ladder, uow, args)
    with ladder.db.read_only() as uow:  # the answers only read
        return _answer(ladder, uow, args)


def _tagging(ladder: Ladder, uow: UnitOfWork, args) -> int:
    if args.action == "tag-courses":
        result = course_tags.tag_courses(ladder, uow)
        text = "\n".join(f"{c['course']}: " + (", ".join(f"{s['label']} ({s['score']:g})" for s in c["suggestions"]) or "no suggestion")
                         for c in result["courses"]) or "Every course already has accepted skill tags."
        _print(result, text, args.json)
        return 0
    if len(args.args) != 2:
        print("Usage: python app.py skills accept-tag COURSE_CODE SKILL_URI", file=sys.stderr)
        return 2
    actor = uow.people.by_email(args.as_email) if args.as_email else None
    result = course_tags.accept_tag(ladder, uow, args.args[0], args.args[1], actor)
    _print(result, "Accepted." if result["accepted"] else f"Not accepted: {result['reason']}.", args.json)
    return 0 if result["accepted"] else 1


def _answer(ladder: Ladder, uow: UnitOfWork, args) -> int:
    action = args.action
    if not args.as_email:
        print(f"skills {action} needs --as EMAIL", file=sys.stderr)
        return 2
    person = uow.people.by_email(args.as_email)
    if person is None:
        print(f"No active person with email {args.as_email} in the directory.", file=sys.stderr)
        return 1
    if action == "profile":
        reply = skill_claims.my_skills(ladder, uow, person)
        _print(reply.data, reply.text, args.json)
        return 0
    if action == "closest":
        reply = closest_roles.closest_roles(ladder, uow, person, limit=10)
        _print(reply.data, reply.text, args.json)
        return 0
    role = None
    if args.role:
        match = career_path.resolve_role(ladder, uow, args.role)
        if match.status != "found" or match.best is None:
            reply = career_path.role_choice_reply(match)
            _print(reply.data, reply.text, args.json)
            return 1
        role = uow.skills.occupation(match.best.id)
    else:
        role = person.target_role
    if role is None:
        print("Give --role ROLE (this person has no target role set).", file=sys.stderr)
        return 2
    reply = career_path.path_reply(ladder, uow, person, role)
    if action == "gap":
        data = {k: reply.data[k] for k in GAP_KEYS if k in reply.data}
        data["intent"] = "gap"
        _print(data, reply.text, args.json)
    else:
        _print(reply.data, reply.text, args.json)
    return 0

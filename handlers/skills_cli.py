"""`python app.py skills …`: the skills answers as JSON for scripts and analysts, and course tagging.

    skills profile --as EMAIL --json            skills with ESCO URIs, levels, confidence and evidence
    skills gap     --as EMAIL [--role ROLE]     gap to a role (default: the person's target role)
    skills path    --as EMAIL [--role ROLE]     the full path answer (courses, projects, route)
    skills closest --as EMAIL                   nearest roles with their gap size
    skills tag-courses                          suggest ESCO skills for courses without accepted tags
    skills accept-tag COURSE_CODE SKILL_URI     accept a suggested tag (admins)
    skills extract [--top K] [--json] [--each-line] < TEXT
                                                ESCO skills read from stdin, each with its supporting sentence
"""

from __future__ import annotations

import json
import sys

from handlers import career_path, closest_roles, course_tags, skill_claims
from handlers.context import Ladder, skill_extractor
from storage import UnitOfWork

GAP_KEYS = ("person", "current_role", "role", "have", "missing", "helpful")


def _print(payload: dict, text: str, as_json: bool) -> None:
    print(json.dumps(payload, indent=2, ensure_ascii=False, default=str) if as_json else text)


def run(ladder: Ladder, args) -> int:
    if args.action == "extract":
        return extract(ladder, args, sys.stdin.read())
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


def _extracted(found) -> list[dict]:
    return [{"uri": s.uri, "label": s.label, "score": s.score, "sentence": s.sentence} for s in found]


def extract(ladder: Ladder, args, text: str) -> int:
    """`skills extract`: the text's ESCO skills; with --each-line one JSON document per input line, in order."""
    top = getattr(args, "top", 10) or 10
    if top < 1:
        print("--top needs a number of 1 or more.", file=sys.stderr)
        return 2
    if not text.strip():
        print("No text to read: give the text on standard input, e.g. "
              "`python app.py skills extract < summary.txt`.", file=sys.stderr)
        return 2
    extractor = skill_extractor(ladder)
    method = "meaning+labels" if extractor.uses_embeddings else "labels only"
    if getattr(args, "each_line", False):
        for number, line in enumerate(text.splitlines(), start=1):
            found = extractor.extract(line, top_k=top) if line.strip() else []
            print(json.dumps({"line": number, "skills": _extracted(found)}, ensure_ascii=False), flush=True)
        return 0
    found = extractor.extract(text, top_k=top)
    lines = [f"{s.score:.2f}  {s.label}  <{s.uri}>\n      from: {s.sentence}" for s in found]
    summary = "\n".join(lines) if lines else "No ESCO skill found in this text."
    _print({"method": method, "skills": _extracted(found)}, f"{summary}\n({method})", args.json)
    return 0

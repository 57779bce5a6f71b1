"""Where each understood request goes, and the replies that help when a request is incomplete or unclear.

``USE_CASES`` maps every catalogue intent that is not a path or skills question to its use case, with the slots
that understanding found. Requests for an admin command in plain words ("kick off the agent", "make check-ins
automatic") run the same subcommand as ``/ladder …`` and are refused the same way for those not allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from conversation import ActionKind, ActionRef, Button, Card, Reply
from governance.permissions import Role
from handlers import (access, admin, approvals as approvals_handler, bias_audit, career_path, challenges, digests,
                      knowledge_answer, learning, marketplace, maturity, onboarding, privacy)
from handlers import dashboard
from handlers import authoring
from handlers import skill_extraction
from handlers import forecast
from handlers import insights as outcome_insights
from handlers.approval_text import parse_challenge, parse_decision, parse_resolution
from handlers.context import Ladder
from handlers.intents import Intent, IntentKind
from storage import UnitOfWork
from storage.models import Person
from understanding.catalogue import Catalogue
from understanding.understand import Understood

UseCase = Callable[[Ladder, UnitOfWork, Person, Intent], Reply]

READS_ONLY = frozenset({IntentKind.show_all, IntentKind.bias_audit, IntentKind.outcome_insights})  # answered inside the router's read-only transaction

ASK_FOR = {
    "role": "Which role do you mean? For example “data scientist” or “cloud engineer”.",
    "skill": "Which skill do you mean? For example “SQL” or “data mining”.",
    "person": "Who do you mean? Give their name or work email.",
    "course": "Which course? Give its code (like DB120) or its title.",
    "proposal_id": "Which proposal? Give its number — “my approvals” lists the ones waiting for you.",
    "challenge_id": "Which challenge? Give its number — “open challenges” lists them.",
    "verb": "Approve, reject or override?",
    "verdict": "Uphold or dismiss?",
    "action_type": "Which kind of action? enrol_course, schedule_checkin, readiness_nudge, adjust_path or stretch_assignment.",
    "autonomy": "Should it be auto, approve (a person decides) or off?",
}
ROLE_WORDS = {Role.employee: "an employee", Role.manager: "a manager (of the people who report to you)", Role.hr: "HR",
              Role.learning: "L&D", Role.admin: "an admin"}


def refusal(uow: UnitOfWork, catalogue: Catalogue, person: Person, intent: Intent, today: dt.date) -> Reply | None:
    """The refusal when this person may not use the intent's capability on anybody (what is needed, who can
    grant it) — or None. The use case then checks the particular person it acts on."""
    try:
        spec = catalogue[intent.kind.value]
    except KeyError:
        return None
    if spec.capability is None:
        return None
    permission = access.gate(uow, person, spec.capability)
    if permission:
        return None
    if spec.capability == access.Capability.decide_proposal and uow.people.away_delegators(person.id, today):
        return None  # standing in for someone away: approvals decides, proposal by proposal, what is theirs now
    if intent.kind in ADMIN_INTENTS:  # refused exactly as its `/ladder …` command is
        return access.refused(permission, "admin_denied", command=ADMIN_INTENTS[intent.kind])
    return access.refused(permission, intent.kind.value)


def missing_slot(catalogue: Catalogue, intent: Intent) -> Reply | None:
    """The first required slot the request lacks, asked for (the next message may answer it)."""
    try:
        spec = catalogue[intent.kind.value]
    except KeyError:
        return None
    for slot in spec.slots:
        if slot.required and intent.slots.get(slot.name) is None:
            known = {name: value.value for name, value in intent.slots.values.items() if value.value is not None}
            return Reply(text=ASK_FOR.get(slot.kind, f"I need the {slot.name.replace('_', ' ')} for that."),
                         data={"intent": intent.kind.value, "status": "needs_slot", "slot": slot.name,
                               "awaiting": {"intent": intent.kind.value, "slot": slot.name, "slots": known}})
    return None


# --------------------------------------------------------------------------- approvals and challenges


def decide(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    parsed = parse_decision(intent.text)
    if parsed is not None:  # the exact command form, with its change and reason, as typed
        return approvals_handler.decide_text(ladder, uow, person, intent.text)
    verb, proposal_id = intent.value("verb"), intent.value("proposal_id")
    reason = intent.slots.text("reason") or None
    change = intent.value("course")
    return approvals_handler.decide_parts(ladder, uow, person, verb, int(proposal_id), change=change, reason=reason)


def explain_proposal(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    pid = intent.value("proposal_id")
    return approvals_handler.explain(ladder, uow, person, int(pid) if pid is not None else None)


def challenge(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    parsed = parse_challenge(intent.text)
    if parsed is not None:
        return challenges.challenge_text(ladder, uow, person, intent.text)
    pid = intent.value("proposal_id")
    reason = intent.slots.text("reason")
    return challenges.challenge_parts(ladder, uow, person, int(pid) if pid is not None else None, reason)


def resolve_challenge(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    if parse_resolution(intent.text) is not None:
        return challenges.resolve_text(ladder, uow, person, intent.text)
    outcome = "upheld" if intent.value("verdict") == "uphold" else "dismissed"
    return challenges.resolve_parts(ladder, uow, person, int(intent.value("challenge_id")), outcome, intent.slots.text("reason"))


# --------------------------------------------------------------------------- learning


def enrol(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    course = intent.slots.get("course")
    assert course is not None  # required: missing_slot asked for it
    if course.status == "found" and course.ref is not None:
        return learning.enrol(ladder, uow, person, course.ref)
    if course.candidates:
        buttons = [Button(label=f"Enrol me in {code}", ref=ActionRef(kind=ActionKind.enrol, target=str(c.id)).encode())
                   for code in course.candidates if (c := uow.skills.course_by_code(code)) is not None]
        return Reply(text=f"Several courses could be “{course.text}”. Which one?", cards=[Card(title="Which course?", buttons=buttons)],
                     data={"intent": "enrol", "status": "ambiguous"})
    return Reply(text=f"I couldn't find a course called “{course.text}” in the catalogue. Ask for your path to a role to "
                      "see the courses that would help.", data={"intent": "enrol", "status": "unknown"})


def set_target(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    match = career_path.resolve_role(ladder, uow, intent.role_text)
    if match.status == "found" and match.best is not None:
        return learning.set_target(ladder, uow, person, match.best.id)
    reply = career_path.role_choice_reply(match)
    buttons = [Button(label=f"Make {c.label} my target", ref=ActionRef(kind=ActionKind.set_target, target=str(c.id)).encode())
               for c in match.candidates[:5]]
    return reply.model_copy(update={"cards": [Card(title="Which role?", buttons=buttons)] if buttons else [],
                                    "data": {**reply.data, "intent": "set_target"}})


def stretch_projects(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """Stretch work towards a named role; otherwise the marketplace's matches for the person ("gigs that fit me"),
    narrowed to where they would learn a skill when they name one ("projects where I could learn Python")."""
    role = intent.slots.get("role")
    if role is not None and role.status != "unknown":
        match = career_path.resolve_role(ladder, uow, intent.role_text)
        if match.status != "found" or match.best is None:
            return career_path.role_choice_reply(match)
        return learning.stretch_projects(ladder, uow, person, match.best.id)
    index = ladder.indexes.skills(uow.skills.taxonomy)
    named = intent.slots.get("skill")
    for text in (named.text if named is not None else None, role.text if role is not None else None):
        skill = index.resolve(text) if text else None
        if skill is not None and skill.status == "found" and skill.best is not None:
            return marketplace.find(ladder, uow, person, intent.text, learn=(skill.best.id, skill.best.label))
    return marketplace.find(ladder, uow, person, intent.text)


def show_all(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    role_id = intent.value("role_id")
    if role_id is None:
        return Reply(text="The full list of which path? Ask “what's my path to <role>?” first.", data={"intent": "show_all"})
    return career_path.path_click(ladder, uow, person, int(role_id), ActionKind.show_all_skills)


# --------------------------------------------------------------------------- admin requests in plain words


def _admin(command: str | Callable[[Intent], str]) -> UseCase:
    def run(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
        return admin.handle(ladder, uow, person, command(intent) if callable(command) else command)
    return run


def seed_demo(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """Resetting deletes every demo record: only the explicit command does it, never a guess at a sentence."""
    return Reply(text="That resets the demo organisation and deletes all its data (people, skills, proposals). "
                      "If that is what you want, type `/ladder seed demo`.", ephemeral=True, data={"intent": "seed_demo", "status": "confirm"})


def _audit_args(intent: Intent) -> str:
    return str(intent.person_text)


def _policy_args(intent: Intent) -> str:
    return f"policy set {intent.value('action_type')} {intent.value('autonomy')}"


# --------------------------------------------------------------------------- conversation


def greeting(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    return Reply(text=f"Hi {person.name.split()[0]}! I'm Ladder. Ask me “what's my path to <role>?” — or type `help` to see what I can do.",
                 data={"intent": "greeting"})


def whoami(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    role = person.role.label if person.role else person.job_title or "not recorded"
    target = person.target_role.label if person.target_role else "none set"
    held = access.roles(uow, person)
    words = ", ".join(ROLE_WORDS[r] for r in Role if r in held) or "nobody yet"
    return Reply(text=f"You are {person.name} ({person.email}). Role: {role}. Target role: {target}. "
                      f"In Ladder you are {words} — `help` lists what that lets you do.",
                 data={"intent": "whoami", "email": person.email, "roles": sorted(r.value for r in held)})


def why_followup(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """"why?" after a path answer: how its three skills were chosen."""
    why = intent.value("explanation")
    if not isinstance(why, dict) or not why.get("reasons"):
        return nothing_to_refer_to(ladder, uow, person, intent)
    lines = [f"*Why these skills for {why.get('role', 'that role')}*"]
    lines += [f"• {label} — {reasons}" for label, reasons in why["reasons"]]
    lines.append("I rank missing skills by what the role needs most, what its neighbouring roles share, whether a course "
                 "teaches it, and how close you already are. “show all” lists every missing skill in that order.")
    return Reply(text="\n".join(lines), data={"intent": "why_followup", "status": "explained"})


def nothing_to_refer_to(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    return Reply(text="I'm not sure what that refers to — I have nothing open in this conversation. "
                      "Ask me a question, or type `help` to see what I can do.", data={"intent": intent.kind.value, "status": "no_context"})


# Requests for an admin command in plain words: the subcommand each runs (its capability is the catalogue's too).
ADMIN_INTENTS: dict[IntentKind, str] = {
    IntentKind.open_challenges: "challenges", IntentKind.admin_status: "status", IntentKind.agent_run: "agent",
    IntentKind.show_policy: "policy", IntentKind.set_policy: "policy", IntentKind.audit_log: "audit", IntentKind.kb_list: "kb",
    IntentKind.onboard_hire: "hire", IntentKind.mandatory_courses: "mandatory",
}

USE_CASES: dict[IntentKind, UseCase] = {
    IntentKind.decide_proposal: decide,
    IntentKind.my_approvals: lambda ladder, uow, person, _i: approvals_handler.my_approvals(ladder, uow, person),
    IntentKind.proposals_about_me: lambda ladder, uow, person, _i: approvals_handler.about_me(ladder, uow, person),
    IntentKind.explain_proposal: explain_proposal,
    IntentKind.challenge_proposal: challenge,
    IntentKind.resolve_challenge: resolve_challenge,
    IntentKind.open_challenges: _admin("challenges"),
    IntentKind.enrol: enrol,
    IntentKind.set_target: set_target,
    IntentKind.stretch_projects: stretch_projects,
    IntentKind.show_all: show_all,
    IntentKind.admin_status: _admin("status"),
    IntentKind.agent_run: _admin("agent run"),
    IntentKind.show_policy: _admin("policy"),
    IntentKind.set_policy: _admin(_policy_args),
    IntentKind.audit_log: _admin(lambda i: f"audit {_audit_args(i)}"),
    IntentKind.kb_list: _admin("kb list"),
    IntentKind.onboard_hire: lambda ladder, uow, person, i: onboarding.chat_hire(ladder, uow, person, i.text),
    IntentKind.mandatory_courses: _admin("mandatory"),
    IntentKind.maturity: maturity.chat,
    IntentKind.dashboard: dashboard.chat,
    IntentKind.author_course: lambda ladder, uow, person, i: authoring.chat(ladder, uow, person, i),
    IntentKind.extract_skills: skill_extraction.share_artefact,
    IntentKind.forecast_gaps: forecast.chat,
    IntentKind.bias_audit: bias_audit.chat,
    IntentKind.outcome_insights: outcome_insights.chat,
    IntentKind.seed_demo: seed_demo,
    IntentKind.policy_question: lambda ladder, uow, person, i: knowledge_answer.answer(ladder, uow, person, i.text,
                                                                                       record_unanswered=True),
    IntentKind.digest_subscribe: digests.subscribe,
    IntentKind.digest_unsubscribe: digests.unsubscribe,
    IntentKind.show_my_digest: digests.show_mine,
    IntentKind.show_team_digest: digests.show_team,
    IntentKind.greeting: greeting,
    IntentKind.whoami: whoami,
    IntentKind.confirm: nothing_to_refer_to,
    IntentKind.pick_option: nothing_to_refer_to,
    IntentKind.why_followup: why_followup,
    IntentKind.export_my_data: privacy.export_mine,
    IntentKind.export_person_data: privacy.export_for,
    IntentKind.erase_my_data: privacy.erase_mine,
    IntentKind.erase_person_data: privacy.erase_for,
    IntentKind.retention_status: privacy.retention_status,
    IntentKind.retention_run: privacy.retention_run,
}


# --------------------------------------------------------------------------- help, clarification, not understood


def capabilities(catalogue: Catalogue, roles: frozenset[Role] | None) -> list[tuple[str, str, str]]:
    """(intent, description, example) of what someone holding ``roles`` may ask for, in catalogue order
    (``None``: someone not in the directory yet, shown what an employee may do)."""
    held = frozenset({Role.employee}) if roles is None else roles
    return [(i.name, i.description, i.help) for i in catalogue.intents if i.listed and i.allowed(held)]


def help_reply(catalogue: Catalogue, roles: frozenset[Role] | None) -> Reply:
    lines = ["*What I can do for you*"]
    for _name, description, example in capabilities(catalogue, roles):
        lines.append(f"• {description}" + (f" — e.g. “{example}”" if example else ""))
    lines.append("Ask in your own words. HR and learning-policy questions are answered from the handbook, with sources. "
                 "`/ladder help` lists the admin commands.")
    return Reply(text="\n".join(lines), data={"intent": "help", "capabilities": [c[0] for c in capabilities(catalogue, roles)]})


def clarify(catalogue: Catalogue, understood: Understood) -> Reply:
    options = [name for name in understood.alternatives if catalogue[name].listed][:2] or list(understood.alternatives[:2])
    buttons = [Button(label=_short(catalogue[name].description), ref=ActionRef(kind=ActionKind.clarify, target=name).encode())
               for name in options]
    return Reply(text="I'm not sure which you mean — pick one:", cards=[Card(title="Did you mean…", buttons=buttons)],
                 data={"intent": "clarify", "options": options, "pending_text": understood.text})


def not_understood(catalogue: Catalogue, roles: frozenset[Role], declined: Reply) -> Reply:
    """Neither a capability nor a handbook answer: who to ask (the knowledge base's own words), and what Ladder can do."""
    return Reply(text=f"{declined.text}\nIf you meant something I can do, try for example " + _examples(catalogue, roles, 5)
                      + " — or type `help` for the full list.",
                 data={**declined.data, "intent": "unknown", "understood": False})


def unreadable(catalogue: Catalogue, roles: frozenset[Role], understood: Understood) -> Reply:
    """A message with no words (emoji, punctuation) or not in English: nothing to search the handbook with."""
    examples = _examples(catalogue, roles, 4)
    if understood.source == "other_language":
        text = (f"That looks like {understood.language}. I can only read English so far: could you ask me in English? "
                f"For example {examples} — or type `help` for everything I can do.")
    else:
        text = (f"There are no words in that for me to go on. Ask me in a sentence, for example {examples} — "
                "or type `help` for everything I can do.")
    return Reply(text=text, data={"intent": "unknown", "understood": False, "reason": understood.source,
                                  **({"language": understood.language} if understood.language else {})})


def _examples(catalogue: Catalogue, roles: frozenset[Role], count: int) -> str:
    """The first ``count`` help examples this person may use, quoted: “…”, “…”."""
    return ", ".join([f"“{example}”" for _n, _d, example in capabilities(catalogue, roles) if example][:count])


def _short(description: str) -> str:
    first = description.split(":")[0].split(".")[0].strip()
    return first if len(first) <= 60 else first[:57] + "…"

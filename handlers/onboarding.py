"""Use cases: registering a new hire (`/ladder hire …` and the same request in plain words), the mandatory-course
policy (`/ladder mandatory …`) and the onboarding pass (`/ladder onboarding [run]`).

The domain (``onboarding``) does the work; this module reads what was typed, resolves the role, the manager and
the team, and words every outcome — including each way the input can be wrong — for the person who asked.
"""

from __future__ import annotations

import datetime as dt

from conversation import Reply
from governance.permissions import Capability
from handlers.access import allowed, refused
from handlers.career_path import resolve_role
from handlers.context import Ladder
from handlers.onboarding_text import EMAIL, HireText, parse_date, parse_hire
from onboarding import NewHire, OnboardingError, Started, register_hire, run
from onboarding import mandatory
from storage import UnitOfWork
from storage.models import Person

HIRE_USAGE = ("`/ladder hire <email> \"<Name>\" as <role> [reporting to <manager email>] [team <team>] [starting <YYYY-MM-DD>]` — "
              "e.g. `/ladder hire jane.doe@kestrel.example \"Jane Doe\" as data analyst reporting to "
              "daniel.okafor@kestrel.example starting 2026-12-07`")
MANDATORY_USAGE = ("`/ladder mandatory` — the policy · `/ladder mandatory add <course code> [for everyone | for role <role> | "
                   "for team <team>]` · `/ladder mandatory remove <course code> [for …]`")
MAX_DAYS_AHEAD = 366
MAX_DAYS_BACK = 90
HOW_WORDS = {"auto": "enrolled automatically (policy: auto)", "approve": "waiting for the manager's approval",
             "off": "not enrolled: course enrolments are switched off in the agent policy", "enrolled": "already enrolled"}


# --------------------------------------------------------------------------- hire


def admin_hire(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder hire …` (the gate in ``admin`` has checked ``onboard_hire``)."""
    if not args.strip():
        return _problem(f"Usage: {HIRE_USAGE}", "usage")
    return hire(ladder, uow, actor, parse_hire(args), source="command")


def chat_hire(ladder: Ladder, uow: UnitOfWork, actor: Person, text: str) -> Reply:
    """"onboard Jane Doe (jane@…) as data analyst reporting to daniel…": the same registration, said in words."""
    permission = allowed(uow, actor, Capability.onboard_hire)
    if not permission:
        return refused(permission, "admin_denied", command="hire")
    return hire(ladder, uow, actor, parse_hire(text), source="chat")


def hire(ladder: Ladder, uow: UnitOfWork, actor: Person, typed: HireText, *, source: str) -> Reply:
    today = ladder.now().date()
    if typed.email is None:
        return _problem("I need the new hire's work email. " + f"Usage: {HIRE_USAGE}", "needs_email")
    existing = uow.people.by_email(typed.email)
    if existing is not None and uow.onboarding.of(existing.id) is None:
        return _problem(f"{existing.name} ({existing.email}) is already an employee, not a new hire — nothing was changed. "
                        "To onboard a new person, use their new work email.", "already_employee")
    if existing is not None:
        return _already(uow, existing)
    if not typed.name:
        return _problem(f"What is the new hire's name? Put it in quotes, e.g. `/ladder hire {typed.email} \"Jane Doe\" as …`.",
                        "needs_name")
    if not typed.role:
        return _problem(f"Which role is {typed.name} hired for? Add `as <role>`, e.g. `as data analyst`.", "needs_role")
    match = resolve_role(ladder, uow, typed.role)
    if match.status != "found" or match.best is None:
        close = ", ".join(c.label for c in match.candidates[:5])
        which = "could be several roles" if match.status == "ambiguous" else "isn't a role I know"
        return _problem(f"“{typed.role}” {which}." + (f" Did you mean: {close}?" if close else "")
                        + " Nothing was changed — say the role again as it is named in the taxonomy.", "unknown_role",
                        candidates=[c.label for c in match.candidates[:5]])
    manager, problem = _manager(uow, typed.manager)
    if problem is not None:
        return problem
    team_id = None
    if typed.team:
        team = uow.onboarding.team_by_name(typed.team)
        if team is None:
            known = ", ".join(name for _, name in uow.onboarding.teams()) or "none yet"
            return _problem(f"There's no team “{typed.team}”. Teams: {known}. Nothing was changed.", "unknown_team")
        team_id = team.id
    start = today
    if typed.start:
        start = parse_date(typed.start, today)
        if start is None:
            return _problem(f"“{typed.start}” isn't a date I can read — use YYYY-MM-DD, e.g. {today + dt.timedelta(days=7)}. "
                            "Nothing was changed.", "bad_date")
        if start > today + dt.timedelta(days=MAX_DAYS_AHEAD) or start < today - dt.timedelta(days=MAX_DAYS_BACK):
            return _problem(f"{start} is too far from today ({today}) for a start date — give one within a year ahead or "
                            f"{MAX_DAYS_BACK} days back. Nothing was changed.", "bad_date")
    try:
        started = register_hire(
            uow, NewHire(typed.email, typed.name, match.best.id, manager.id if manager else None, team_id),
            now=ladder.now(), graph=ladder.indexes.graph(uow.skills.taxonomy), start_date=start, actor_id=actor.id,
            source=source, expiry_days=ladder.settings.approval_expiry_days)
    except OnboardingError as exc:
        return _problem(f"{exc} Nothing was changed.", "refused")
    if started.status == "already":
        return _already(uow, uow.people.get(started.person_id))
    text, data = _started_text(uow, started)
    uow.release()  # committed: the onboarding pass works in transactions of its own
    report = run(ladder.approvals)
    data["pass"] = report.as_data()
    if started.person_id in report.welcomed:
        text += "\nThe welcome message has been sent."
    elif started.person_id in report.undelivered:
        text += "\nThe welcome couldn't be delivered yet (they have no chat account Ladder can reach); it is retried on each pass."
    else:
        text += f"\nThe welcome message goes out on {started.start_date}."
    return Reply(text=text, ephemeral=True, data=data)


def _manager(uow: UnitOfWork, typed: str | None) -> tuple[Person | None, Reply | None]:
    if not typed:
        return None, None
    if EMAIL.fullmatch(typed):
        person = uow.people.by_email(EMAIL.fullmatch(typed).group(1))  # type: ignore[union-attr]
        if person is None:
            return None, _problem(f"I can't find a manager with the email {typed} in the directory. Nothing was changed.",
                                  "unknown_manager")
        return person, None
    wanted = typed.strip().lower()
    people = uow.people.directory()
    exact = [p for p in people if p[1].lower() == wanted]
    first = [p for p in people if p[1].lower().split()[0] == wanted]
    found = exact or first
    if len(found) == 1:
        return uow.people.get(found[0][0]), None
    if len(found) > 1:
        names = ", ".join(f"{n} ({e})" for _, n, e in found[:5])
        return None, _problem(f"Several people could be “{typed}”: {names}. Give the manager's email. Nothing was changed.",
                              "ambiguous_manager")
    return None, _problem(f"I can't find a manager called “{typed}” in the directory — give their work email. Nothing was changed.",
                          "unknown_manager")


def _started_text(uow: UnitOfWork, started: Started) -> tuple[str, dict]:
    person = uow.people.get(started.person_id)
    assert person is not None
    manager = uow.people.get(person.manager_id) if person.manager_id else None
    team = uow.onboarding.team(person.team_id)
    lines = [f"*Onboarding started for {person.name}* ({person.email}) as {person.role.label if person.role else person.job_title}"
             + (f", reporting to {manager.name}" if manager else ", with no manager recorded (HR decides their cards)")
             + (f", team {team.name}" if team else "") + f", starting {started.start_date}."]
    if started.mandatory:
        lines.append("Mandatory courses:")
        lines += [f"• {m.course_code} “{m.course_title}” — {HOW_WORDS[m.how]}" for m in started.mandatory]
    else:
        lines.append("No courses are mandatory for this role and team (see `/ladder mandatory`).")
    if started.path_course_codes:
        lines.append(f"Role path: {', '.join(started.path_course_codes[:5])}.")
    if started.plan_proposal_id:
        who = manager.name if manager else "HR"
        lines.append(f"{who} has the 30/60/90-day plan to confirm (proposal {started.plan_proposal_id}).")
    else:
        lines.append("No 30/60/90-day plan was proposed: onboarding plans are switched off in the agent policy.")
    data = {"intent": "onboard_hire", "status": "started", "person": person.email, "person_id": person.id,
            "start_date": started.start_date.isoformat(), "plan_proposal_id": started.plan_proposal_id,
            "mandatory": [{"course": m.course_code, "how": m.how, "proposal_id": m.proposal_id} for m in started.mandatory],
            "path": started.path_course_codes}
    return "\n".join(lines), data


def _already(uow: UnitOfWork, person: Person | None) -> Reply:
    assert person is not None
    record = uow.onboarding.of(person.id)
    assert record is not None
    return Reply(text=f"{person.name} ({person.email}) is already being onboarded (registered on {record.registered_at:%Y-%m-%d}, "
                      f"starting {record.start_date}). Nothing was changed.", ephemeral=True,
                 data={"intent": "onboard_hire", "status": "already", "person": person.email, "person_id": person.id,
                       "plan_proposal_id": record.plan_proposal_id})


def _problem(text: str, status: str, **data) -> Reply:
    return Reply(text=text, ephemeral=True, data={"intent": "onboard_hire", "status": status, **data})


# --------------------------------------------------------------------------- the mandatory-course policy


def admin_mandatory(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder mandatory [add|remove <course> [for everyone | for role <role> | for team <team>]]`."""
    verb, _, rest = args.strip().partition(" ")
    verb = verb.lower()
    if verb in ("", "list", "show"):
        return _policy_reply(uow)
    if verb not in ("add", "remove", "set", "delete"):
        return Reply(text=f"Usage: {MANDATORY_USAGE}", ephemeral=True, data={"intent": "mandatory_courses", "status": "usage"})
    course_text, _, scope_text = rest.partition(" for ")
    try:
        change = mandatory.change(uow, "add" if verb in ("add", "set") else "remove", course_text, scope_text,
                                  actor_id=actor.id, now=ladder.now(), resolve_role=lambda name: _role(ladder, uow, name))
    except mandatory.PolicyInputError as exc:
        return Reply(text=str(exc), ephemeral=True, data={"intent": "mandatory_courses", "status": "refused"})
    said = {"added": "Added", "removed": "Removed", "unchanged": "Unchanged — it already was so:"}[change.status]
    reply = _policy_reply(uow)
    return Reply(text=f"{said} {change.rule.line}.\n" + reply.text, ephemeral=True,
                 data={**reply.data, "status": change.status})


def _role(ladder: Ladder, uow: UnitOfWork, name: str) -> tuple[int, str] | None:
    match = resolve_role(ladder, uow, name)
    return (match.best.id, match.best.label) if match.status == "found" and match.best is not None else None


def _policy_reply(uow: UnitOfWork) -> Reply:
    rules = mandatory.rules(uow)
    lines = ["*Mandatory courses for new hires*"]
    lines += [f"• {r.line}" for r in rules] or ["• none — no course is mandatory yet (the default)"]
    lines.append(MANDATORY_USAGE)
    return Reply(text="\n".join(lines), ephemeral=True,
                 data={"intent": "mandatory_courses", "rules": [{"course": r.course_code, "scope": r.scope, "for": r.scope_name}
                                                              for r in rules]})


# --------------------------------------------------------------------------- the onboarding pass and the list


def admin_onboarding(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder onboarding` — recent new hires and where each stands · `/ladder onboarding run` — the pass now."""
    if args.strip().lower() == "run":
        uow.release()
        report = run(ladder.approvals)
        return Reply(text="\n".join(["*Onboarding pass*", *report.lines()]), ephemeral=True,
                     data={"intent": "onboarding_run", **report.as_data()})
    if args.strip():
        return Reply(text="Usage: `/ladder onboarding` — recent new hires · `/ladder onboarding run` — the onboarding pass now.",
                     ephemeral=True)
    rows = uow.onboarding.listed()
    if not rows:
        return Reply(text="Nobody is being onboarded. Register a new hire with " + HIRE_USAGE, ephemeral=True,
                     data={"intent": "onboarding_list", "onboardings": []})
    lines = ["*New hires*"]
    for record, name, email in rows:
        welcome = f"welcomed {record.welcome_sent_at:%Y-%m-%d}" if record.welcome_sent_at else "welcome not sent yet"
        lines.append(f"• {name} ({email}) — starts {record.start_date}, {record.status.value.replace('_', ' ')}, {welcome}"
                     + (f", plan: proposal {record.plan_proposal_id}" if record.plan_proposal_id else ""))
    return Reply(text="\n".join(lines), ephemeral=True,
                 data={"intent": "onboarding_list", "onboardings": [
                     {"person": email, "status": r.status.value, "start_date": r.start_date.isoformat(),
                      "welcomed": r.welcome_sent_at is not None, "plan_proposal_id": r.plan_proposal_id} for r, _, email in rows]})

"""Use cases: digests — "send me a weekly digest" / "stop my digest", "show my digest" / "show my team digest",
and `/ladder digest show | schedule | run | timezone | quiet` for admins.

The digests themselves are built and sent by ``digests`` (scheduled in `serve`, or `python app.py digests run`);
this module hands it what it needs (``deps_for``) and words the answers.
"""

from __future__ import annotations

from conversation import Reply
from digests.content import Digest
from digests.deps import DigestDeps
from digests.run import LEARNING_ROLES, RunReport, digest_for, run, schedules
from digests.schedule import WORDS, DigestKind, QuietHours, Schedule, ScheduleError, check_zone, zone
from governance.permissions import Capability
from handlers.access import gate, refused
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

EMPLOYEE = DigestKind.employee.value
USAGE = ("Usage: `/ladder digest show` · `/ladder digest schedule <manager|employee|learning> <mon 09:00|daily 08:00|off>` · "
         "`/ladder digest run [manager|employee|learning]` · `/ladder digest timezone <email> <Area/City|default>` · "
         "`/ladder digest quiet <email> <HH:MM-HH:MM|none|default>`")


def deps_for(ladder: Ladder) -> DigestDeps:
    """What the digests work with: this application's database, clock (read at each use), notifiers and settings."""
    return DigestDeps(db=ladder.db, now=lambda: ladder.now(), notifier=ladder.notifiers, settings=ladder.settings,
                      indexes=ladder.indexes)


# --------------------------------------------------------------------------- chat


def subscribe(ladder: Ladder, uow: UnitOfWork, person: Person, _intent=None) -> Reply:
    new = uow.digests.subscribe(person.id, EMPLOYEE, ladder.now())
    if new:
        uow.audit.record(action="digest.subscribe", actor_id=person.id, subject_id=person.id, object_type="digest",
                         object_id=EMPLOYEE, at=ladder.now())
    when = schedules(deps_for(ladder), uow)[DigestKind.employee]
    timing = f"{when.words()} ({_zone_text(ladder, person)}), outside your quiet hours" if when.enabled else \
        "as soon as an admin turns the employees' digest back on (it is off right now)"
    text = (f"Done — you'll get a weekly digest {timing}: progress on your path, your next step and new opportunities "
            "that fit. Say “stop my digest” any time." if new else
            f"You already get the weekly digest ({timing}). Say “stop my digest” to stop it.")
    return Reply(text=text, data={"intent": "digest_subscribe", "subscribed": True, "changed": new})


def unsubscribe(ladder: Ladder, uow: UnitOfWork, person: Person, _intent=None) -> Reply:
    gone = uow.digests.unsubscribe(person.id, EMPLOYEE)
    if gone:
        uow.audit.record(action="digest.unsubscribe", actor_id=person.id, subject_id=person.id, object_type="digest",
                         object_id=EMPLOYEE, at=ladder.now())
    text = ("Done — no more weekly digests. Say “send me a weekly digest” to start again." if gone else
            "You don't get the weekly digest, so there is nothing to stop. Say “send me a weekly digest” to start it.")
    managers_note = ""
    if uow.digests.manages_anyone(person.id):
        managers_note = " (Your weekly team digest as a manager continues: it carries decisions waiting for you.)"
    return Reply(text=text + managers_note, data={"intent": "digest_unsubscribe", "subscribed": False, "changed": gone})


def _zone_text(ladder: Ladder, person: Person) -> str:
    return f"{zone(person.time_zone, ladder.settings.digest_time_zone).key} time"


def _shown(digest: Digest | None, empty: str, intent: str) -> Reply:
    if digest is None:
        return Reply(text=empty, data={"intent": intent, "empty": True})
    reply = digest.reply
    return reply.model_copy(update={"data": {**reply.data, "intent": intent, "empty": False}})


def show_mine(ladder: Ladder, uow: UnitOfWork, person: Person, _intent=None) -> Reply:
    """The employee digest as it would be now (and, for L&D and HR, theirs too) — whether or not they subscribed."""
    deps = deps_for(ladder)
    uow.release()  # the digest reads in a transaction of its own
    if person.access_role in LEARNING_ROLES:  # who receives the L&D and HR digest
        digest = digest_for(deps, DigestKind.learning, person.id)
        if digest is not None:
            return _shown(digest, "", "show_my_digest")
    digest = digest_for(deps, DigestKind.employee, person.id)
    subscribed = uow.digests.subscribed(person.id, EMPLOYEE)
    tail = "" if subscribed else "\n\nWant this every week? Say “send me a weekly digest”."
    reply = _shown(digest, "Your digest would be empty right now: no target role, no courses in progress and no "
                           "opportunities for you. Set a target role (“set my target role to data analyst”) to get one.",
                   "show_my_digest")
    return reply.model_copy(update={"text": reply.text + tail, "data": {**reply.data, "subscribed": subscribed}})


def show_team(ladder: Ladder, uow: UnitOfWork, person: Person, _intent=None) -> Reply:
    permission = gate(uow, person, Capability.view_team)
    if not permission:
        return refused(permission, "show_team_digest")
    deps = deps_for(ladder)
    uow.release()
    return _shown(digest_for(deps, DigestKind.manager, person.id),
                  "Your team digest would be empty right now: nothing waits for your decision, nobody on your team moved "
                  "or stalled this week, and nobody is newly ready for their target role.", "show_team_digest")


# --------------------------------------------------------------------------- /ladder digest …


def _kind(text: str) -> DigestKind:
    aliases = {"managers": "manager", "employees": "employee", "l&d": "learning", "hr": "learning", "ld": "learning"}
    try:
        return DigestKind(aliases.get(text.lower(), text.lower()))
    except ValueError as exc:
        raise ScheduleError(f"“{text}” is not a digest: use manager, employee or learning") from exc


def show(ladder: Ladder, uow: UnitOfWork) -> Reply:
    current = schedules(deps_for(ladder), uow)
    counts = uow.digests.run_counts()
    lines = ["*Digests*"]
    for kind, schedule in current.items():
        done = ", ".join(f"{n} {status}" for (k, status), n in sorted(counts.items()) if k == kind.value) or "none yet"
        lines.append(f"• {kind.value} — {WORDS[kind]}: *{schedule.text()}* ({schedule.words()}); runs so far: {done}")
    s = ladder.settings
    lines.append(f"Time zone for people without one: {s.digest_time_zone}. Quiet hours: {s.digest_quiet_hours} "
                 "(each person's own override wins). " + USAGE)
    return Reply(text="\n".join(lines), ephemeral=True, data={
        "intent": "digest_show", "schedules": {k.value: v.text() for k, v in current.items()},
        "runs": {f"{k}:{status}": n for (k, status), n in counts.items()}})


def _schedule(ladder: Ladder, uow: UnitOfWork, actor: Person, rest: list[str]) -> Reply:
    if len(rest) < 2:
        return Reply(text=USAGE, ephemeral=True)
    kind = _kind(rest[0])
    schedule = Schedule.parse(" ".join(rest[1:]))
    before = schedules(deps_for(ladder), uow)[kind]
    uow.digests.set_schedule(kind.value, weekday=schedule.weekday, local_time=f"{schedule.at:%H:%M}",
                             enabled=schedule.enabled, by=actor.id, at=ladder.now())
    uow.audit.record(action="digest.schedule", actor_id=actor.id, object_type="digest", object_id=kind.value,
                     detail={"from": before.text(), "to": schedule.text()}, at=ladder.now())
    return Reply(text=f"The {WORDS[kind]} is now *{schedule.text()}* ({schedule.words()}; was {before.text()}).",
                 ephemeral=True, data={"intent": "digest_schedule", "kind": kind.value, "from": before.text(), "to": schedule.text()})


def _person_setting(ladder: Ladder, uow: UnitOfWork, actor: Person, which: str, rest: list[str]) -> Reply:
    if len(rest) != 2:
        return Reply(text=USAGE, ephemeral=True)
    subject = uow.people.by_email(rest[0])
    if subject is None:
        return Reply(text=f"I can't find {rest[0]} in the directory.", ephemeral=True)
    value: str | None = None if rest[1].lower() == "default" else rest[1]
    if which == "timezone":
        if value is not None:
            value = check_zone(value)
        uow.digests.set_time_zone(subject.id, value)
    else:
        if value is not None:
            quiet = QuietHours.parse(value)
            value = quiet.text() if quiet is not None else "none"
        uow.digests.set_quiet_hours(subject.id, value)
    uow.audit.record(action=f"digest.{which}", actor_id=actor.id, subject_id=subject.id, object_type="person",
                     object_id=str(subject.id), detail={"to": value or "default"}, at=ladder.now())
    shown = value or ("the default " + (ladder.settings.digest_time_zone if which == "timezone" else ladder.settings.digest_quiet_hours))
    noun = "time zone" if which == "timezone" else "quiet hours"
    return Reply(text=f"{subject.name}'s {noun} for digests: {shown}.", ephemeral=True,
                 data={"intent": f"digest_{which}", "email": subject.email, "value": value})


def report_reply(report: RunReport) -> Reply:
    return Reply(text="\n".join(report.lines()), ephemeral=True, data={"intent": "digest_run", **report.as_data()})


def admin_digest(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder digest show | schedule … | run [kind] | timezone … | quiet …` (admins: ``manage_digests``)."""
    parts = args.split()
    verb = parts[0].lower() if parts else "show"
    try:
        if verb == "show":
            return show(ladder, uow)
        if verb == "schedule":
            return _schedule(ladder, uow, actor, parts[1:])
        if verb in ("timezone", "quiet"):
            return _person_setting(ladder, uow, actor, verb, parts[1:])
        if verb == "run":
            kinds = [_kind(k) for k in parts[1:]] or None
            uow.audit.record(action="digest.run", actor_id=actor.id, object_type="digest",
                             object_id=",".join(k.value for k in kinds) if kinds else "all", at=ladder.now())
            uow.release()  # the run works in transactions of its own
            return report_reply(run(deps_for(ladder), kinds=kinds, force=True))
    except ScheduleError as exc:
        return Reply(text=f"{exc}. {USAGE}", ephemeral=True, data={"intent": "digest_admin", "status": "invalid"})
    return Reply(text=USAGE, ephemeral=True)

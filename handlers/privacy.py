"""Use cases: a person's privacy rights in chat — export their data, ask for it to be erased — and the retention
purge for admins (`/ladder retention`, `/ladder retention run`).

An export is delivered as two files with the reply (the JSON every record is in, and a readable summary): Slack
uploads them, Teams sends them, the terminal saves them under the data folder. An erasure request never erases
anything by itself: it becomes a proposal HR decides on an approval card; approved, the erasure job runs.
"""

from __future__ import annotations

from approvals import policy, service
from approvals.actions import ActionType
from approvals.notify import notify_approvers
from approvals.utc import when
from conversation import Attachment, Reply
from governance.permissions import Capability, check
from governance.privacy import retention
from governance.privacy.export import build_export, summary_markdown, to_json
from handlers.context import Ladder
from handlers.intents import Intent
from storage import UnitOfWork
from storage.models import Person


# GDPR Art. 12(3): a request is answered within one month — HR's deadline, not the agent's usual week.
ERASURE_DECISION_DAYS = 30


def _subject(uow: UnitOfWork, intent: Intent) -> tuple[Person | None, str]:
    """The person an HR request names (None, with what to say, when nobody or several match)."""
    slot = intent.slots.get("person")
    typed = intent.person_text
    if slot is not None and slot.status == "ambiguous":
        return None, f"Several people could be “{slot.text}”: " + ", ".join(slot.candidates) + ". Give their work email."
    person = uow.people.by_email(typed) if typed and "@" in typed else None
    if person is None and slot is not None and slot.ref is not None:
        person = uow.people.get(int(slot.ref))
    if person is None or not person.active:
        return None, f"I can't find {typed or 'that person'} in the directory."
    return person, ""


# --------------------------------------------------------------------------- export


def export_mine(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    return export(ladder, uow, person, person)


def export_for(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    subject, problem = _subject(uow, intent)
    if subject is None:
        return Reply(text=problem, ephemeral=True, data={"intent": "export_person_data", "status": "unknown_person"})
    return export(ladder, uow, person, subject)


def export(ladder: Ladder, uow: UnitOfWork, actor: Person, subject: Person) -> Reply:
    allowed = check(uow.people, actor, Capability.export_data, subject.id)
    if not allowed:
        return Reply(text=allowed.reason, ephemeral=True, data={"intent": "export_data", "status": "forbidden"})
    now = ladder.now()
    data = build_export(uow, subject.id, now)
    stem = f"ladder-export-{subject.id}-{now:%Y%m%d-%H%M%S}"
    uow.audit.record(action="privacy.exported", actor_id=actor.id, subject_id=subject.id, object_type="person",
                     object_id=str(subject.id), at=now, detail={"counts": data["counts"], "schema": data["schema"]})
    whose = "your data" if actor.id == subject.id else f"{subject.name}'s data"
    records = sum(v for k, v in data["counts"].items() if isinstance(data[k], list))
    return Reply(
        text=(f"Here is everything Ladder holds about {'you' if actor.id == subject.id else subject.name}: "
              f"{records} records besides the profile, as JSON (machine-readable, every record) and a readable summary."),
        ephemeral=True,
        attachments=[Attachment(filename=f"{stem}.json", content_type="application/json", data=to_json(data).encode(),
                                alt_text=f"Data export of {subject.name} as JSON (every record)"),
                     Attachment(filename=f"{stem}.md", content_type="text/markdown", data=summary_markdown(data).encode(),
                                alt_text=f"Readable summary of the data export of {subject.name}")],
        data={"intent": "export_data", "status": "exported", "subject_id": subject.id, "counts": data["counts"],
              "what": whose})


# --------------------------------------------------------------------------- erasure requests


def erase_mine(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    return request_erasure(ladder, uow, person, person)


def erase_for(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    subject, problem = _subject(uow, intent)
    if subject is None:
        return Reply(text=problem, ephemeral=True, data={"intent": "erase_person_data", "status": "unknown_person"})
    return request_erasure(ladder, uow, person, subject)


def request_erasure(ladder: Ladder, uow: UnitOfWork, actor: Person, subject: Person) -> Reply:
    """A proposal for HR, never an erasure: a card goes to an HR admin; nothing is removed until they approve."""
    allowed = check(uow.people, actor, Capability.request_erasure, subject.id)
    if not allowed:
        return Reply(text=allowed.reason, ephemeral=True, data={"intent": "request_erasure", "status": "forbidden"})
    open_request = uow.privacy.open_erasure_request(subject.id)
    if open_request is not None:
        return Reply(text=f"An erasure request is already waiting for HR (proposal {open_request.id}); nothing more to do.",
                     ephemeral=True, data={"intent": "request_erasure", "status": "already_requested", "proposal_id": open_request.id})
    approver = _hr_approver(uow, subject, actor)
    if approver is None:
        return Reply(text="There is no HR admin in Ladder who could approve this request. "
                          f"Please contact HR directly ({ladder.settings.hr_contact}).", ephemeral=True,
                     data={"intent": "request_erasure", "status": "no_approver"})
    now = ladder.now()
    self_service = actor.id == subject.id
    proposal = service.create(uow, service.NewProposal(
        ActionType.erase_person, subject.id, approver.id, {"requested_by": actor.id, "self_service": self_service},
        "The person asked for their data to be erased." if self_service else "HR asked for this person's data to be erased.",
        [{"kind": "request", "text": "Right to erasure (GDPR Art. 17) / right to delete (CCPA)"}],
        f"erasure:{ladder.erasure.pseudonym(subject.id)}:{now:%Y%m%d%H%M%S}"),  # no id: the request outlives the person
        level=policy.Autonomy.approve, now=now, expiry_days=ERASURE_DECISION_DAYS, created_by="person")
    uow.audit.record(action="privacy.erasure.requested", actor_id=actor.id, subject_id=subject.id, object_type="proposal",
                     object_id=str(proposal.id), at=now, detail={"self_service": self_service})
    uow.flush()
    notify_approvers(uow, ladder.notifiers, [proposal.id], today=now.date(), heading="to decide: a data erasure request")
    who = "your data" if self_service else f"{subject.name}'s data"
    return Reply(text=(f"I've asked HR to approve erasing {who} (proposal {proposal.id}). Nothing is removed until an HR "
                       f"admin approves it; once done, {'HR is' if self_service else 'you and HR are'} told. "
                       "The audit trail keeps its entries under a pseudonym."),
                 ephemeral=True, data={"intent": "request_erasure", "status": "requested", "proposal_id": proposal.id,
                                       "approver_id": approver.id})


def _hr_approver(uow: UnitOfWork, subject: Person, requester: Person) -> Person | None:
    """An HR admin who is not the subject — preferably not the requester either (a second person decides)."""
    admins = [a for a in uow.people.hr_admins() if a.id != subject.id]
    others = [a for a in admins if a.id != requester.id]
    return (others or admins or [None])[0]


# --------------------------------------------------------------------------- retention (admins)


def admin_retention(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder retention`: the setting and the last run; `/ladder retention run`: purge now."""
    allowed = check(uow.people, actor, Capability.manage_retention)
    if not allowed:
        return Reply(text=allowed.reason, ephemeral=True, data={"intent": "retention", "status": "forbidden"})
    days = ladder.settings.retention_days
    if args.strip().lower() == "run":
        uow.release()  # the purge runs in a transaction of its own
        report = retention.run(ladder.db, ladder.now(), days)
        parts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in report.purged.items())
        return Reply(text=f"Retention purge done: {report.total} rows older than {days} days ({when(report.cutoff)}) — {parts}.",
                     ephemeral=True, data={"intent": "retention_run", "purged": report.purged, "total": report.total})
    last = retention.last_run(uow)
    lines = ["*Retention*", f"• Conversation memory and personal free text are kept for {days} days (RETENTION_DAYS).",
             f"• The purge runs every {_interval(ladder.settings.retention_interval_seconds)} while Ladder serves."]
    if last is None:
        lines.append("• Last run: never.")
    else:
        lines.append(f"• Last run: {when(last['at'])}, {last['rows_purged']} rows purged "
                     f"({', '.join(f'{k}: {v}' for k, v in (last['detail'].get('purged') or {}).items())}).")
    lines.append("`/ladder retention run` purges now.")
    return Reply(text="\n".join(lines), ephemeral=True,
                 data={"intent": "retention", "retention_days": days,
                       "last_run": None if last is None else {"at": last["at"].isoformat(), "rows_purged": last["rows_purged"]}})


def _interval(seconds: int) -> str:
    if seconds <= 0:
        return "— never in process (run it from cron)"
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day(s)"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    return f"{seconds} seconds"


def retention_status(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    return admin_retention(ladder, uow, person, "")


def retention_run(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    return admin_retention(ladder, uow, person, "run")

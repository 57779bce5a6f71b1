"""Proposals and their state machine.

    proposed → approved | rejected | overridden | expired
    approved | overridden → executed | failed

Every change runs in a transaction guarded by the proposal's version (SQLAlchemy ``version_id_col``:
the UPDATE carries ``WHERE version = <the version we read>``), and writes an audit row. When two
people decide at the same moment, or a click arrives twice, exactly one UPDATE matches; the other
transaction rolls back and its sender is told which decision won.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from approvals import actions, policy
from approvals.actions import ActionType
from storage.audit import record
from storage.models import (
    AccessRole,
    Course,
    Decision,
    Opportunity,
    Person,
    Proposal,
    ProposalStatus,
)

log = logging.getLogger(__name__)

OPEN = ProposalStatus.proposed
DECIDED_OK = (ProposalStatus.approved, ProposalStatus.overridden)
CONFLICTS = (StaleDataError, IntegrityError, OperationalError)

Verb = Literal["approve", "reject", "override"]
OUTCOME: dict[str, ProposalStatus] = {
    "approve": ProposalStatus.approved,
    "reject": ProposalStatus.rejected,
    "override": ProposalStatus.overridden,
}


class _FairLock:
    """A re-entrant FIFO lock: writers are served in arrival order (``threading.Lock`` is not fair,
    and under the GIL an unlucky thread can lose the race many times in a row)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the releasing thread hands ownership over
        self._owner, self._depth = me, 1

    def __exit__(self, *_exc) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiters:
                self._owner = -1  # reserved for the next waiter until it wakes up
                self._waiters.popleft().set()


_SQLITE_WRITERS: dict[str, _FairLock] = {}


@contextlib.contextmanager
def write_lock(session: Session) -> Iterator[None]:
    """SQLite allows one writer: queue this process's writers on a lock instead of SQLite's busy-wait
    (which sleeps in growing steps and turns a short queue into long tail latency). PostgreSQL: no-op;
    row locks and the version check do the work there."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    # Check out a connection *before* queueing: a writer must never wait for the pool while holding
    # the lock (waiters hold connections; that would deadlock). Inside, nothing may touch the
    # database after the block's commit or rollback.
    session.connection()
    lock = _SQLITE_WRITERS.setdefault(str(bind.url), _FairLock())
    with lock:
        yield


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything Ladder stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


def when(value: dt.datetime | None) -> str:
    value = aware(value)
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


# --------------------------------------------------------------------------- who decides


def hr_admins(session: Session) -> list[Person]:
    return list(session.scalars(
        select(Person).where(Person.access_role == AccessRole.hr_admin, Person.active.is_(True)).order_by(Person.id)
    ))


def default_approver_id(session: Session, subject: Person) -> int | None:
    """The subject's manager; without one, the first HR admin who isn't the subject."""
    if subject.manager_id is not None and subject.manager_id != subject.id:
        return subject.manager_id
    for admin in hr_admins(session):
        if admin.id != subject.id:
            return admin.id
    return None


def delegate_active(approver: Person | None, today: dt.date) -> bool:
    return bool(approver is not None and approver.delegate_id and approver.away_until and approver.away_until >= today)


def may_decide(session: Session, person: Person | None, proposal: Proposal, today: dt.date) -> bool:
    """The designated approver, their delegate while they are away, or an HR admin. Fails closed."""
    try:
        if person is None or not person.active or person.id == proposal.subject_id:
            return False
        if person.access_role == AccessRole.hr_admin or person.id == proposal.approver_id:
            return True
        approver = session.get(Person, proposal.approver_id) if proposal.approver_id else None
        return delegate_active(approver, today) and approver.delegate_id == person.id  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - governance fails closed
        log.exception("permission check failed; denying")
        return False


def belongs_to(session: Session, proposal: Proposal, today: dt.date) -> str:
    approver = session.get(Person, proposal.approver_id) if proposal.approver_id else None
    if approver is None:
        return "an HR admin"
    if delegate_active(approver, today):
        delegate = session.get(Person, approver.delegate_id)
        if delegate is not None:
            return f"{approver.name} (or {delegate.name} while {approver.name.split()[0]} is away)"
    return approver.name


# --------------------------------------------------------------------------- read side


@dataclass
class ProposalView:
    """A proposal as plain data, with names resolved: what cards and lists are built from."""

    id: int
    version: int
    action_type: str
    status: str
    subject_id: int
    subject_name: str
    subject_email: str
    approver_id: int | None
    approver_name: str
    summary: str
    payload: dict[str, Any]
    rationale: str
    evidence: list[Any]
    policy_note: str
    created_at: dt.datetime | None
    expires_at: dt.datetime | None
    escalated_at: dt.datetime | None
    decided_at: dt.datetime | None
    executed_at: dt.datetime | None
    attempts: int
    last_error: str | None
    decision_outcome: str | None = None
    decider_name: str | None = None
    decision_reason: str | None = None
    decision_changes: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {
            "id": self.id, "version": self.version, "action_type": self.action_type, "status": self.status,
            "subject": self.subject_email, "approver": self.approver_name, "summary": self.summary,
            "decided_by": self.decider_name, "reason": self.decision_reason, "decided_at": when(self.decided_at) if self.decided_at else None,
            "last_error": self.last_error, "attempts": self.attempts, "payload": self.payload,
        }


def views(session: Session, proposals: list[Proposal], decisions: dict[int, Decision] | None = None) -> list[ProposalView]:
    if not proposals:
        return []
    ids = {p.subject_id for p in proposals} | {p.approver_id for p in proposals if p.approver_id}
    if decisions is None:
        decisions = {d.proposal_id: d for d in session.scalars(select(Decision).where(Decision.proposal_id.in_([p.id for p in proposals])))}
    ids |= {d.decider_id for d in decisions.values() if d.decider_id}
    people = {pid: (name, email) for pid, name, email in session.execute(select(Person.id, Person.name, Person.email).where(Person.id.in_(ids)))}
    out = []
    for p in proposals:
        subject_name, subject_email = people.get(p.subject_id, ("someone", ""))
        d = decisions.get(p.id)
        out.append(ProposalView(
            id=p.id, version=p.version, action_type=p.action_type, status=p.status.value, subject_id=p.subject_id,
            subject_name=subject_name, subject_email=subject_email, approver_id=p.approver_id,
            approver_name=people.get(p.approver_id, ("an HR admin", ""))[0] if p.approver_id else "an HR admin",
            summary=actions.summary(p.action_type, p.payload, subject_name), payload=dict(p.payload or {}),
            rationale=p.rationale, evidence=list(p.evidence or []), policy_note=p.policy_note,
            created_at=aware(p.created_at), expires_at=aware(p.expires_at), escalated_at=aware(p.escalated_at),
            decided_at=aware(p.decided_at), executed_at=aware(p.executed_at), attempts=p.attempts, last_error=p.last_error,
            decision_outcome=d.outcome.value if d else None,
            decider_name=(people.get(d.decider_id, ("someone", ""))[0] if d.decider_id else "Ladder (policy: auto)") if d else None,
            decision_reason=d.reason if d else None, decision_changes=d.changes if d else None,
        ))
    return out


def view(session: Session, proposal_id: int) -> ProposalView | None:
    p = session.get(Proposal, proposal_id, populate_existing=True)
    return views(session, [p])[0] if p is not None else None


def pending_for(session: Session, person: Person, today: dt.date, limit: int = 20) -> list[ProposalView]:
    """Proposals waiting for this person: as approver, as an away manager's delegate, or (HR) all of them."""
    query = select(Proposal).where(Proposal.status == OPEN)
    if person.access_role != AccessRole.hr_admin:
        away = [pid for (pid,) in session.execute(
            select(Person.id).where(Person.delegate_id == person.id, Person.away_until >= today))]
        query = query.where(or_(Proposal.approver_id == person.id, Proposal.approver_id.in_(away) if away else False))
    query = query.where(Proposal.subject_id != person.id).order_by(Proposal.created_at, Proposal.id).limit(limit)
    return views(session, list(session.scalars(query)))


def count_pending_for(session: Session, person: Person) -> int:
    return session.scalar(select(func.count()).select_from(Proposal).where(Proposal.status == OPEN, Proposal.approver_id == person.id)) or 0


# --------------------------------------------------------------------------- create


@dataclass
class NewProposal:
    action_type: ActionType
    subject_id: int
    approver_id: int | None
    payload: dict[str, Any]
    rationale: str
    evidence: list[dict[str, Any]]
    dedupe_key: str


def create(session: Session, new: NewProposal, *, level: policy.Autonomy, now: dt.datetime, expiry_days: int,
           created_by: str = "agent") -> Proposal:
    """Insert a proposal (validated payload) and its audit row. ``auto`` proposals are approved at once."""
    payload = actions.dump_payload(actions.PAYLOADS[new.action_type].model_validate(new.payload))
    auto = level == policy.Autonomy.auto
    p = Proposal(
        action_type=new.action_type.value, subject_id=new.subject_id, approver_id=new.approver_id, payload=payload,
        rationale=new.rationale, evidence=new.evidence, policy_note=policy.note(new.action_type, level),
        status=ProposalStatus.approved if auto else ProposalStatus.proposed, dedupe_key=new.dedupe_key,
        created_by=created_by, created_at=now, expires_at=None if auto else now + dt.timedelta(days=expiry_days),
        decided_at=now if auto else None,
    )
    session.add(p)
    session.flush()
    record(session, action="proposal.created", actor_kind="agent", subject_id=new.subject_id, object_type="proposal",
           object_id=str(p.id), at=now, detail={"action_type": p.action_type, "payload": payload, "rationale": new.rationale,
                                                "evidence": new.evidence, "approver_id": new.approver_id, "policy": level.value})
    if auto:
        session.add(Decision(proposal_id=p.id, decider_id=None, outcome=ProposalStatus.approved, reason="policy: auto", decided_at=now))
        record(session, action="proposal.auto_approved", actor_kind="system", subject_id=new.subject_id, object_type="proposal",
               object_id=str(p.id), at=now, detail={"policy": "auto"})
    return p


# --------------------------------------------------------------------------- decide


@dataclass
class DecisionResult:
    status: Literal["decided", "stale", "forbidden", "invalid", "not_found", "busy"]
    message: str
    view: ProposalView | None = None


def decide(ladder, session: Session, proposal_id: int, decider: Person, verb: Verb, *, version: int | None = None,
           reason: str | None = None, change: str | None = None) -> DecisionResult:
    """Apply one decision, exactly once. Commits ``session``; never raises on a lost race."""
    now, today = ladder.now(), ladder.now().date()
    reason = (reason or "").strip() or None
    try:
        p = session.get(Proposal, proposal_id, populate_existing=True)
        if p is None:
            return DecisionResult("not_found", f"I can't find proposal {proposal_id}.")
        if not may_decide(session, decider, p, today):
            if decider is not None and decider.id == p.subject_id:
                return DecisionResult("forbidden", "This proposal is about you, so you can't decide it — but you can challenge it.", view(session, p.id))
            return DecisionResult("forbidden", f"This decision belongs to {belongs_to(session, p, today)}.", view(session, p.id))
        with write_lock(session):
            deadline = apply_deadline(ladder, session, p, now)
            if deadline is not None:
                session.commit()
        if deadline is not None:
            if deadline == "escalated" and may_decide(session, decider, p, today):
                pass  # still theirs (e.g. an HR admin): decide on the escalated proposal
            else:
                v = view(session, p.id)
                return DecisionResult("stale", _stale_message(v), v)
        if p.status != OPEN or (version is not None and version != p.version):
            v = view(session, p.id)
            return DecisionResult("stale", _stale_message(v), v)
        changes = None
        if verb == "override":
            if not reason:
                return DecisionResult("invalid", "An override needs a reason — say why you're changing it.")
            try:
                new_payload, changes = override_payload(session, p, change or "", today)
            except ValueError as exc:
                return DecisionResult("invalid", str(exc))
        outcome = OUTCOME[verb]
        decision = Decision(proposal_id=p.id, decider_id=decider.id, outcome=outcome, reason=reason, changes=changes, decided_at=now)
        with write_lock(session):
            if changes is not None:
                p.payload = new_payload
            p.status, p.decided_at = outcome, now
            session.add(decision)
            record(session, action=f"proposal.{outcome.value}", actor_id=decider.id, subject_id=p.subject_id, object_type="proposal",
                   object_id=str(p.id), at=now, detail={"reason": reason, "changes": changes, "version": version,
                                                        "on_behalf_of": p.approver_id if p.approver_id != decider.id else None})
            session.flush()
            session.commit()
    except CONFLICTS:
        session.rollback()
        v = view(session, proposal_id)
        if v is None or v.status == OPEN.value:
            log.warning("decision could not be written", extra={"proposal_id": proposal_id})
            return DecisionResult("busy", "I couldn't record that decision just now — please try again.", v)
        return DecisionResult("stale", _stale_message(v), v)
    if outcome in DECIDED_OK:
        from approvals.execution import execute

        execute(ladder, session, p.id, proposal=p)  # p is current: we just wrote it
    v = views(session, [p], {p.id: decision})[0]
    return DecisionResult("decided", f"{_verb_past(outcome)} proposal {p.id}.", v)


def _verb_past(status: ProposalStatus) -> str:
    return {"approved": "Approved", "rejected": "Rejected", "overridden": "Overrode"}.get(status.value, status.value.title())


def _stale_message(v: ProposalView | None) -> str:
    if v is None:
        return "That proposal no longer exists."
    if v.status == "proposed":
        return f"Proposal {v.id} changed since that card was sent (it is now with {v.approver_name}) — here is the current version."
    if v.status == "expired":
        return f"Proposal {v.id} expired on {when(v.decided_at)} without a decision; nothing was changed."
    who = v.decider_name or "someone"
    outcome = v.decision_outcome or v.status
    reason = f" — reason: {v.decision_reason}" if v.decision_reason else ""
    return f"Already decided: proposal {v.id} was {outcome} by {who} on {when(v.decided_at)}{reason}. Nothing was changed."


def override_payload(session: Session, p: Proposal, change: str, today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The payload an override produces, validated; raises ValueError with a message for the decider."""
    change = change.strip()
    if not change:
        raise ValueError(override_hint(p.action_type))
    kind = ActionType(p.action_type)
    payload = dict(p.payload)
    if kind == ActionType.enrol_course:
        course = _course(session, change)
        if course.id == payload.get("course_id"):
            raise ValueError(f"{course.code} is what was proposed already — approve it instead, or pick another course.")
        payload.update(course_id=course.id, course_code=course.code, course_title=course.title)
        changes = {"course": {"from": p.payload.get("course_code"), "to": course.code}}
    elif kind == ActionType.schedule_checkin:
        try:
            date = dt.date.fromisoformat(change)
        except ValueError:
            raise ValueError(f"“{change}” isn't a date — use YYYY-MM-DD, e.g. {today + dt.timedelta(days=3)}.") from None
        if date < today:
            raise ValueError(f"{date} is in the past — pick today or a later date.")
        payload["date"] = date.isoformat()
        changes = {"date": {"from": p.payload.get("date"), "to": date.isoformat()}}
    elif kind == ActionType.adjust_path:
        courses = [_course(session, c) for c in change.replace(",", " ").split()]
        payload.update(course_ids=[c.id for c in courses], course_codes=[c.code for c in courses])
        changes = {"courses": {"from": p.payload.get("course_codes"), "to": [c.code for c in courses]}}
    elif kind in (ActionType.readiness_nudge, ActionType.stretch_assignment):
        opp = _opportunity(session, change)
        payload.update(opportunity_id=opp.id, opportunity_title=opp.title)
        changes = {"opportunity": {"from": p.payload.get("opportunity_title"), "to": opp.title}}
    try:
        payload = actions.dump_payload(actions.PAYLOADS[kind].model_validate(payload))
    except ValidationError as exc:  # pragma: no cover - the branches above build valid payloads
        raise ValueError(f"That change doesn't fit this proposal ({exc.errors()[0]['msg']}).") from None
    return payload, changes


def override_hint(action_type: str) -> str:
    return {
        "enrol_course": "Say which course instead, e.g. `override {id} with DS101 because …`.",
        "schedule_checkin": "Say which date instead, e.g. `override {id} with 2026-12-04 because …`.",
        "adjust_path": "Say which course codes instead, e.g. `override {id} with DS101,DS120 because …`.",
        "readiness_nudge": "Say which opportunity instead (its id or title), e.g. `override {id} with 3 because …`.",
        "stretch_assignment": "Say which opportunity instead (its id or title), e.g. `override {id} with 3 because …`.",
    }.get(action_type, "Say what to change and why.")


def _course(session: Session, text: str) -> Course:
    text = text.strip().strip("“”\"'.")
    course = session.scalar(select(Course).where(func.upper(Course.code) == text.upper()))
    if course is None and text.isdigit():
        course = session.get(Course, int(text))
    if course is None:
        course = session.scalar(select(Course).where(func.lower(Course.title) == text.lower()))
    if course is None:
        raise ValueError(f"I can't find a course “{text}” in the catalogue — use its code, e.g. DS101.")
    return course


def _opportunity(session: Session, text: str) -> Opportunity:
    text = text.strip().strip("“”\"'.")
    opp = session.get(Opportunity, int(text)) if text.isdigit() else session.scalar(
        select(Opportunity).where(func.lower(Opportunity.title) == text.lower()))
    if opp is None or opp.status != "open":
        raise ValueError(f"I can't find an open opportunity “{text}”.")
    return opp


# --------------------------------------------------------------------------- deadlines


def apply_deadline(ladder, session: Session, p: Proposal, now: dt.datetime) -> str | None:
    """Past its deadline: escalate once (new deadline), then expire. Returns what happened, if anything."""
    expires = aware(p.expires_at)
    if p.status != OPEN or expires is None or now < expires:
        return None
    settings = ladder.settings
    if p.escalated_at is None and settings.approval_escalate_to != "none":
        approver = session.get(Person, p.approver_id) if p.approver_id else None
        target = None
        if settings.approval_escalate_to == "manager" and approver is not None and approver.manager_id:
            target = session.get(Person, approver.manager_id)
        if target is None or target.id in (p.subject_id, p.approver_id):
            target = next((a for a in hr_admins(session) if a.id not in (p.subject_id, p.approver_id)), None)
        if target is not None:
            new_deadline = now + dt.timedelta(days=settings.approval_escalation_days)
            before = approver.name if approver else "nobody"
            p.policy_note = (f"Escalated to {target.name} on {now:%Y-%m-%d}: {before} did not decide by "
                             f"{expires:%Y-%m-%d %H:%M} UTC. New deadline {new_deadline:%Y-%m-%d %H:%M} UTC. ") + p.policy_note
            record(session, action="proposal.escalated", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                   object_id=str(p.id), at=now, detail={"from": p.approver_id, "to": target.id, "deadline": new_deadline.isoformat(),
                                                        "missed": expires.isoformat()})
            p.approver_id, p.escalated_at, p.expires_at = target.id, now, new_deadline
            return "escalated"
    p.status, p.decided_at = ProposalStatus.expired, now
    record(session, action="proposal.expired", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
           object_id=str(p.id), at=now, detail={"deadline": expires.isoformat(), "escalated": p.escalated_at is not None})
    return "expired"


def sweep_deadlines(ladder, session: Session) -> dict[str, int]:
    """Escalate or expire every overdue proposal (one transaction each); notifies new approvers."""
    now = ladder.now()
    due = [pid for (pid,) in session.execute(
        select(Proposal.id).where(Proposal.status == OPEN, Proposal.expires_at.is_not(None), Proposal.expires_at <= now))]
    counts = {"escalated": 0, "expired": 0}
    escalated: list[int] = []
    for pid in due:
        try:
            with write_lock(session):
                p = session.get(Proposal, pid, populate_existing=True)
                outcome = apply_deadline(ladder, session, p, now) if p is not None else None
                session.commit()
        except CONFLICTS:
            session.rollback()  # someone decided it meanwhile: their decision stands
            continue
        if outcome:
            counts[outcome] += 1
            if outcome == "escalated":
                escalated.append(pid)
    if escalated:
        from approvals.notify import notify_approvers

        notify_approvers(ladder, session, escalated, heading="escalated to you")
    return counts

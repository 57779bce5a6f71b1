"""Carrying out approved actions, behind an ``Executor`` interface.

The built-in ``LadderExecutor`` acts on Ladder's own tables (enrolments now; an LMS connector can
subclass it later) and sends direct messages through ``ladder.notify``. Every action is idempotent —
running it twice leaves the same state — so a retry after a crash or a lost race is safe. A
``TransientError`` is retried with exponential backoff up to ``execution_max_attempts``; anything
else, or the last attempt, marks the proposal ``failed`` with the error on the card and in the audit.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals.actions import ActionType
from approvals.service import CONFLICTS, DECIDED_OK, write_lock
from storage.audit import record
from storage.models import (
    AuditEvent,
    Course,
    Enrolment,
    EnrolmentStatus,
    Interest,
    Opportunity,
    Person,
    Proposal,
    ProposalStatus,
)

log = logging.getLogger(__name__)


class TransientError(Exception):
    """A failure worth retrying (a timeout, a 503 from an LMS)."""


class Executor:
    """Carries out one proposal inside the caller's transaction; returns a one-line result."""

    def execute(self, ladder, session: Session, proposal: Proposal) -> str:
        handler = getattr(self, ActionType(proposal.action_type).value)
        return handler(ladder, session, proposal)

    # Subclasses override these (e.g. an LMS connector for enrol_course).
    def enrol_course(self, ladder, session: Session, proposal: Proposal) -> str:
        raise NotImplementedError

    schedule_checkin = readiness_nudge = adjust_path = stretch_assignment = enrol_course


class LadderExecutor(Executor):
    def enrol_course(self, ladder, session: Session, proposal: Proposal) -> str:
        p = proposal.payload
        created = _enrol(ladder, session, proposal, p["course_id"])
        title = p.get("course_title") or p.get("course_code")
        _dm(ladder, session, proposal.subject_id, f"You're enrolled in “{title}” — {proposal.rationale}")
        return f"enrolled in {p.get('course_code')}" + ("" if created else " (already enrolled)")

    def adjust_path(self, ladder, session: Session, proposal: Proposal) -> str:
        p = proposal.payload
        made = [code for cid, code in zip(p["course_ids"], p["course_codes"]) if _enrol(ladder, session, proposal, cid)]
        _dm(ladder, session, proposal.subject_id,
            f"Your learning path for {p['role_label']} now includes: {', '.join(p['course_codes']) or 'no new courses'}.")
        return f"path adjusted for {p['role_label']}: enrolled in {', '.join(made) or 'nothing new'}"

    def schedule_checkin(self, ladder, session: Session, proposal: Proposal) -> str:
        p = proposal.payload
        if not _done(session, proposal, "checkin.scheduled"):
            record(session, action="checkin.scheduled", actor_kind="agent", subject_id=proposal.subject_id,
                   object_type="proposal", object_id=str(proposal.id), at=ladder.now(),
                   detail={"date": p["date"], "enrolment_id": p["enrolment_id"], "course": p["course_title"],
                           "with": proposal.approver_id})
        subject = session.get(Person, proposal.subject_id)
        text = f"Check-in on {p['date']} about “{p['course_title']}” (no progress for {p.get('days_without_progress', 0)} days)."
        _dm(ladder, session, proposal.subject_id, f"{text} Your manager will reach out.")
        if subject is not None and subject.manager_id:
            _dm(ladder, session, subject.manager_id, f"{text} With {subject.name}.")
        return f"check-in scheduled for {p['date']}"

    def readiness_nudge(self, ladder, session: Session, proposal: Proposal) -> str:
        p = proposal.payload
        subject = session.get(Person, proposal.subject_id)
        manager_id = p.get("manager_id") or (subject.manager_id if subject else None)
        if not _done(session, proposal, "nudge.sent"):
            _dm(ladder, session, manager_id, f"{subject.name if subject else 'Your report'} looks ready for "
                f"“{p['opportunity_title']}”: their verified skills cover what it needs. {p.get('note') or ''}".strip())
            record(session, action="nudge.sent", actor_kind="agent", subject_id=proposal.subject_id, object_type="proposal",
                   object_id=str(proposal.id), at=ladder.now(), detail={"to": manager_id, "opportunity_id": p["opportunity_id"]})
        return "manager nudged"

    def stretch_assignment(self, ladder, session: Session, proposal: Proposal) -> str:
        p = proposal.payload
        opp = session.get(Opportunity, p["opportunity_id"])
        if opp is None or opp.status != "open":
            raise ValueError(f"the opportunity “{p['opportunity_title']}” is no longer open")
        if session.scalar(select(Interest.id).where(Interest.person_id == proposal.subject_id, Interest.opportunity_id == opp.id)) is None:
            session.add(Interest(person_id=proposal.subject_id, opportunity_id=opp.id, created_at=ladder.now()))
        _dm(ladder, session, proposal.subject_id, f"You've been recommended for the stretch assignment “{opp.title}”.")
        if opp.owner_id:
            _dm(ladder, session, opp.owner_id, f"Ladder recommends a person for “{opp.title}” (proposal {proposal.id}).")
        return f"recommended for {opp.title}"


def _enrol(ladder, session: Session, proposal: Proposal, course_id: int) -> bool:
    """Idempotent: the (person, course) pair is unique; an existing enrolment is left as it is."""
    enrolled = select(Enrolment.id).where(Enrolment.person_id == proposal.subject_id, Enrolment.course_id == course_id).scalar_subquery()
    row = session.execute(select(Course.id, enrolled).where(Course.id == course_id)).first()
    if row is None:
        raise ValueError(f"course {course_id} is no longer in the catalogue")
    if row[1] is not None:
        return False
    session.add(Enrolment(person_id=proposal.subject_id, course_id=course_id, status=EnrolmentStatus.enrolled,
                          enrolled_at=ladder.now(), source=f"proposal:{proposal.id}"))
    record(session, action="enrolment.created", actor_kind="agent", subject_id=proposal.subject_id, object_type="course",
           object_id=str(course_id), at=ladder.now(), detail={"source": f"proposal:{proposal.id}"})
    return True


def _done(session: Session, proposal: Proposal, action: str) -> bool:
    known = session.info.get(DONE_KEY)
    if known is not None and proposal.id in known[1]:  # a batch looked these up in one query
        return (action, str(proposal.id)) in known[0]
    return session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == action, AuditEvent.object_type == "proposal", AuditEvent.object_id == str(proposal.id))) is not None


DONE_KEY = "approvals.done_side_effects"


def _dm(ladder, session: Session, person_id: int | None, text: str) -> None:
    if not person_id or not ladder.notifiers:
        return
    from conversation import Reply

    email = session.scalar(select(Person.email).where(Person.id == person_id))
    if email:
        ladder.notify(email, Reply(text=text, data={"intent": "agent_notice"}))


# --------------------------------------------------------------------------- running


def executor_for(ladder) -> Executor:
    return ladder.__dict__.get("approvals_executor") or LadderExecutor()


def use_executor(ladder, executor: Executor) -> None:
    """Plug in another executor (an LMS connector; in tests, one whose outside service fails)."""
    ladder.__dict__["approvals_executor"] = executor


def execute(ladder, session: Session, proposal_id: int, executor: Executor | None = None, *, proposal: Proposal | None = None,
            sleep=time.sleep) -> str:
    """Execute one approved proposal with bounded retries. Commits ``session``; returns the final status.

    ``proposal``: the caller's already-current object (saves a read); a stale one only costs a lost
    race — the version check rejects it and the loop reads again.
    """
    executor = executor or executor_for(ladder)
    max_attempts = max(1, ladder.settings.execution_max_attempts)
    backoff = ladder.settings.execution_backoff_seconds
    for _ in range(max_attempts * 2):  # lost races re-read; real attempts are bounded by the counter
        failure: Exception | None = None
        try:
            with write_lock(session):
                p = proposal if proposal is not None else session.get(Proposal, proposal_id, populate_existing=True)
                proposal = None
                if p is None or p.status not in DECIDED_OK:
                    session.commit()
                    return p.status.value if p is not None else "missing"
                attempt = p.attempts + 1
                try:
                    result = executor.execute(ladder, session, p)
                except Exception as exc:  # noqa: BLE001 - recorded on the proposal and in the audit trail
                    session.rollback()
                    failure = exc
                else:
                    now = ladder.now()
                    p.status, p.executed_at, p.attempts, p.last_error = ProposalStatus.executed, now, attempt, None
                    record(session, action="proposal.executed", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                           object_id=str(p.id), at=now, detail={"result": result, "attempt": attempt})
                    session.commit()
                    return ProposalStatus.executed.value
        except CONFLICTS:
            session.rollback()  # executed concurrently elsewhere (or the enrolment raced): look again
            continue
        final = not isinstance(failure, TransientError) or attempt >= max_attempts
        try:
            with write_lock(session):
                status = _record_failure(ladder, session, proposal_id, failure, final=final)
        except CONFLICTS:
            session.rollback()
            continue
        if status != "retry":
            return status
        sleep(backoff * 2 ** (attempt - 1))  # outside the write lock
    return "busy"


def _record_failure(ladder, session: Session, proposal_id: int, exc: Exception, *, final: bool) -> str:
    error = f"{type(exc).__name__}: {exc}"[:500]
    p = session.get(Proposal, proposal_id, populate_existing=True)
    if p is None or p.status not in DECIDED_OK:
        session.commit()
        return p.status.value if p is not None else "missing"
    p.attempts += 1
    p.last_error = error
    now = ladder.now()
    if final:
        p.status = ProposalStatus.failed
        record(session, action="proposal.failed", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
               object_id=str(p.id), at=now, detail={"error": error, "attempts": p.attempts})
        log.warning("proposal execution failed", extra={"proposal_id": p.id, "error": error})
    else:
        record(session, action="proposal.execution_retry", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
               object_id=str(p.id), at=now, detail={"error": error, "attempt": p.attempts})
    session.commit()
    return ProposalStatus.failed.value if final else "retry"


def execute_pending(ladder, session: Session, ids: list[int] | None = None, executor: Executor | None = None) -> dict[str, int]:
    """Execute approved proposals not yet carried out (after a crash, or the agent's ``auto`` ones).

    Batches the happy path: one transaction per chunk; a chunk where anything fails is redone one
    proposal at a time so retries and failures are recorded per proposal.
    """
    executor = executor or executor_for(ladder)
    if ids is None:
        ids = [pid for (pid,) in session.execute(
            select(Proposal.id).where(Proposal.status.in_(DECIDED_OK)).order_by(Proposal.id))]
    counts: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        done = _execute_chunk(ladder, session, chunk, executor)
        if done is not None:
            counts["executed"] = counts.get("executed", 0) + done
            continue
        for pid in chunk:  # something in the chunk failed: one at a time records each retry or failure
            status = execute(ladder, session, pid, executor)
            counts[status] = counts.get(status, 0) + 1
    return counts


def _execute_chunk(ladder, session: Session, chunk: list[int], executor: Executor) -> int | None:
    try:
        proposals = list(session.scalars(select(Proposal).where(Proposal.id.in_(chunk), Proposal.status.in_(DECIDED_OK))))
        keys = [str(p.id) for p in proposals]
        done = {(a, o) for a, o in session.execute(select(AuditEvent.action, AuditEvent.object_id).where(
            AuditEvent.object_type == "proposal", AuditEvent.object_id.in_(keys)))} if keys else set()
        session.info[DONE_KEY] = (done, {p.id for p in proposals})
        people = {p.subject_id for p in proposals} | {p.approver_id for p in proposals if p.approver_id}
        loaded = list(session.scalars(select(Person).where(Person.id.in_(people))))  # held: get() then hits the identity map
        now = ladder.now()
        with session.no_autoflush:
            for p in proposals:
                result = executor.execute(ladder, session, p)
                p.status, p.executed_at, p.attempts, p.last_error = ProposalStatus.executed, now, p.attempts + 1, None
                record(session, action="proposal.executed", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                       object_id=str(p.id), at=now, detail={"result": result, "attempt": p.attempts})
        session.commit()
        del loaded
        return len(proposals)
    except Exception:  # noqa: BLE001 - the caller redoes the chunk one proposal at a time
        session.rollback()
        return None
    finally:
        session.info.pop(DONE_KEY, None)

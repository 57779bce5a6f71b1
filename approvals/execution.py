"""Running approved proposals through the executor: bounded retries, failures recorded with an error id.

A ``TransientError`` is retried with exponential backoff up to ``execution_max_attempts``; anything else, or
the last attempt, marks the proposal ``failed``. The card and the audit trail show the failure with its
error id; the exception itself (type, traceback) goes only to the log under that id.
"""

from __future__ import annotations

import datetime as dt
import logging

from approvals.deps import ApprovalsDeps
from approvals.executor import ActionContext, ExecutionError, TransientError
from approvals.states import DECIDED_OK
from conversation.errors import log_failure
from storage import UnitOfWork
from storage.models import Proposal, ProposalStatus
from storage.proposals import WRITE_CONFLICTS

log = logging.getLogger(__name__)

CHUNK = 500  # proposals per transaction when executing a batch


class _AttemptFailed(Exception):
    def __init__(self, cause: Exception, attempt: int, error_id: str) -> None:
        super().__init__(str(cause))
        self.cause, self.attempt, self.error_id = cause, attempt, error_id

    def shown(self) -> str:
        """What the card and the audit trail say: an ``ExecutionError`` is worded for people; anything else isn't."""
        what = str(self.cause)[:440] if isinstance(self.cause, ExecutionError) else "something unexpected went wrong on Ladder's side"
        return f"{what} (error id {self.error_id})"


def execute(deps: ApprovalsDeps, proposal_id: int) -> str:
    """Execute one approved proposal with bounded retries, each attempt in its own transaction; returns the final status."""
    max_attempts = max(1, deps.settings.execution_max_attempts)
    for _ in range(max_attempts * 2):  # lost races read again; real attempts are bounded by the counter
        failure: _AttemptFailed | None = None
        try:
            with deps.writing() as uow:
                p = uow.proposals.get(proposal_id, fresh=True)
                if p is None or p.status not in DECIDED_OK:
                    return p.status.value if p is not None else "missing"
                attempt = p.attempts + 1
                ctx = ActionContext(uow, deps.now(), deps.notifier)
                try:
                    result = deps.executor.execute(ctx, p)
                except Exception as exc:  # noqa: BLE001 - recorded on the proposal and in the audit trail
                    error_id = log_failure(log, "proposal execution failed", proposal_id=proposal_id, attempt=attempt)
                    raise _AttemptFailed(exc, attempt, error_id) from exc  # rolls this attempt back
                _executed(uow, p, ctx.now, result, attempt)
            _after_commit(ctx)
            return ProposalStatus.executed.value
        except WRITE_CONFLICTS:
            continue  # executed concurrently elsewhere (or the enrolment raced): look again
        except _AttemptFailed as failed:
            failure = failed
        final = not isinstance(failure.cause, TransientError) or failure.attempt >= max_attempts
        try:
            with deps.writing() as uow:
                status = _record_failure(uow, proposal_id, failure, final=final, now=deps.now())
        except WRITE_CONFLICTS:
            continue
        if status != "retry":
            return status
        deps.sleep(deps.settings.execution_backoff_seconds * 2 ** (failure.attempt - 1))  # outside the write lock
    return "busy"


def _after_commit(ctx: ActionContext) -> None:
    for work in ctx.after_commit:
        try:
            work()
        except Exception:  # noqa: BLE001 - the action is executed; follow-up work records its own failure
            log_failure(log, "work after executing a proposal failed")


def _executed(uow: UnitOfWork, p: Proposal, now: dt.datetime, result: str, attempt: int) -> None:
    p.status, p.executed_at, p.attempts, p.last_error = ProposalStatus.executed, now, attempt, None
    uow.audit.record(action="proposal.executed", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                     object_id=str(p.id), at=now, detail={"result": result, "attempt": attempt})


def _record_failure(uow: UnitOfWork, proposal_id: int, failure: _AttemptFailed, *, final: bool, now: dt.datetime) -> str:
    p = uow.proposals.get(proposal_id, fresh=True)
    if p is None or p.status not in DECIDED_OK:
        return p.status.value if p is not None else "missing"
    error = failure.shown()
    p.attempts += 1
    p.last_error = error
    if final:
        p.status = ProposalStatus.failed
        uow.audit.record(action="proposal.failed", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                         object_id=str(p.id), at=now, detail={"error": error, "attempts": p.attempts, "error_id": failure.error_id})
        return ProposalStatus.failed.value
    uow.audit.record(action="proposal.execution_retry", actor_kind="system", subject_id=p.subject_id, object_type="proposal",
                     object_id=str(p.id), at=now, detail={"error": error, "attempt": p.attempts, "error_id": failure.error_id})
    return "retry"


def execute_pending(deps: ApprovalsDeps, ids: list[int] | None = None) -> dict[str, int]:
    """Execute approved proposals not yet carried out (after a crash, or the agent's ``auto`` ones).

    Batches the happy path: one transaction per chunk; a chunk where anything fails is redone one
    proposal at a time so retries and failures are recorded per proposal.
    """
    if ids is None:
        with deps.db.unit_of_work() as uow:
            ids = uow.proposals.ids_with_status(DECIDED_OK)
    counts: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        done = _execute_chunk(deps, chunk)
        if done is not None:
            counts["executed"] = counts.get("executed", 0) + done
            continue
        for pid in chunk:  # something in the chunk failed: one at a time records each retry or failure
            status = execute(deps, pid)
            counts[status] = counts.get(status, 0) + 1
    return counts


def _execute_chunk(deps: ApprovalsDeps, chunk: list[int]) -> int | None:
    try:
        with deps.db.unit_of_work() as uow:
            proposals = uow.proposals.many(chunk, DECIDED_OK)
            ctx = ActionContext(uow, deps.now(), deps.notifier, looked_up={p.id for p in proposals},
                                recorded=uow.audit.actions_on("proposal", [str(p.id) for p in proposals]))
            people = {p.subject_id for p in proposals} | {p.approver_id for p in proposals if p.approver_id}
            held = uow.people.listed(people)  # held: the executor's person lookups then hit the identity map
            with uow.proposals.batched():
                for p in proposals:
                    _executed(uow, p, ctx.now, deps.executor.execute(ctx, p), p.attempts + 1)
            del held
        _after_commit(ctx)
        return len(proposals)
    except Exception:  # noqa: BLE001 - the caller redoes the chunk one proposal at a time, recording each failure
        return None

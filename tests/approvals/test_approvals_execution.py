"""Execution: idempotent, retried on transient failure, final failure on the card and in the audit trail."""

from __future__ import annotations

from storage import UnitOfWork

import dataclasses

from approvals_helpers import DANIEL, MAYA, button, click, person_id, prepare, proposal, propose_enrolment, say
from sqlalchemy import func, select

from approvals import execution, service
from approvals.executor import LadderExecutor, TransientError
from approvals.cards import proposal_card
from storage.models import AuditEvent, Enrolment, ProposalStatus


class FlakyLms(LadderExecutor):
    """An executor whose outside service (an LMS) times out ``failures`` times before it works."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def enrol_course(self, ctx, proposal):
        self.calls += 1
        if self.calls <= self.failures:
            raise TransientError(f"LMS timed out (call {self.calls})")
        return super().enrol_course(ctx, proposal)


def _audit(ladder, pid):
    with ladder.db.session() as s, s.begin():
        return [(a, d) for a, d in s.execute(select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.object_type == "proposal", AuditEvent.object_id == str(pid)).order_by(AuditEvent.id))]


def test_transient_failures_are_retried_then_it_works(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    lms = FlakyLms(failures=2)
    ladder.approvals = dataclasses.replace(ladder.approvals, executor=lms)
    pid = propose_enrolment(ladder)
    reply = click(ladder, DANIEL, button(say(ladder, DANIEL, "my approvals"), "approve"))
    assert reply.data["status"] == "decided"
    p = proposal(ladder, pid)
    assert (p.status, p.attempts, p.last_error, lms.calls) == (ProposalStatus.executed, 3, None, 3)
    actions = [a for a, _ in _audit(ladder, pid)]
    assert actions == ["proposal.created", "proposal.approved", "proposal.execution_retry", "proposal.execution_retry", "proposal.executed"]
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.source == f"proposal:{pid}")) == 1


def test_final_failure_is_shown_on_the_card_and_in_the_audit(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    lms = FlakyLms(failures=10)
    ladder.approvals = dataclasses.replace(ladder.approvals, executor=lms)
    pid = propose_enrolment(ladder)
    reply = click(ladder, DANIEL, button(say(ladder, DANIEL, "my approvals"), "approve"))
    p = proposal(ladder, pid)
    assert (p.status, p.attempts, lms.calls) == (ProposalStatus.failed, 3, 3)
    assert "LMS timed out (call 3)" in p.last_error
    outcome = next(f.value for f in reply.cards[0].facts if f.title == "Outcome")
    assert "Could not be carried out after 3 attempt(s)" in outcome and "LMS timed out" in outcome
    assert next(f.value for f in reply.cards[0].facts if f.title == "Status") == "Failed"
    audit = _audit(ladder, pid)
    assert audit[-1][0] == "proposal.failed" and "LMS timed out" in audit[-1][1]["error"]
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.source == f"proposal:{pid}")) == 0
    # Failed is final: running pending executions again does nothing.
    assert execution.execute_pending(ladder.approvals) == {}


def test_execution_is_idempotent(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    course_id = proposal(ladder, propose_enrolment(ladder, code="DS130")).payload["course_id"]
    with ladder.db.unit_of_work() as s:  # Maya enrolled herself meanwhile
        s.add(Enrolment(person_id=person_id(ladder, MAYA), course_id=course_id, source="self"))
    pid = max(p["id"] for p in say(ladder, DANIEL, "my approvals").data["proposals"])
    assert say(ladder, DANIEL, f"approve {pid}").data["status"] == "decided"
    with ladder.db.session() as s, s.begin():
        assert service.view(UnitOfWork(s), pid).status == "executed"
        assert execution.execute(ladder.approvals, pid) == "executed"  # again: nothing more happens
        assert s.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.person_id == person_id(ladder, MAYA), Enrolment.course_id == course_id)) == 1
    assert [a for a, d in _audit(ladder, pid)].count("proposal.executed") == 1
    assert "already enrolled" in _audit(ladder, pid)[-1][1]["result"]


def test_permanent_failure_is_not_retried(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    pid = propose_enrolment(ladder)
    with ladder.db.session() as s, s.begin():  # the course disappears from the catalogue before approval
        p = s.get(type(proposal(ladder, pid)), pid)
        p.payload = {**p.payload, "course_id": 999999}
    say(ladder, DANIEL, f"approve {pid}")
    p = proposal(ladder, pid)
    assert p.status == ProposalStatus.failed and p.attempts == 1 and "no longer in the catalogue" in p.last_error
    with ladder.db.unit_of_work() as s:
        card = proposal_card(service.view(s, pid))
    assert "no longer in the catalogue" in next(f.value for f in card.facts if f.title == "Outcome")


class BrokenLms(LadderExecutor):
    """An executor with a bug: its exception text is not for people and must not reach chat."""

    def enrol_course(self, ctx, proposal):
        raise KeyError("lms_internal_field")


def test_an_unexpected_failure_shows_an_error_id_not_the_exception(fresh_demo, caplog):
    ladder = fresh_demo
    prepare(ladder)
    ladder.approvals = dataclasses.replace(ladder.approvals, executor=BrokenLms())
    pid = propose_enrolment(ladder)
    with caplog.at_level("ERROR"):
        reply = say(ladder, DANIEL, f"approve {pid}")
    p = proposal(ladder, pid)
    assert p.status == ProposalStatus.failed and p.attempts == 1  # not transient: no retry
    outcome = next(f.value for f in reply.cards[0].facts if f.title == "Outcome")
    assert "lms_internal_field" not in reply.text + outcome + p.last_error and "KeyError" not in outcome
    error_id = next(r.error_id for r in caplog.records if getattr(r, "error_id", None))
    assert f"error id {error_id}" in outcome and _audit(ladder, pid)[-1][1]["error_id"] == error_id
    assert any("lms_internal_field" in (r.exc_text or "") for r in caplog.records)  # the log has the details

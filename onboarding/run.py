"""The onboarding pass: what follows a registration once it is committed, and the welcome on the start date.

1. *Announce* each registration once: carry out the mandatory enrolments the policy made automatic, and send the
   manager (the approver) the cards waiting for them — the plan and any enrolments that need approval.
2. *Welcome* each new hire whose start date has come, once: the claim is a conditional UPDATE of
   ``onboardings.welcome_sent_at`` committed before the message goes out, so two passes (two processes, or the
   scheduler and `/ladder agent run` together) never both send it. A welcome no channel could deliver gives its claim
   back and the next pass tries again.

Run by `serve`'s scheduler (``onboarding.scheduler``), by `/ladder agent run` and `/ladder onboarding run`, and right
after `/ladder hire`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from approvals.deps import ApprovalsDeps
from approvals.execution import execute_pending
from approvals.notify import notify_approvers
from approvals.states import DECIDED_OK, OPEN
from conversation.errors import log_failure
from onboarding.welcome import welcome
from storage.models import OnboardingStatus

log = logging.getLogger(__name__)


@dataclass
class OnboardingReport:
    announced: list[int] = field(default_factory=list)  # person ids whose manager got the cards
    executed: int = 0  # automatic enrolments carried out
    welcomed: list[int] = field(default_factory=list)
    undelivered: list[int] = field(default_factory=list)  # welcomes no channel could deliver (tried again later)

    def lines(self) -> list[str]:
        return [f"• onboarding: {len(self.announced)} registration(s) announced to managers, {self.executed} automatic "
                f"enrolment(s) carried out, {len(self.welcomed)} welcome(s) sent"
                + (f", {len(self.undelivered)} welcome(s) not delivered yet (no chat account reached)" if self.undelivered else "")]

    def as_data(self) -> dict:
        return {"announced": self.announced, "executed": self.executed, "welcomed": self.welcomed,
                "undelivered": self.undelivered}


def run(deps: ApprovalsDeps) -> OnboardingReport:
    report = OnboardingReport()
    with deps.db.unit_of_work() as uow:
        waiting = uow.onboarding.unannounced()
    for person_id in waiting:
        try:
            _announce(deps, person_id, report)
        except Exception:  # noqa: BLE001 - one hire's failure must not stop the others; the next pass retries
            log_failure(log, "onboarding announcement failed", person_id=person_id)
    today = deps.now().date()
    with deps.db.unit_of_work() as uow:
        due = uow.onboarding.due_for_welcome(today)
    for person_id in due:
        try:
            _welcome(deps, person_id, report)
        except Exception:  # noqa: BLE001
            log_failure(log, "onboarding welcome failed", person_id=person_id)
    return report


def _announce(deps: ApprovalsDeps, person_id: int, report: OnboardingReport) -> None:
    with deps.writing() as uow:
        if not uow.onboarding.claim_announcement(person_id, deps.now()):
            return  # another pass did it
        record = uow.onboarding.of(person_id)
        ids = list(record.enrolment_proposal_ids or []) + ([record.plan_proposal_id] if record.plan_proposal_id else [])
    with deps.db.unit_of_work() as uow:
        proposals = uow.proposals.many(ids)
    auto = [p.id for p in proposals if p.status in DECIDED_OK and p.executed_at is None]
    if auto:
        report.executed += execute_pending(deps, auto).get("executed", 0)
    with deps.db.unit_of_work() as uow:
        cards = [p.id for p in uow.proposals.many(ids) if p.status == OPEN]
        if cards:
            notify_approvers(uow, deps.notifier, cards, today=deps.now().date(), heading="for a new hire — waiting for your decision")
    report.announced.append(person_id)


def _welcome(deps: ApprovalsDeps, person_id: int, report: OnboardingReport) -> None:
    now = deps.now()
    with deps.writing() as uow:
        if not uow.onboarding.claim_welcome(person_id, now):
            return  # another pass sent it
    with deps.db.unit_of_work() as uow:
        record = uow.onboarding.of(person_id)
        person = uow.people.get(person_id)
        message = welcome(uow, record, person)
        email = person.email
    delivered = bool(deps.notifier) and deps.notifier.notify(email, message)
    with deps.writing() as uow:
        if not delivered:
            uow.onboarding.release_welcome(person_id)
            report.undelivered.append(person_id)
            return
        uow.onboarding.mark(person_id, OnboardingStatus.welcomed)
        uow.audit.record(action="onboarding.welcomed", actor_kind="system", subject_id=person_id, object_type="onboarding",
                         object_id=str(record.id), at=now, detail={"start_date": record.start_date.isoformat()})
    report.welcomed.append(person_id)

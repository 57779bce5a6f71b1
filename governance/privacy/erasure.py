"""Erasing a person (GDPR Art. 17, CCPA right to delete), once HR has approved it — never on its own.

An approved erasure request becomes an ``ErasureJob``. The job runs a fixed list of steps, each in a transaction of
its own that also records the step as done; an interrupted job (a crash, a store that was down) is run again with
``Erasure.run`` (`python app.py privacy resume ID`) and carries on after the last finished step. Every step is
idempotent, so a step interrupted half-way is simply done again.

Order matters: the steps that search for the person's name, email and chat ids run while the directory row still
holds them; ``identity`` (chat accounts deleted, the directory row made a tombstone) is the last data step, and
``report`` tells HR and the requester. The audit trail keeps every entry: the person's ids in it become their
keyed pseudonym (``governance.privacy.pseudonym``).

To cover a new table, add a ``TableStep`` to ``TABLE_STEPS`` (before ``redact_everywhere``, which rewrites any
remaining mention in any text or JSON column of any table as a safety net).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from conversation import Notifier, Reply
from conversation.errors import log_failure
from governance.privacy.pseudonym import TOMBSTONE_NAME, pseudonym, tombstone_email
from storage import Database, UnitOfWork
from storage.models import ErasureJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subject:
    """Who is being erased, as read at the start of a run (``name`` is None once the directory row is a tombstone)."""

    person_id: int
    pseudonym: str
    name: str | None
    email: str | None
    external_ids: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.name is not None

    @property
    def terms(self) -> list[str]:
        """What identifies them in free text: name, email, chat account ids."""
        return [t for t in (self.name, self.email, *self.external_ids) if t]


class ExternalStore(Protocol):
    """A store outside the database that may hold the person (the vector store, an in-process cache)."""

    name: str

    def forget(self, subject: Subject) -> int:
        """Remove or redact what carries them; how many records changed. Must be idempotent."""
        ...


@dataclass(frozen=True)
class TableStep:
    name: str
    run: Callable[[UnitOfWork, Subject, ErasureJob], int]


def _keep_request(job: ErasureJob) -> list[int]:
    return [job.proposal_id] if job.proposal_id else []


# One table's part each, in an order where nothing a later step searches by has gone yet.
TABLE_STEPS: tuple[TableStep, ...] = (
    TableStep("conversation_state", lambda uow, s, job: uow.privacy.delete_conversations(s.person_id, [*s.external_ids, s.email or ""])),
    TableStep("processed_events", lambda uow, s, job: uow.privacy.delete_processed_events(s.external_ids)),
    TableStep("answer_feedback", lambda uow, s, job: uow.privacy.delete_feedback(s.person_id)),
    TableStep("skill_evidence", lambda uow, s, job: uow.privacy.delete_evidence(s.person_id)),
    TableStep("enrolments", lambda uow, s, job: uow.privacy.delete_enrolments(s.person_id)),
    TableStep("interests", lambda uow, s, job: uow.privacy.delete_interests(s.person_id)),
    TableStep("opportunity_applications", lambda uow, s, job: uow.privacy.delete_applications(s.person_id)),
    TableStep("digests", lambda uow, s, job: uow.privacy.delete_digests(s.person_id)),
    TableStep("privacy_preferences", lambda uow, s, job: uow.privacy.delete_preferences(s.person_id)),
    TableStep("demographics", lambda uow, s, job: uow.privacy.delete_demographics(s.person_id)),
    TableStep("hr_records", lambda uow, s, job: uow.privacy.delete_hr_records(s.person_id)),
    TableStep("rate_buckets", lambda uow, s, job: uow.privacy.delete_rate_buckets(
        [f"email:{s.email.lower()}" if s.email else "",
         *(f"{channel}:{x}" for channel in ("slack", "teams", "terminal") for x in s.external_ids)])),
    TableStep("challenges", lambda uow, s, job: uow.privacy.delete_challenges(s.person_id)),
    TableStep("proposals", lambda uow, s, job: uow.privacy.delete_proposals_about(s.person_id, keep=_keep_request(job))),
    TableStep("links_held", lambda uow, s, job: uow.privacy.clear_roles_held(s.person_id)),
    TableStep("audit_events", lambda uow, s, job: uow.privacy.pseudonymise_audit(s.person_id, s.pseudonym, s.terms, job.id)),
    TableStep("knowledge_documents", lambda uow, s, job: uow.privacy.clear_document_contacts(s.terms)),
    TableStep("xapi_statements", lambda uow, s, job: uow.xapi.delete_for_person(s.person_id, s.email)),
)
REDACT = "redact_everywhere"
IDENTITY = "identity"
NOTIFY = "notify_subject"
REPORT = "report"


def step_names(stores: Sequence[ExternalStore]) -> list[str]:
    return [NOTIFY, *(s.name for s in TABLE_STEPS), *(f"store:{s.name}" for s in stores), REDACT, IDENTITY, REPORT]


@dataclass
class JobReport:
    job_id: int
    status: str  # done | failed | pending | missing
    steps: dict[str, dict] = field(default_factory=dict)
    error_id: str | None = None

    def lines(self) -> list[str]:
        done = [f"  {name}: {info.get('count', 0)}" for name, info in self.steps.items()]
        head = f"Erasure job {self.job_id}: {self.status}" + (f" (error id {self.error_id})" if self.error_id else "")
        return [head, *done]


class Erasure:
    """Runs erasure jobs against the database and the external stores it was given."""

    def __init__(self, db: Database, key: bytes | Callable[[], bytes], *, now: Callable[[], dt.datetime],
                 notifier: Notifier | None = None, stores: Sequence[ExternalStore] = ()) -> None:
        """``key``: the pseudonym key, or how to get it (read when first needed: a process that never erases anyone
        never reads or generates it)."""
        self.db = db
        self._key = key
        self.now = now
        self.notifier = notifier
        self.stores = list(stores)

    def pseudonym(self, person_id: int) -> str:
        if callable(self._key):
            self._key = self._key()
        return pseudonym(self._key, person_id)

    def open_job(self, uow: UnitOfWork, *, proposal_id: int, person_id: int, requested_by: int | None,
                 approved_by: int | None, now: dt.datetime) -> ErasureJob:
        """The job for an approved request, made once (a second call for the same request returns the first job)."""
        job = uow.privacy.job_for_proposal(proposal_id)
        if job is None:
            job = ErasureJob(proposal_id=proposal_id, person_id=person_id, pseudonym=self.pseudonym(person_id),
                             requested_by=requested_by, approved_by=approved_by, status="pending", steps={},
                             created_at=now, updated_at=now)
            uow.add(job)
            uow.flush()
        return job

    def run(self, job_id: int) -> JobReport:
        """Carry out every step not yet done; safe to call again after any interruption."""
        with self.db.unit_of_work() as uow:
            job = uow.privacy.job(job_id)
            if job is None:
                return JobReport(job_id, "missing")
            if job.status == "done":
                return JobReport(job_id, "done", dict(job.steps or {}))
            job.status, job.updated_at, job.last_error = "running", self.now(), None
            subject = self._subject(uow, job)
        step = ""
        try:
            for step in step_names(self.stores):
                with self.db.unit_of_work() as uow:
                    job = uow.privacy.job(job_id)
                    assert job is not None
                    if step in (job.steps or {}):
                        continue
                count = self._external(step, subject)
                with self.db.unit_of_work() as uow:
                    job = uow.privacy.job(job_id)
                    assert job is not None
                    if step in (job.steps or {}):
                        continue  # another run finished it meanwhile
                    if count is None:
                        count = self._in_database(uow, step, subject, job)
                    now = self.now()
                    job.steps = {**(job.steps or {}), step: {"count": count, "at": now.isoformat()}}
                    job.updated_at = now
                    if step == REPORT:
                        job.status, job.finished_at = "done", now
        except Exception as exc:  # noqa: BLE001 - recorded on the job; a rerun carries on from here
            error_id = log_failure(log, "erasure step failed", job_id=job_id, step=step)
            with self.db.unit_of_work() as uow:
                job = uow.privacy.job(job_id)
                if job is not None:
                    job.status, job.updated_at = "failed", self.now()
                    job.last_error = f"step {step} failed ({type(exc).__name__}); error id {error_id}"
                    steps = dict(job.steps or {})
            return JobReport(job_id, "failed", steps if job is not None else {}, error_id)
        with self.db.unit_of_work() as uow:
            job = uow.privacy.job(job_id)
            return JobReport(job_id, job.status if job else "missing", dict(job.steps or {}) if job else {})

    def resume_unfinished(self) -> list[JobReport]:
        with self.db.unit_of_work() as uow:
            ids = uow.privacy.unfinished_jobs()
        return [self.run(job_id) for job_id in ids]

    # ------------------------------------------------------------------ steps

    def _subject(self, uow: UnitOfWork, job: ErasureJob) -> Subject:
        assert job.person_id is not None
        person = uow.privacy.person(job.person_id)
        ref = job.pseudonym or self.pseudonym(job.person_id)
        if person is None or person.email == tombstone_email(ref):
            return Subject(job.person_id, ref, None, None)
        ids = tuple(c.external_id for c in uow.privacy.chat_identities(person.id))
        return Subject(person.id, ref, person.name, person.email, ids)

    def _external(self, step: str, subject: Subject) -> int | None:
        """Steps outside the database run before their transaction records them (None: a database step)."""
        if step == NOTIFY:
            if not (subject.known and subject.email and self.notifier):
                return 0
            text = ("HR approved your request to erase your data. Ladder is removing it now; this is the last message "
                    "it will send you. Your audit entries are kept under a pseudonym, as the law on records requires.")
            return int(bool(self.notifier.notify(subject.email, Reply(text=text, data={"intent": "erasure_started"}))))
        if step.startswith("store:"):
            store = next(s for s in self.stores if f"store:{s.name}" == step)
            return store.forget(subject) if subject.known else 0
        return None

    def _in_database(self, uow: UnitOfWork, step: str, subject: Subject, job: ErasureJob) -> int:
        if step == REDACT:
            return (uow.privacy.redact_everywhere(subject.person_id, subject.pseudonym, subject.terms, job_id=job.id)
                    if subject.known else 0)
        if step == IDENTITY:
            return uow.privacy.remove_identity(subject.person_id, TOMBSTONE_NAME, tombstone_email(subject.pseudonym))
        if step == REPORT:
            return self._report(uow, subject, job)
        table_step = next(s for s in TABLE_STEPS if s.name == step)
        return table_step.run(uow, subject, job) if subject.known else 0

    def _report(self, uow: UnitOfWork, subject: Subject, job: ErasureJob) -> int:
        counts = {name: info.get("count", 0) for name, info in (job.steps or {}).items()}
        uow.audit.record(action="privacy.erasure.completed", actor_kind="system", subject_ref=subject.pseudonym,
                         object_type="erasure_job", object_id=str(job.id), at=self.now(),
                         detail={"proposal_id": job.proposal_id, "steps": counts})
        if not self.notifier:
            return 0
        text = (f"Erasure job {job.id} is complete: the person is removed from every table, the vector store, "
                f"conversation memory and caches. Their audit entries remain under the pseudonym {subject.pseudonym}.")
        reply = Reply(text=text, data={"intent": "erasure_done", "job_id": job.id, "pseudonym": subject.pseudonym})
        told = 0
        emails = {a.email for a in uow.people.hr_admins()}
        requester = uow.people.get(job.requested_by) if job.requested_by and job.requested_by != job.person_id else None
        if requester is not None and requester.active:
            emails.add(requester.email)
        for email in sorted(emails):
            told += int(bool(self.notifier.notify(email, reply)))
        return told

"""Repository: what privacy rights need from the database — everything held about one person (export), removing
them table by table (erasure), the erasure jobs' progress, and the retention purge with its last run.

Each erasure method does one table's part and returns how many rows it changed, so the erasure can record its
progress step by step and a rerun finds nothing left to do. The audit trail's one exception to "insert only" is
here, and only here: ``pseudonymise_audit`` replaces an erased person's ids with their keyed pseudonym.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, String, Text, and_, cast, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    Application,
    Demographic,
    PrivacyPreference,
    RateBucket,
    AccessRole,
    AnswerFeedback,
    DigestRun,
    DigestSubscription,
    AuditEvent,
    Base,
    Challenge,
    ChatIdentity,
    ConversationState,
    Course,
    Decision,
    Enrolment,
    ErasureJob,
    Interest,
    KnowledgeDocument,
    MaintenanceRun,
    Opportunity,
    Person,
    PolicySetting,
    ProcessedEvent,
    Proposal,
    SkillEvidence,
    Skill,
    Team,
)
from storage.models import PerformanceRating, RoleChange
from storage.encryption import ENCRYPTED_TYPES, EncryptedJSON
from storage.repository import Repository

# JSON keys whose integer value names a person: an erased person's id under one of them becomes their pseudonym.
PERSON_KEYS = frozenset({
    "person_id", "subject_id", "approver_id", "decider_id", "manager_id", "actor_id", "verifier_id", "requested_by",
    "approved_by", "with", "to", "on_behalf_of", "owner_id", "delegate_id", "lead_id", "resolved_by", "updated_by",
    "buddy_id", "buddy_name", "meet_the_team",  # an onboarding plan's other people (0016)
})
ERASED = "[erased]"
AUDIT_HEX_COLUMNS = frozenset({"detail_digest", "row_hash"})  # the hash chain's own columns (storage.audit_chain)


def scrub_text(value: str, person_id: int, pseudonym: str, pattern: re.Pattern[str] | None) -> str:
    """Their terms replaced, and their id where a key names it between colons (``enrol:<person>:<course>``)."""
    if pattern is not None:
        value = pattern.sub(ERASED, value)
    return re.sub(rf"(?<=:){person_id}(?=:|$)", pseudonym, value) if str(person_id) in value else value


def scrub_json(value: Any, person_id: int, pseudonym: str, pattern: re.Pattern[str] | None) -> Any:
    """A copy of a JSON value with the person's id (under a person key, or inside a key string) and any of their
    terms replaced."""
    if isinstance(value, dict):
        return {k: (pseudonym if k in PERSON_KEYS and v == person_id and not isinstance(v, bool)
                    else scrub_json(v, person_id, pseudonym, pattern)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, person_id, pseudonym, pattern) for v in value]
    if isinstance(value, str):
        return scrub_text(value, person_id, pseudonym, pattern)
    return value


def terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Any of the terms, case-insensitively (longest first, so an email is replaced before a name inside it)."""
    words = sorted({t for t in terms if t and len(t) >= 3}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def _redacted(table, column: str, value: Any, job_id: int | None) -> dict[str, Any]:
    """The new value, and on an audit entry the erasure job that changed it."""
    values: dict[str, Any] = {column: value}
    if table.name == AuditEvent.__tablename__ and job_id is not None:
        values["redacted_by_job"] = job_id
    return values


class Privacy(Repository):
    # ------------------------------------------------------------------ export: what is held about a person

    def person(self, person_id: int) -> Person | None:
        return self._session.get(Person, person_id)

    def chat_identities(self, person_id: int) -> list[ChatIdentity]:
        return list(self._session.scalars(select(ChatIdentity).where(ChatIdentity.person_id == person_id).order_by(ChatIdentity.id)))

    def conversations(self, person_id: int) -> list[ConversationState]:
        return list(self._session.scalars(select(ConversationState).where(ConversationState.person_id == person_id)
                                          .order_by(ConversationState.key)))

    def feedback(self, person_id: int) -> list[AnswerFeedback]:
        return list(self._session.scalars(select(AnswerFeedback).where(AnswerFeedback.person_id == person_id).order_by(AnswerFeedback.id)))

    def evidence(self, person_id: int) -> list[tuple[SkillEvidence, str]]:
        rows = self._session.execute(select(SkillEvidence, Skill.label).join(Skill, Skill.id == SkillEvidence.skill_id)
                                     .where(SkillEvidence.person_id == person_id).order_by(SkillEvidence.id))
        return [(e, label) for e, label in rows]

    def evidence_verified_by(self, person_id: int) -> list[int]:
        return list(self._session.scalars(select(SkillEvidence.id).where(SkillEvidence.verifier_id == person_id,
                                                                         SkillEvidence.person_id != person_id)))

    def enrolments(self, person_id: int) -> list[tuple[Enrolment, str, str]]:
        rows = self._session.execute(select(Enrolment, Course.code, Course.title).join(Course, Course.id == Enrolment.course_id)
                                     .where(Enrolment.person_id == person_id).order_by(Enrolment.id))
        return [(e, code, title) for e, code, title in rows]

    def digest_subscriptions(self, person_id: int) -> list[DigestSubscription]:
        return list(self._session.scalars(select(DigestSubscription).where(DigestSubscription.person_id == person_id)))

    def digest_runs(self, person_id: int) -> list[DigestRun]:
        return list(self._session.scalars(select(DigestRun).where(DigestRun.person_id == person_id).order_by(DigestRun.id)))

    def preferences_of(self, person_id: int) -> PrivacyPreference | None:
        return self._session.scalar(select(PrivacyPreference).where(PrivacyPreference.person_id == person_id))

    def demographics_of(self, person_id: int) -> Demographic | None:
        """A person's own demographics, for their own export only (HR's audit reads them through storage.demographics)."""
        return self._session.scalar(select(Demographic).where(Demographic.person_id == person_id))

    def interests(self, person_id: int) -> list[tuple[Interest, str]]:
        rows = self._session.execute(select(Interest, Opportunity.title).join(Opportunity, Opportunity.id == Interest.opportunity_id)
                                     .where(Interest.person_id == person_id).order_by(Interest.id))
        return [(i, title) for i, title in rows]

    def applications(self, person_id: int) -> list[tuple[Application, str]]:
        rows = self._session.execute(select(Application, Opportunity.title).join(Opportunity, Opportunity.id == Application.opportunity_id)
                                     .where(Application.person_id == person_id).order_by(Application.id))
        return [(a, title) for a, title in rows]

    def opportunities_posted(self, person_id: int) -> list[Opportunity]:
        return list(self._session.scalars(select(Opportunity).where(or_(Opportunity.owner_id == person_id,
                                                                         Opportunity.created_by == person_id))
                                          .order_by(Opportunity.id)))

    def proposals_about(self, person_id: int) -> list[tuple[Proposal, Decision | None]]:
        rows = self._session.execute(select(Proposal, Decision).outerjoin(Decision, Decision.proposal_id == Proposal.id)
                                     .where(Proposal.subject_id == person_id).order_by(Proposal.id))
        return [(p, d) for p, d in rows]

    def decisions_by(self, person_id: int) -> list[tuple[Decision, str]]:
        """Decisions this person made about others, with the proposal's action type (the subject is left out)."""
        rows = self._session.execute(select(Decision, Proposal.action_type).join(Proposal, Proposal.id == Decision.proposal_id)
                                     .where(Decision.decider_id == person_id, Proposal.subject_id != person_id).order_by(Decision.id))
        return [(d, action) for d, action in rows]

    def proposals_to_decide(self, person_id: int) -> list[Proposal]:
        return list(self._session.scalars(select(Proposal).where(Proposal.approver_id == person_id,
                                                                 Proposal.subject_id != person_id).order_by(Proposal.id)))

    def challenges(self, person_id: int) -> list[Challenge]:
        return list(self._session.scalars(select(Challenge).where(Challenge.person_id == person_id).order_by(Challenge.id)))

    def audit_about(self, person_id: int) -> list[AuditEvent]:
        return list(self._session.scalars(select(AuditEvent).where(AuditEvent.subject_id == person_id).order_by(AuditEvent.id)))

    def audit_by(self, person_id: int) -> list[AuditEvent]:
        return list(self._session.scalars(select(AuditEvent).where(AuditEvent.actor_id == person_id,
                                                                   or_(AuditEvent.subject_id.is_(None), AuditEvent.subject_id != person_id))
                                          .order_by(AuditEvent.id)))

    def labels(self, team_id: int | None, occupation_ids: Iterable[int | None]) -> tuple[str | None, dict[int, str]]:
        from storage.models import Occupation

        team = self._session.scalar(select(Team.name).where(Team.id == team_id)) if team_id else None
        ids = [i for i in occupation_ids if i]
        roles = {i: label for i, label in self._session.execute(select(Occupation.id, Occupation.label).where(Occupation.id.in_(ids)))}
        return team, roles

    # ------------------------------------------------------------------ erasure, one table's part at a time

    def delete_conversations(self, person_id: int, key_terms: Iterable[str]) -> int:
        """Their conversations: those recorded as theirs, and any whose key names one of their chat accounts."""
        terms = [t for t in key_terms if t]
        condition = or_(ConversationState.person_id == person_id, *[ConversationState.key.contains(t) for t in terms])
        return self._session.execute(delete(ConversationState).where(condition)).rowcount or 0

    def delete_processed_events(self, key_terms: Iterable[str]) -> int:
        terms = [t for t in key_terms if t]
        if not terms:
            return 0
        return self._session.execute(delete(ProcessedEvent).where(or_(*[ProcessedEvent.key.contains(t) for t in terms]))).rowcount or 0

    def delete_feedback(self, person_id: int) -> int:
        return self._session.execute(delete(AnswerFeedback).where(AnswerFeedback.person_id == person_id)).rowcount or 0

    def delete_evidence(self, person_id: int) -> int:
        removed = self._session.execute(delete(SkillEvidence).where(SkillEvidence.person_id == person_id)).rowcount or 0
        cleared = self._session.execute(update(SkillEvidence).where(SkillEvidence.verifier_id == person_id)
                                        .values(verifier_id=None)).rowcount or 0
        return removed + cleared

    def delete_enrolments(self, person_id: int) -> int:
        return self._session.execute(delete(Enrolment).where(Enrolment.person_id == person_id)).rowcount or 0

    def delete_interests(self, person_id: int) -> int:
        return self._session.execute(delete(Interest).where(Interest.person_id == person_id)).rowcount or 0

    def delete_applications(self, person_id: int) -> int:
        """Their marketplace applications (their notes with them)."""
        return self._session.execute(delete(Application).where(Application.person_id == person_id)).rowcount or 0
    def delete_digests(self, person_id: int) -> int:
        """Their digest subscriptions and the record of digests sent to them."""
        runs = self._session.execute(delete(DigestRun).where(DigestRun.person_id == person_id)).rowcount or 0
        subscriptions = self._session.execute(delete(DigestSubscription).where(DigestSubscription.person_id == person_id)).rowcount or 0
        return runs + subscriptions

    def delete_preferences(self, person_id: int) -> int:
        """Their opt-outs (they leave with the person: a tombstone is surfaced nowhere and inferred about never)."""
        return self._session.execute(delete(PrivacyPreference).where(PrivacyPreference.person_id == person_id)).rowcount or 0

    def delete_demographics(self, person_id: int) -> int:
        return self._session.execute(delete(Demographic).where(Demographic.person_id == person_id)).rowcount or 0

    def delete_rate_buckets(self, keys: list[str]) -> int:
        keys = [k for k in keys if k]
        if not keys:
            return 0
        return self._session.execute(delete(RateBucket).where(RateBucket.key.in_(keys))).rowcount or 0

    def delete_challenges(self, person_id: int) -> int:
        removed = self._session.execute(delete(Challenge).where(Challenge.person_id == person_id)).rowcount or 0
        cleared = self._session.execute(update(Challenge).where(Challenge.resolved_by == person_id)
                                        .values(resolved_by=None)).rowcount or 0
        return removed + cleared

    def delete_proposals_about(self, person_id: int, keep: Iterable[int]) -> int:
        """Proposals about them and their decisions, except ``keep`` (the erasure request itself, which holds no
        personal data and is the record that the request was decided)."""
        kept = set(keep)
        ids = [i for i in self._session.scalars(select(Proposal.id).where(Proposal.subject_id == person_id)) if i not in kept]
        if not ids:
            return 0
        self._session.execute(update(ErasureJob).where(ErasureJob.proposal_id.in_(ids)).values(proposal_id=None))
        self._session.execute(update(Challenge).where(Challenge.proposal_id.in_(ids)).values(proposal_id=None))
        decisions = self._session.execute(delete(Decision).where(Decision.proposal_id.in_(ids))).rowcount or 0
        proposals = self._session.execute(delete(Proposal).where(Proposal.id.in_(ids))
                                          .execution_options(synchronize_session=False)).rowcount or 0
        return decisions + proposals

    def role_changes(self, person_id: int) -> list[RoleChange]:
        return list(self._session.scalars(select(RoleChange).where(RoleChange.person_id == person_id).order_by(RoleChange.effective_date)))

    def performance_ratings(self, person_id: int) -> list[PerformanceRating]:
        return list(self._session.scalars(select(PerformanceRating).where(PerformanceRating.person_id == person_id)
                                          .order_by(PerformanceRating.period_end)))

    def delete_hr_records(self, person_id: int) -> int:
        """Their role changes and performance ratings go; where they were the new manager in someone else's role
        change, that link goes."""
        changed = self._session.execute(delete(RoleChange).where(RoleChange.person_id == person_id)).rowcount or 0
        changed += self._session.execute(delete(PerformanceRating).where(PerformanceRating.person_id == person_id)).rowcount or 0
        changed += self._session.execute(update(RoleChange).where(RoleChange.manager_id == person_id)
                                         .values(manager_id=None)).rowcount or 0
        return changed

    def clear_roles_held(self, person_id: int) -> int:
        """Where they decided, led, owned or managed something of someone else's: the link is removed."""
        changed = 0
        for column, model in ((Proposal.approver_id, Proposal), (Decision.decider_id, Decision), (Team.lead_id, Team),
                              (Opportunity.owner_id, Opportunity), (Opportunity.created_by, Opportunity),
                              (PolicySetting.updated_by, PolicySetting),
                              (Person.manager_id, Person), (Person.delegate_id, Person),
                              (ErasureJob.requested_by, ErasureJob), (ErasureJob.approved_by, ErasureJob)):
            statement = update(model).where(column == person_id).values({column.key: None})
            if model is Proposal:
                statement = statement.values(version=Proposal.version + 1)  # version_id_col: cards shown before are stale
            changed += self._session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0
        return changed

    def pseudonymise_audit(self, person_id: int, pseudonym: str, terms: list[str], job_id: int | None = None) -> int:
        """The one update the audit trail allows: an erased person's entries keep everything but who they were.

        ``subject_id`` / ``actor_id`` become empty and ``subject_ref`` / ``actor_ref`` hold the keyed pseudonym
        (the value they already carry since 0010, so the hash chain is untouched); the entry's detail keeps its keys,
        with the person's id and their name, email or chat ids replaced, and the entry is marked as redacted by
        ``job_id`` (its detail no longer matches its digest; verification checks the job instead).
        """
        pattern = terms_pattern(terms)
        changed = 0
        rows = self._session.scalars(select(AuditEvent).where(or_(AuditEvent.subject_id == person_id, AuditEvent.actor_id == person_id)))
        for event in rows:
            if event.subject_id == person_id:
                event.subject_id, event.subject_ref = None, pseudonym
            if event.actor_id == person_id:
                event.actor_id, event.actor_ref = None, pseudonym
            event.detail = scrub_json(event.detail or {}, person_id, pseudonym, pattern)
            event.redacted_by_job = job_id
            changed += 1
        return changed

    def clear_document_contacts(self, terms: list[str]) -> int:
        pattern = terms_pattern(terms)
        if pattern is None:
            return 0
        changed = 0
        for doc in self._session.scalars(select(KnowledgeDocument).where(KnowledgeDocument.contact.is_not(None))):
            if doc.contact and pattern.search(doc.contact):
                doc.contact = None
                changed += 1
        return changed

    def redact_everywhere(self, person_id: int, pseudonym: str, terms: list[str],
                          skip: Iterable[str] = ("people", "chat_identities", "erasure_jobs"), job_id: int | None = None) -> int:
        """Belt and braces after the tables' own steps: any text or JSON column of any table that still mentions
        them (their name in someone else's decision reason, their email in a note, their id under a person key in
        a payload) is rewritten; a row whose text *key* mentions them is deleted. The tables a later step handles
        are skipped. A table added to the models is covered without changes here. An audit entry rewritten here is
        marked as redacted by ``job_id``, like the ones ``pseudonymise_audit`` changed."""
        pattern = terms_pattern(terms)
        words = sorted({t.lower() for t in terms if t and len(t) >= 3})
        changed = 0
        skipped = set(skip)
        for table in Base.metadata.sorted_tables:
            if table.name in skipped:
                continue
            key = list(table.primary_key.columns)
            for column in table.columns:
                if table.name == AuditEvent.__tablename__ and column.name in AUDIT_HEX_COLUMNS:
                    continue  # hex digests: they hold no text, and a person's id digits occur in most of them
                if isinstance(column.type, ENCRYPTED_TYPES):
                    # Ciphertext cannot be searched in SQL: every stored value is decrypted and looked at here.
                    changed += self._redact_encrypted(table, key, column, person_id, pseudonym, pattern, job_id)
                    continue
                is_json = isinstance(column.type, JSON)
                if not (is_json or isinstance(column.type, (String, Text))):
                    continue
                text_of = cast(column, Text) if is_json else column
                conditions = [func.lower(text_of).contains(w, autoescape=True) for w in words]
                if column.primary_key:
                    if conditions:
                        changed += self._session.execute(delete(table).where(or_(*conditions))).rowcount or 0
                    continue
                conditions.append(text_of.contains(str(person_id)))
                rows = self._session.execute(select(*key, column).where(column.is_not(None), or_(*conditions))).all()
                changed += self._scrub_rows(table, key, column, rows, is_json, person_id, pseudonym, pattern, job_id)
        return changed

    def _redact_encrypted(self, table, key, column, person_id: int, pseudonym: str, pattern, job_id: int | None = None) -> int:
        rows = self._session.execute(select(*key, column).where(column.is_not(None))).all()
        return self._scrub_rows(table, key, column, rows, isinstance(column.type, EncryptedJSON), person_id, pseudonym,
                                pattern, job_id)

    def _scrub_rows(self, table, key, column, rows, is_json: bool, person_id: int, pseudonym: str, pattern,
                    job_id: int | None) -> int:
        """Rewrite each (key…, value) row whose value still mentions the person; how many were rewritten."""
        changed = 0
        for row in rows:
            *ids, value = row
            new = (scrub_json(value, person_id, pseudonym, pattern) if is_json
                   else scrub_text(value, person_id, pseudonym, pattern))
            if new != value:
                self._session.execute(update(table).where(and_(*[k == v for k, v in zip(key, ids)]))
                                      .values(_redacted(table, column.name, new, job_id)))
                changed += 1
        return changed

    def remove_identity(self, person_id: int, tombstone_name: str, tombstone_email: str) -> int:
        """Last: their chat accounts go, and their directory row becomes a tombstone with no name, email or details
        (the row stays so the erasure request and the pseudonymised audit entries keep a valid reference)."""
        identities = self._session.execute(delete(ChatIdentity).where(ChatIdentity.person_id == person_id)).rowcount or 0
        person = self._session.get(Person, person_id)
        if person is None or (person.email == tombstone_email and not person.active):
            return identities
        person.name, person.email, person.active = tombstone_name, tombstone_email, False
        person.access_role = AccessRole.employee
        person.manager_id = person.team_id = person.role_id = person.target_role_id = person.delegate_id = None
        person.job_title = person.location = None
        person.hire_date = person.away_until = None
        person.external_id = person.leave_date = person.leave_reason = None  # the HR data layer's (0017)
        return identities + 1

    # ------------------------------------------------------------------ erasure jobs

    def job_for_proposal(self, proposal_id: int) -> ErasureJob | None:
        return self._session.scalar(select(ErasureJob).where(ErasureJob.proposal_id == proposal_id))

    def job(self, job_id: int) -> ErasureJob | None:
        return self._session.get(ErasureJob, job_id)

    def jobs(self, limit: int = 50) -> list[ErasureJob]:
        return list(self._session.scalars(select(ErasureJob).order_by(ErasureJob.id.desc()).limit(limit)))

    def unfinished_jobs(self) -> list[int]:
        return list(self._session.scalars(select(ErasureJob.id).where(ErasureJob.status != "done").order_by(ErasureJob.id)))

    def open_erasure_request(self, person_id: int) -> Proposal | None:
        return self._session.scalar(select(Proposal).where(Proposal.subject_id == person_id, Proposal.action_type == "erase_person",
                                                           Proposal.status == "proposed"))

    # ------------------------------------------------------------------ retention

    def purge_conversations(self, before: dt.datetime) -> int:
        return self._session.execute(delete(ConversationState).where(ConversationState.updated_at < before)).rowcount or 0

    def purge_feedback_text(self, before: dt.datetime) -> int:
        """The vote stays (it ranks passages); the question the person typed goes."""
        # The question is encrypted at rest (a fresh IV each time), so SQL cannot tell an emptied one from a kept one:
        # the old rows are read and decrypted here, and only those that still hold a question are emptied.
        rows = self._session.execute(select(AnswerFeedback.id, AnswerFeedback.question)
                                     .where(AnswerFeedback.created_at < before)).all()
        ids = [row_id for row_id, question in rows if question]
        for start in range(0, len(ids), 500):
            self._session.execute(update(AnswerFeedback).where(AnswerFeedback.id.in_(ids[start:start + 500]))
                                  .values(question="").execution_options(synchronize_session=False))
        return len(ids)

    def purge_processed_events(self, before: dt.datetime) -> int:
        return self._session.execute(delete(ProcessedEvent).where(ProcessedEvent.at < before)).rowcount or 0

    def run_record(self, name: str) -> MaintenanceRun | None:
        return self._session.get(MaintenanceRun, name)

    def claim_run(self, name: str, now: dt.datetime, period: dt.timedelta) -> bool:
        """True for exactly one caller per period: a conditional UPDATE on the job's row (made if missing)."""
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        self._session.execute(dialect.insert(MaintenanceRun).values(name=name, last_run_at=None, rows_purged=0, detail={})
                              .on_conflict_do_nothing(index_elements=["name"]))
        claimed = self._session.execute(
            update(MaintenanceRun).where(MaintenanceRun.name == name,
                                         or_(MaintenanceRun.last_run_at.is_(None), MaintenanceRun.last_run_at <= now - period))
            .values(last_run_at=now).execution_options(synchronize_session=False))
        return (claimed.rowcount or 0) == 1

    def record_run(self, name: str, now: dt.datetime, rows: int, detail: dict[str, Any]) -> None:
        self._session.execute(update(MaintenanceRun).where(MaintenanceRun.name == name)
                              .values(last_run_at=now, rows_purged=rows, detail=detail).execution_options(synchronize_session=False))


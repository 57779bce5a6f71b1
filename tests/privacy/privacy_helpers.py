"""Helpers for the privacy tests: a person with a record in every table, chatting through the real router, a
settable clock, a recording notifier, and the scanner that looks for a person in every store after an erasure."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, MetaData, String, Text, cast, inspect, select
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from conversation import ActionRef, Channel, Message, Reply
from handlers.router import Router
from storage import UnitOfWork
from storage.encryption import ENCRYPTED_TYPES
from storage.models import (AnswerFeedback, Application, ApplicationStatus, AuditEvent, Base, ChatIdentity, Course, Decision,
                            DigestRun, DigestSubscription, Interest, Opportunity, Person,
                            ProcessedEvent, Proposal, ProposalStatus, SkillEvidence, Skill)
from storage.models import PerformanceRating, RoleChange
from tests.approvals.approvals_helpers import Clock, RecordingNotifier

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"


@dataclass(frozen=True)
class Victim:
    """The person whose data is exported and erased: a row id, name and chat ids that occur nowhere by chance."""

    id: int = 424242
    name: str = "Quentin Brightwater"
    email: str = "quentin.brightwater@kestrel.example"
    slack_id: str = "U0QBRIGHT9"
    teams_id: str = "aad-7f3c-quentin-0042"
    dm: str = "D0QBRIGHTDM"

    @property
    def tokens(self) -> list[str]:
        return [self.name, self.email, self.slack_id, self.teams_id]


def prepare(ladder) -> tuple[Clock, RecordingNotifier]:
    clock, notifier = Clock(), RecordingNotifier()
    ladder.now = clock
    ladder.notifiers.add(notifier)
    ladder.settings.execution_backoff_seconds = 0.0
    return clock, notifier


def say(ladder, email: str, text: str, conversation: str = "test") -> Reply:
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id=conversation, text=text))


def click(ladder, email: str, ref: str) -> Reply:
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="test",
                                         action=ActionRef.decode(ref)))


def person_id(ladder, email: str) -> int:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(Person.id).where(Person.email == email))


HANDBOOK_PAGE = """---
title: Mentoring circle
audience: everyone
updated: 2026-10-01
contact: {email}
topic: learning
---

# Mentoring circle

The mentoring circle meets every second Thursday. {name} runs it and answers questions about joining.

## Joining

Write to the organiser to join the circle; newcomers are welcome at any time of the year.
"""


def make_victim(ladder, tmp_path: Path, victim: Victim = Victim(), *, with_handbook: bool = True) -> Victim:
    """A person with a record of every kind Ladder keeps: some made through chat, the rest written as the features
    that own them write them."""
    now = ladder.now()
    with ladder.db.session() as s, s.begin():
        daniel = s.scalar(select(Person).where(Person.email == DANIEL))
        maya = s.scalar(select(Person).where(Person.email == MAYA))
        s.add(Person(id=victim.id, name=victim.name, email=victim.email, manager_id=daniel.id, team_id=daniel.team_id,
                     role_id=maya.role_id, job_title="Data analyst", location="Lisbon"))
        s.flush()
        s.add_all([ChatIdentity(person_id=victim.id, channel="slack", external_id=victim.slack_id,
                                conversation_ref={"channel": victim.dm}),
                   ChatIdentity(person_id=victim.id, channel="teams", external_id=victim.teams_id,
                                conversation_ref={"user": {"aadObjectId": victim.teams_id, "name": victim.name}})])
        s.add(ProcessedEvent(key=f"slack:action:{victim.slack_id}:1764000000.1"))
        # HR data (0017): a role change and a rating of theirs, and a role change of Maya's that names them as manager.
        s.add_all([RoleChange(person_id=victim.id, effective_date=now.date(), role_id=maya.role_id,
                              job_title=f"Analyst ({victim.name})", source="hris", applied_at=now),
                   PerformanceRating(person_id=victim.id, period="2025-H1", period_end=dt.date(2025, 6, 30), rating=4.0,
                                     scale_max=5.0, source="hris", recorded_at=now),
                   RoleChange(person_id=maya.id, effective_date=now.date() + dt.timedelta(days=30), manager_id=victim.id,
                              source="hris")])
        uow = UnitOfWork(s)
        uow.chat.keep("slack-modal:V0MODAL1", {"user": victim.slack_id, "email": victim.email, "text": "override 3"})
        s.add(AnswerFeedback(answer_id="ans-q-1", person_id=victim.id, helpful=False,
                             question=f"how much leave do I get? — {victim.name}", chunk_ids=["c1"], created_at=now))
        course = s.scalar(select(Course).where(Course.code == "DS101"))
        skill = s.scalar(select(Skill).order_by(Skill.id))
        # Evidence Quentin verified for Maya: Maya's record stays, the link to Quentin goes.
        s.add(SkillEvidence(person_id=maya.id, skill_id=skill.id, evidence_type="peer_review", level=2,
                            source=f"peer review by {victim.name}", verifier_id=victim.id, note=f"confirmed by {victim.email}"))
        opportunity = s.scalar(select(Opportunity).order_by(Opportunity.id))
        opportunity.owner_id = victim.id
        s.add(Interest(person_id=victim.id, opportunity_id=opportunity.id, created_at=now))
        # The marketplace: Quentin applied to someone else's gig; Maya applied to his, naming him in her note.
        other = s.scalar(select(Opportunity).where(Opportunity.id != opportunity.id).order_by(Opportunity.id))
        s.add(Application(person_id=victim.id, opportunity_id=other.id, note=f"{victim.name} would love to help",
                          status=ApplicationStatus.applied, fit=0.5, created_at=now))
        s.add(Application(person_id=maya.id, opportunity_id=opportunity.id, note=f"I'd like to work with {victim.name}",
                          status=ApplicationStatus.applied, fit=0.4, created_at=now))
        s.add(DigestSubscription(person_id=victim.id, kind="employee", created_at=now))
        s.add(DigestRun(kind="employee", person_id=victim.id, period_key="2026-W48", status="sent", claimed_by="test",
                        claimed_at=now, sent_at=now, attempts=1, detail={"have": 2, "total": 9}))
        # A proposal about Maya that Quentin decided, and one about Maya whose payload names him.
        from approvals import policy, service
        from approvals.actions import ActionType

        mayas = service.create(uow, service.NewProposal(
            ActionType.enrol_course, maya.id, victim.id, {"course_id": course.id, "course_code": course.code, "course_title": course.title},
            "Maya needs DS101.", [{"kind": "gap", "text": "statistics"}], f"privacy-test:{maya.id}"),
            level=policy.Autonomy.approve, now=now, expiry_days=7)
        mayas.status = ProposalStatus.rejected
        s.add(Decision(proposal_id=mayas.id, decider_id=victim.id, outcome=ProposalStatus.rejected,
                       reason=f"{victim.name} thinks it can wait", decided_at=now))
        uow.audit.record(action="proposal.rejected", actor_id=victim.id, subject_id=maya.id, object_type="proposal",
                         object_id=str(mayas.id), at=now, detail={"reason": f"{victim.name} thinks it can wait"})
        service.create(uow, service.NewProposal(
            ActionType.readiness_nudge, maya.id, daniel.id,
            {"opportunity_id": opportunity.id, "opportunity_title": opportunity.title, "manager_id": victim.id},
            "Maya looks ready.", [], f"privacy-test-nudge:{maya.id}"), level=policy.Autonomy.approve, now=now, expiry_days=7)
        uow.audit.record(action="checkin.scheduled", actor_kind="agent", subject_id=maya.id, object_type="note", object_id="1",
                         at=now, detail={"with": victim.id, "note": f"met {victim.name}"})
        # A proposal about Quentin, for Daniel.
        service.create(uow, service.NewProposal(
            ActionType.enrol_course, victim.id, daniel.id, {"course_id": course.id, "course_code": course.code, "course_title": course.title},
            f"{victim.name} needs DS101.", [{"kind": "gap", "text": "statistics is not verified"}], f"privacy-test:{victim.id}"),
            level=policy.Autonomy.approve, now=now, expiry_days=7)
    # Learning records (xAPI): statements an LMS sent about Quentin, naming him.
    from learning_records import lrs as xapi_lrs

    with ladder.db.unit_of_work() as uow:
        lms = xapi_lrs.add_client(uow, "Privacy test LMS", now)
        client = xapi_lrs.Client(uow.xapi.active_client(lms.key).id, lms.name, lms.key)
        actor = {"objectType": "Agent", "name": victim.name, "mbox": f"mailto:{victim.email}"}
        xapi_lrs.store(uow, client, [
            {"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, "object": {"id": "DS101:x"},
             "result": {"response": f"{victim.name} says hi"}},
            {"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"}, "object": {"id": "http://lms.example.com/q"}},
        ], now)
    # Through chat, as Quentin: a skill claim, an enrolment, a challenge, conversation memory.
    assert say(ladder, victim.email, "I know SQL at level 3").data.get("intent") == "claim_skill"
    say(ladder, victim.email, "enrol me in DB120")
    mine = say(ladder, victim.email, "proposals about me")
    pid = mine.data["proposals"][0]["id"]
    challenged = say(ladder, victim.email, f"I disagree with proposal {pid} because I took statistics at university")
    assert challenged.data["status"] == "opened", challenged.text
    say(ladder, victim.email, "what's my path to data scientist?", conversation=victim.dm)
    if with_handbook:
        from handlers.knowledge_answer import ingest_documents

        folder = tmp_path / "handbook-extra"
        folder.mkdir(exist_ok=True)
        (folder / "mentoring-circle.md").write_text(HANDBOOK_PAGE.format(email=victim.email, name=victim.name))
        report = ingest_documents(ladder, [folder])
        assert report.summary()
    return victim


# --------------------------------------------------------------------------- the scanner


def token_patterns(victim: Victim) -> list[re.Pattern[str]]:
    """Name, email and chat ids anywhere (any case); the row id only as a whole token (not inside 14242420)."""
    words = [re.compile(re.escape(t), re.IGNORECASE) for t in victim.tokens]
    return words + [re.compile(rf"(?<![\w.]){victim.id}(?![\w.])")]


def _hits(value, patterns, where: str) -> list[str]:
    if value is None:
        return []
    text = value if isinstance(value, str) else repr(value)
    return [f"{where}: {p.pattern} in {text[:160]!r}" for p in patterns if p.search(text)]


def scan_database(db, victim: Victim) -> list[str]:
    """Every text and JSON column of every table, as stored (raw SQL over the reflected schema) and as the ORM
    loads it (decrypted, once free text is encrypted at rest)."""
    patterns = token_patterns(victim)
    found: list[str] = []
    metadata = MetaData()
    with warnings.catch_warnings():  # expression indexes (lower(email)) aren't reflected; columns are all we need
        warnings.simplefilter("ignore", SAWarning)
        metadata.reflect(bind=db.engine)
    with db.engine.connect() as conn:
        for table in metadata.tables.values():
            columns = [c for c in table.columns
                       if isinstance(c.type, (String, Text, JSON)) or c.type.__class__.__name__ in ("JSONB", "VARCHAR", "TEXT", "CLOB")]
            if not columns:
                continue
            # As text: a JSON column that now holds ciphertext (SQLite keeps the old declared type) must not be parsed.
            for row in conn.execute(select(*[cast(c, Text) for c in columns])):
                for column, value in zip(columns, row):
                    found += _hits(value, patterns, f"raw {table.name}.{column.name}")
    with Session(db.engine) as session:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            attrs = [a.key for a in mapper.column_attrs
                     if isinstance(a.columns[0].type, (String, Text, JSON, *ENCRYPTED_TYPES))
                     or a.columns[0].type.__class__.__name__ == "Enum"]
            for obj in session.scalars(select(model)):
                for key in attrs:
                    found += _hits(getattr(obj, key), patterns, f"orm {model.__tablename__}.{key}")
    tables = set(inspect(db.engine).get_table_names())
    assert {"people", "audit_events", "erasure_jobs", "conversation_state"} <= tables  # the scan saw the real schema
    return found


def scan_chroma(client, victim: Victim) -> list[str]:
    patterns = token_patterns(victim)
    found: list[str] = []
    for listed in client.list_collections():
        collection = client.get_collection(listed.name if hasattr(listed, "name") else listed)
        page = collection.get(include=["documents", "metadatas"])
        for chunk_id, document, meta in zip(page["ids"], page["documents"] or [], page["metadatas"] or []):
            found += _hits(document, patterns, f"chroma {collection.name} {chunk_id} document")
            found += _hits(repr(meta), patterns, f"chroma {collection.name} {chunk_id} metadata")
            found += _hits(chunk_id, patterns, f"chroma {collection.name} id")
    return found


def audit_spine(db) -> list[tuple]:
    """What the audit trail says happened, without who: every entry's id, time, action and object, in order."""
    with db.session() as s, s.begin():
        return [tuple(r) for r in s.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.object_type,
                                                   AuditEvent.object_id).order_by(AuditEvent.id))]

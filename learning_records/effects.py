"""What a stored statement changes in Ladder, and how voiding it undoes that.

The learner is the actor: ``mbox`` → the person with that email, ``account.name`` → the person with that HR id
(``people.external_id``). The course is the object's activity id (a mapping in ``xapi_activity_courses``, else the
course whose url or code is the id). Then, by verb:

==========================================  =====================================================================
verb                                        effect
==========================================  =====================================================================
attempted, launched, initialized,           enrolment started (created, source ``lms``, or an ``enrolled`` one
registered, progressed, experienced         moves to ``in_progress``)
completed                                   enrolment completed; **course_completion** evidence (weight 0.40,
                                            never verifies) for each skill the course teaches
passed with a score                         **assessment** evidence (weight 1.00, verifies) for each skill
passed without a score                      course_completion evidence only: a pass with no score says no more
failed                                      enrolment started; no evidence
anything else                               stored, nothing changed
==========================================  =====================================================================

Completion is never competence: a completed statement can never produce verifying evidence. Every change is
recorded in the statement's ``effects`` so that voiding it deletes the evidence it added and puts the enrolment
back as it found it (removed, if the statement created it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from learning_records.statements import parse_timestamp
from storage import UnitOfWork
from storage.models import Enrolment, EnrolmentStatus, EvidenceType, SkillEvidence

ADL = "http://adlnet.gov/expapi/verbs/"
STARTED = frozenset(ADL + v for v in ("attempted", "launched", "initialized", "registered", "progressed",
                                      "experienced", "resumed"))
COMPLETED = ADL + "completed"
PASSED = ADL + "passed"
FAILED = ADL + "failed"


def learner(uow: UnitOfWork, actor: dict[str, Any]):
    """The person a statement's actor is, or None (an unknown learner's statements are stored and change nothing)."""
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.lower().startswith("mailto:"):
        return uow.people.by_email(mbox[len("mailto:"):])
    account = actor.get("account")
    if isinstance(account, dict) and isinstance(account.get("name"), str):
        return uow.xapi.person_by_external_id(account["name"])
    return None


def has_score(result: Any) -> bool:
    score = result.get("score") if isinstance(result, dict) else None
    return isinstance(score, dict) and ("scaled" in score or ("raw" in score and "max" in score))


def evidence_kind(verb_id: str, result: Any) -> EvidenceType | None:
    """The rank of evidence a verb (and its result) gives: none, weak (completion) or strong (scored pass)."""
    if verb_id == COMPLETED:
        return EvidenceType.course_completion
    if verb_id == PASSED:
        return EvidenceType.assessment if has_score(result) else EvidenceType.course_completion
    return None


def apply(uow: UnitOfWork, statement: dict[str, Any], stored: dt.datetime) -> tuple[int | None, dict[str, Any]]:
    """Make the statement's changes; (the learner's person id, what changed — kept for undo)."""
    actor, target, verb_id = statement["actor"], statement["object"], statement["verb"]["id"]
    person = learner(uow, actor) if actor.get("objectType", "Agent") == "Agent" else None
    if person is None:
        return None, {"skipped": "learner not in the directory"}
    if target.get("objectType", "Activity") != "Activity":
        return person.id, {"skipped": "object is not an activity"}
    course = uow.xapi.course_for_activity(target["id"])
    if course is None:
        return person.id, {"skipped": "activity is no known course"}
    kind = evidence_kind(verb_id, statement.get("result"))
    if verb_id not in STARTED and verb_id not in (COMPLETED, PASSED, FAILED):
        return person.id, {"skipped": "verb changes nothing"}
    at = parse_timestamp(statement.get("timestamp", "")) or stored
    effects: dict[str, Any] = {"course_id": course.id, "evidence": []}
    enrolment = uow.xapi.enrolment(person.id, course.id)
    if enrolment is None:
        enrolment = Enrolment(person_id=person.id, course_id=course.id, status=EnrolmentStatus.in_progress,
                              source="lms", enrolled_at=at, last_activity_at=at)
        uow.add(enrolment)
        uow.flush()
        effects["enrolment"] = {"id": enrolment.id, "created": True}
    else:
        effects["enrolment"] = {"id": enrolment.id, "created": False, "before": {
            "status": enrolment.status.value, "progress": enrolment.progress,
            "completed_at": enrolment.completed_at.isoformat() if enrolment.completed_at else None}}
        enrolment.last_activity_at = at
        if enrolment.status in (EnrolmentStatus.enrolled, EnrolmentStatus.withdrawn):
            enrolment.status = EnrolmentStatus.in_progress
    if verb_id == COMPLETED:
        enrolment.status, enrolment.progress, enrolment.completed_at = EnrolmentStatus.completed, 1.0, at
    if kind is not None:
        for skill_id, level in uow.xapi.course_skills(course.id):
            effects["evidence"].append(uow.xapi.add_evidence(SkillEvidence(
                person_id=person.id, skill_id=skill_id, evidence_type=kind, level=level,
                source=f"xAPI {statement['id']}: {verb_id.rsplit('/', 1)[-1]} {course.code}"[:300], observed_at=at)))
        effects["kind"] = kind.value
    return person.id, effects


def undo(uow: UnitOfWork, effects: dict[str, Any]) -> None:
    """Take back what ``apply`` did (the statement was voided)."""
    uow.xapi.delete_evidence(list(effects.get("evidence", [])))
    info = effects.get("enrolment")
    if not info:
        return
    if info.get("created"):
        uow.xapi.delete_enrolment(info["id"])
        return
    enrolment = uow.xapi.enrolment_by_id(info["id"])
    before = info.get("before") or {}
    if enrolment is not None and before:
        enrolment.status = EnrolmentStatus(before["status"])
        enrolment.progress = before["progress"]
        enrolment.completed_at = dt.datetime.fromisoformat(before["completed_at"]) if before["completed_at"] else None

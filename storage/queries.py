"""MERGE: thin wrappers kept only for callers outside the skills area that still use the old names.

Every function here forwards to a repository (``uow.people``, ``uow.skills``); new code asks the repository
by name. Delete this module once bot/ (person_by_email, person_by_identity), handlers/audit_log.py
(person_by_email), handlers/home.py (evidence_for, skill_labels) and agent/run.py (CourseOffer) do.
"""

from __future__ import annotations

from typing import Any

from storage.models import Person
from storage.people import People
from storage.skills import CourseOffer, EvidenceRecord, Skills

__all__ = ["CourseOffer", "evidence_for", "person_by_email", "person_by_identity", "skill_labels"]


def person_by_email(session: Any, email: str) -> Person | None:  # MERGE: uow.people.by_email(email)
    return People(session).by_email(email)


def person_by_identity(session: Any, channel: str, external_id: str) -> Person | None:  # MERGE: uow.people.by_identity
    return People(session).by_identity(channel, external_id)


def evidence_for(session: Any, person_id: int) -> list[EvidenceRecord]:  # MERGE: skills_engine.proficiency.person_profile
    return Skills(session).evidence_for(person_id)


def skill_labels(session: Any, skill_ids: list[int]) -> dict[int, tuple[str, str]]:  # MERGE: uow.skills.skill_labels
    return Skills(session).skill_labels(skill_ids)

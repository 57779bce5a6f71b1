"""The unit of work: one transaction, and the repositories that work inside it.

``Database.unit_of_work()`` yields one; its changes are committed when the block ends and rolled back if it
raises. ``Database.read_only()`` yields one whose transaction cannot write (answers that only read, such as
the path answer, use it). Use cases ask a repository for what they need by name (``uow.people.by_email``);
SQL stays in ``storage/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from storage.audit import AuditTrail
from storage.audit_chain import AuditChain
from storage.audit_keys import AuditKeys
from storage.chat import ChatRecords
from storage.conversations import Conversations
from storage.dashboard import Dashboard
from storage.course_drafts import CourseDrafts
from storage.digests import Digests
from storage.hr_data import HrData
from storage.knowledge_docs import KnowledgeDocs
from storage.leases import Leases
from storage.marketplace import Marketplace
from storage.maturity import Maturity
from storage.skill_history import SkillHistory
from storage.onboarding import Onboardings
from storage.organisation import Organisation
from storage.outcomes import Outcomes
from storage.people import People
from storage.privacy import Privacy
from storage.preferences import PrivacyPreferences
from storage.proposals import Proposals
from storage.rate_limits import RateBuckets
from storage.skills import Skills
from storage.xapi import XapiRecords


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of the unit of work, made on first use over its session and kept for the rest of it."""

    def __init__(self, make: Callable[[Session], R]) -> None:
        self._make = make

    def __set_name__(self, _owner: type, name: str) -> None:
        self._name = name

    def __get__(self, uow: "UnitOfWork | None", _owner: type) -> R:
        if uow is None:  # looked up on the class itself
            return self  # type: ignore[return-value]
        repository = self._make(uow._session)
        uow.__dict__[self._name] = repository  # later reads find the instance attribute and skip this descriptor
        return repository


class UnitOfWork:
    people = _Repository(People)
    skills = _Repository(Skills)
    proposals = _Repository(Proposals)
    audit = _Repository(AuditTrail)  # replaced per unit of work by one that holds the audit keys (__init__)
    audit_chain = _Repository(AuditChain)
    knowledge = _Repository(KnowledgeDocs)
    chat = _Repository(ChatRecords)
    conversations = _Repository(Conversations)
    organisation = _Repository(Organisation)
    leases = _Repository(Leases)
    marketplace = _Repository(Marketplace)
    course_drafts = _Repository(CourseDrafts)
    maturity = _Repository(Maturity)
    onboarding = _Repository(Onboardings)
    privacy = _Repository(Privacy)
    preferences = _Repository(PrivacyPreferences)
    rate_buckets = _Repository(RateBuckets)
    digests = _Repository(Digests)
    dashboard = _Repository(Dashboard)
    xapi = _Repository(XapiRecords)
    hr_data = _Repository(HrData)
    skill_history = _Repository(SkillHistory)
    outcomes = _Repository(Outcomes)

    def __init__(self, session: Session, audit_keys: AuditKeys | None = None) -> None:
        """``audit_keys``: what every audit insert stamps its entry with (handed to the Database by app.build)."""
        self._session = session
        self.audit_keys = audit_keys
        if audit_keys is not None:
            self.__dict__["audit"] = AuditTrail(session, audit_keys)

    def add(self, entity: object) -> None:
        """A new entity (a model instance) becomes part of this unit of work."""
        self._session.add(entity)

    def release(self) -> None:
        """Commit what this unit of work has done so far and hand its connection back to the pool.

        For a use case that passes the rest of its work to domain code running transactions of its own (a decision,
        a challenge): without this, each request would hold two connections at once, and twenty people deciding
        together would exhaust the pool. The unit of work stays usable; its next query starts a new transaction.
        """
        self._session.commit()

    def flush(self) -> None:
        """Send pending changes now (ids for new rows) without ending the transaction."""
        self._session.flush()

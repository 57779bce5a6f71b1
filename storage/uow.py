"""The unit of work: one transaction, and the repositories that work inside it.

``Database.unit_of_work()`` yields one; its changes are committed when the block ends and rolled back if it
raises. ``Database.read_only()`` yields one whose transaction cannot write (answers that only read, such as
the path answer, use it). Use cases ask a repository for what they need by name (``uow.people.by_email``);
SQL stays in ``storage/``.
"""

from __future__ import annotations

from functools import cached_property
from sqlalchemy.orm import Session

from storage.audit import AuditTrail
from storage.chat import ChatRecords
from storage.conversations import Conversations
from storage.knowledge_docs import KnowledgeDocs
from storage.organisation import Organisation
from storage.people import People
from storage.proposals import Proposals
from storage.skills import Skills


class UnitOfWork:
    def __init__(self, session: Session, *, read_only: bool = False) -> None:
        self._session = session
        self.read_only = read_only

    @cached_property
    def people(self) -> People:
        return People(self._session)

    @cached_property
    def skills(self) -> Skills:
        return Skills(self._session)

    @cached_property
    def proposals(self) -> Proposals:
        return Proposals(self._session)

    @cached_property
    def audit(self) -> AuditTrail:
        return AuditTrail(self._session)

    @cached_property
    def knowledge(self) -> KnowledgeDocs:
        return KnowledgeDocs(self._session)

    @cached_property
    def chat(self) -> ChatRecords:
        return ChatRecords(self._session)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self._session)

    @cached_property
    def organisation(self) -> Organisation:
        return Organisation(self._session)

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

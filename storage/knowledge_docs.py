"""Repository: knowledge-base documents, chunks' bookkeeping and answer feedback."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from storage.models import AnswerFeedback, ConversationState, KnowledgeDocument
from storage.repository import Repository

_ANSWER_KEY = "kb-answer:{answer_id}"


@dataclass(frozen=True)
class RememberedAnswer:
    """What an answer rested on, kept so its Helpful / Not helpful buttons can be scored later."""

    question: str
    chunk_ids: list[str] = field(default_factory=list)
    person_id: int | None = None


class KnowledgeDocs(Repository):
    # ------------------------------------------------------------------ the document registry

    def document(self, source: str) -> KnowledgeDocument | None:
        return self._session.scalar(select(KnowledgeDocument).where(KnowledgeDocument.source == source))

    def documents_named(self, sources: Iterable[str]) -> list[KnowledgeDocument]:
        return list(self._session.scalars(select(KnowledgeDocument).where(KnowledgeDocument.source.in_(set(sources)))))

    def documents(self) -> list[KnowledgeDocument]:
        """Every registered document, by source."""
        return list(self._session.scalars(select(KnowledgeDocument).order_by(KnowledgeDocument.source)))

    def register(self, source: str) -> KnowledgeDocument:
        """The registry row of ``source``, created (empty) when the document is new."""
        row = self.document(source)
        if row is None:
            row = KnowledgeDocument(source=source)
            self._session.add(row)
        return row

    def forget(self, document: KnowledgeDocument) -> None:
        self._session.delete(document)

    # ------------------------------------------------------------------ answer feedback

    def vote(self, answer_id: str, person_id: int) -> AnswerFeedback | None:
        """This person's vote on this answer, if they voted."""
        return self._session.scalar(
            select(AnswerFeedback).where(AnswerFeedback.answer_id == answer_id, AnswerFeedback.person_id == person_id)
        )

    def votes(self) -> Iterator[tuple[bool, list[Any]]]:
        """(helpful, chunk ids) of every vote."""
        for helpful, chunk_ids in self._session.execute(select(AnswerFeedback.helpful, AnswerFeedback.chunk_ids)):
            yield helpful, list(chunk_ids or ())

    def record_unanswered(self, answer_id: str, person_id: int | None, question: str, at) -> None:
        """A question the knowledge base found no answer to, kept (encrypted, like a vote's question) for the L&D and
        HR digest; it counts against no passage. The retention purge and an erasure treat it as feedback."""
        from storage.digests import UNANSWERED_PREFIX

        self._session.add(AnswerFeedback(answer_id=f"{UNANSWERED_PREFIX}{answer_id}"[:40], person_id=person_id, helpful=False,
                                         question=question, chunk_ids=[], created_at=at))

    # ------------------------------------------------------------------ answers awaiting feedback

    def remember_answer(self, answer_id: str, answer: RememberedAnswer) -> None:
        self._session.add(ConversationState(
            key=_ANSWER_KEY.format(answer_id=answer_id),
            data={"question": answer.question, "chunk_ids": list(answer.chunk_ids), "person_id": answer.person_id},
        ))

    def remembered_answer(self, answer_id: str) -> RememberedAnswer | None:
        state = self._session.get(ConversationState, _ANSWER_KEY.format(answer_id=answer_id))
        if state is None:
            return None
        data = state.data or {}
        return RememberedAnswer(data.get("question", ""), list(data.get("chunk_ids", [])), data.get("person_id"))

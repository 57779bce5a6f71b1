"""The knowledge base of one process: its passage index, the answerer over it and answer feedback.

Importing this module is cheap on purpose: Chroma and onnxruntime load only when
``open_knowledge_base`` runs, so a process that never answers a policy question never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.passage_index import PassageIndex

if TYPE_CHECKING:
    from knowledge.answer import Answerer
    from knowledge.feedback import FeedbackStore
    from settings import Settings
    from storage import Database


@dataclass(frozen=True)
class KnowledgeBase:
    index: PassageIndex
    answerer: Answerer
    feedback: FeedbackStore


def open_knowledge_base(settings: Settings, db: Database) -> KnowledgeBase:
    """Chroma (folder or server) and the embedding model named by ``settings``; feedback kept in ``db``."""
    from knowledge.answer import Answerer
    from knowledge.embedding import embedder_for
    from knowledge.feedback import FeedbackStore
    from knowledge.index import KnowledgeIndex

    feedback = FeedbackStore(db)
    # from_settings alone would look only at EMBEDDING_MODEL_DIR; embedder_for also honours EMBEDDING_DOWNLOAD.
    index = KnowledgeIndex.from_settings(settings, feedback=feedback, embedder=embedder_for(settings))
    return KnowledgeBase(index, Answerer(index, settings), feedback)

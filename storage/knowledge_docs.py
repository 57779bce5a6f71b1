"""Repository: knowledge-base documents, chunks' bookkeeping and answer feedback."""

from __future__ import annotations

from storage.repository import Repository


class KnowledgeDocs(Repository):
    pass

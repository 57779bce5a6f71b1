"""What ingestion and answering need from a passage index, so they never depend on Chroma itself.

``knowledge.index.KnowledgeIndex`` (Chroma + BM25) is the real one; a test may bring its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from knowledge.chunking import Chunk
    from knowledge.index import SearchHit


class Embedder(Protocol):
    """Sentence vectors for texts (``knowledge.embedding.MiniLMEmbedding``)."""

    def __call__(self, input: list[str]) -> Sequence[Sequence[float]]: ...  # noqa: A002 - Chroma's name


class PassageIndex(Protocol):
    embedder: Embedder | None

    @property
    def lexical_only(self) -> bool: ...

    def search(self, query: str, audiences: Iterable[str], k: int = 5) -> list[SearchHit]: ...

    def term_weights(self, audiences: Iterable[str]) -> Mapping[str, float]: ...

    def replace_source(self, source: str, chunks: Sequence[Chunk]) -> None: ...

    def delete_source(self, source: str) -> int: ...

    def chunk_ids_for(self, source: str) -> list[str]: ...

    def redact(self, terms: Sequence[str], replacement: str = "[erased]") -> int: ...

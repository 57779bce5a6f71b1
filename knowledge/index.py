"""Hybrid passage search: Chroma vectors + BM25, fused by reciprocal rank, audience-filtered first.

Storage layout (one Chroma database, embedded folder or server), one collection per audience:

- ``<name>-minilm-<audience>``: chunks with all-MiniLM-L6-v2 vectors (cosine), when the model loads;
- ``<name>-lexical-<audience>``: the same records with a constant 1-d vector, when there is no
  model. Chroma still holds text and metadata (BM25 is rebuilt from it at start-up); only the
  vector half of the search is skipped. Switching modes means re-indexing, which ingestion
  notices (the registry says a document has chunks the current collections lack) and does;
- ``<name>-meta``: one record whose "generation" changes on every write, so another process (the
  CLI ingesting while the bot serves) is noticed and the in-memory BM25 reloaded.

Audience filtering happens before ranking. Vector search only queries the collections of the
audiences the asker may read: partitioning is the filter. (A ``where audience in (...)`` filter
does the same job but costs ~90 ms per query at 10k chunks in Chroma 1.5 against ~3 ms for an
unfiltered query, measured on 2 cores.) BM25 is built only over the readable chunks, so a
restricted passage can neither be returned nor shift the scores (IDF) an asker sees.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.chunking import Chunk
from knowledge.embedding import MiniLMEmbedding, load_embedder
from knowledge.feedback import FeedbackStore, penalty_factor
from knowledge.lexical import LexicalView
from knowledge.parsing import AUDIENCES
from knowledge.synonyms import expand_text
from knowledge.text import terms

if TYPE_CHECKING:
    from settings import Settings

log = logging.getLogger(__name__)

# Up to this many chunks a stale BM25 view is rebuilt on the spot (well under a second). Above it,
# searches keep using the stale view, checked against the current chunks, while a background
# thread rebuilds it: at 50,000 chunks a rebuild takes seconds and nobody should wait for it.
SYNC_REBUILD_LIMIT = 5000
RRF_K = 60  # the usual reciprocal-rank-fusion constant: rank 1 and rank 5 differ, but not wildly
CANDIDATES = 30  # taken from each retriever before fusion
_GENERATION_ID = "generation"
_LEXICAL_VECTOR = [1.0]
_PAGE = 5000
_UNSET = object()


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float  # fused RRF score after the feedback penalty; only comparable within one search
    bm25_score: float | None = None
    vector_similarity: float | None = None  # cosine similarity in [-1, 1]
    penalty: float = 1.0


class KnowledgeIndex:
    def __init__(
        self,
        client,  # a chromadb client (PersistentClient, HttpClient, EphemeralClient)
        embedder: MiniLMEmbedding | None,
        *,
        feedback: FeedbackStore | None = None,
        name: str = "ladder-kb",
        reload_check_seconds: float = 2.0,
    ) -> None:
        self.client = client
        self.embedder = embedder
        self.feedback = feedback
        self.reload_check_seconds = reload_check_seconds
        space = "lexical" if embedder is None else "minilm"
        config = {"hnsw": {"space": "cosine"}} if embedder is not None else None
        self.collections = {
            audience: client.get_or_create_collection(f"{name}-{space}-{audience}", embedding_function=None, configuration=config)
            for audience in AUDIENCES
        }
        self._meta = client.get_or_create_collection(f"{name}-meta", embedding_function=None)
        self._lock = threading.RLock()
        self._chunks: dict[str, Chunk] | None = None
        self._terms: dict[str, list[str]] = {}  # chunk id -> BM25 terms, shared by all views
        self._views: dict[frozenset[str], LexicalView] = {}
        self._built_at: dict[frozenset[str], int] = {}  # write count each view was built from
        self._writes = 0
        self._rebuilding: set[frozenset[str]] = set()
        self._generation: str | None = None
        self._checked_at = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, *, feedback: FeedbackStore | None = None, embedder=_UNSET) -> "KnowledgeIndex":
        """Embedded Chroma in ``settings.chroma_path``, or a Chroma server when CHROMA_HOST is set."""
        import chromadb

        if settings.chroma_host:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port)
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(settings.chroma_path))
        if embedder is _UNSET:
            embedder = load_embedder(settings.embedding_model_dir)
        return cls(client, embedder, feedback=feedback)

    @property
    def lexical_only(self) -> bool:
        return self.embedder is None

    # ------------------------------------------------------------------ writes

    def upsert(self, chunks: Sequence[Chunk]) -> None:
        unknown = {c.audience for c in chunks} - set(AUDIENCES)
        if unknown:
            raise ValueError(f"unknown audience {sorted(unknown)}")
        batch = max(1, min(_PAGE, self.client.get_max_batch_size()))
        for audience, collection in self.collections.items():
            mine = [c for c in chunks if c.audience == audience]
            for start in range(0, len(mine), batch):
                part = mine[start : start + batch]
                collection.upsert(
                    ids=[c.chunk_id for c in part],
                    documents=[c.text for c in part],
                    metadatas=[c.metadata() for c in part],
                    embeddings=self._vectors(part),
                )
        with self._lock:
            if self._chunks is not None:
                for chunk in chunks:
                    self._chunks[chunk.chunk_id] = chunk
                    self._terms.pop(chunk.chunk_id, None)
            self._changed()

    def replace_source(self, source: str, chunks: Sequence[Chunk]) -> None:
        """New chunks go in before stale ones go out, so the document never disappears mid-way.
        A chunk whose audience changed is removed from its old audience's collection."""
        self.upsert(chunks)
        keep = {(c.audience, c.chunk_id) for c in chunks}
        self._delete({a: [i for i in ids if (a, i) not in keep] for a, ids in self._ids_by_audience(source).items()})

    def delete_source(self, source: str) -> int:
        ids = self._ids_by_audience(source)
        self._delete(ids)
        return sum(len(v) for v in ids.values())

    def redact(self, terms: Sequence[str], replacement: str = "[erased]") -> int:
        """Rewrite every stored passage whose text, title, section, topic or contact mentions one of ``terms``
        (an erased person's name, email or chat ids), case-insensitively; how many passages changed. The rewritten
        passages are embedded again, so neither the text, the metadata nor the vector carries the person."""
        words = sorted({t for t in terms if t and len(t) >= 3}, key=len, reverse=True)
        if not words:
            return 0
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        self.refresh()  # read what Chroma holds now, not this process's copy
        changed = []
        for chunk in self._all_chunks().values():
            fields = {name: getattr(chunk, name) for name in ("text", "doc_title", "section", "topic", "contact")}
            if not any(isinstance(v, str) and pattern.search(v) for v in fields.values()):
                continue
            new = {k: (pattern.sub(replacement, v) if isinstance(v, str) else v) for k, v in fields.items()}
            if fields["contact"] and pattern.search(fields["contact"]):
                new["contact"] = None
            changed.append(dataclasses.replace(chunk, **new))
        if changed:
            self.upsert(changed)
        return len(changed)

    def chunk_ids_for(self, source: str) -> list[str]:
        return [i for ids in self._ids_by_audience(source).values() for i in ids]

    def _ids_by_audience(self, source: str) -> dict[str, list[str]]:
        return {a: list(c.get(where={"source": source}, include=[])["ids"]) for a, c in self.collections.items()}

    def _delete(self, ids_by_audience: Mapping[str, list[str]]) -> None:
        if not any(ids_by_audience.values()):
            return
        for audience, ids in ids_by_audience.items():
            if ids:
                self.collections[audience].delete(ids=ids)
        with self._lock:
            if self._chunks is not None:
                for ids in ids_by_audience.values():
                    for chunk_id in ids:
                        self._chunks.pop(chunk_id, None)
                        self._terms.pop(chunk_id, None)
            self._changed()

    def _vectors(self, chunks: Sequence[Chunk]) -> list:
        if self.embedder is None:
            return [_LEXICAL_VECTOR for _ in chunks]
        return self.embedder([c.indexed_text for c in chunks])

    def _changed(self) -> None:
        self._writes += 1  # views built before now are stale; see _view
        self._generation = uuid.uuid4().hex
        self._meta.upsert(ids=[_GENERATION_ID], embeddings=[_LEXICAL_VECTOR], documents=[self._generation])

    # ------------------------------------------------------------------ reads

    def count(self) -> int:
        return sum(c.count() for c in self.collections.values())

    def get(self, chunk_id: str) -> Chunk | None:
        return self._all_chunks().get(chunk_id)

    def refresh(self) -> None:
        """Forget the in-memory copy; the next search reloads it from Chroma."""
        with self._lock:
            self._chunks = None
            self._terms.clear()
            self._views.clear()
            self._built_at.clear()
            self._writes += 1  # a rebuild still running in the background is now stale too

    def _all_chunks(self) -> dict[str, Chunk]:
        with self._lock:
            self._reload_if_changed_elsewhere()
            if self._chunks is None:
                self._chunks = self._load()
            return self._chunks

    def _stored_generation(self) -> str | None:
        stored = self._meta.get(ids=[_GENERATION_ID], include=["documents"])["documents"]
        return stored[0] if stored else None

    def _reload_if_changed_elsewhere(self) -> None:
        now = time.monotonic()
        if self._chunks is None or now - self._checked_at < self.reload_check_seconds:
            return
        self._checked_at = now
        if self._stored_generation() != self._generation:
            log.info("knowledge index changed in another process; reloading")
            self.refresh()

    def _load(self) -> dict[str, Chunk]:
        self._generation = self._stored_generation()
        self._checked_at = time.monotonic()
        chunks: dict[str, Chunk] = {}
        for collection in self.collections.values():
            offset = 0
            while True:
                page = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
                for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                    chunks[chunk_id] = Chunk.from_stored(chunk_id, text or "", meta or {})
                if len(page["ids"]) < _PAGE:
                    break
                offset += _PAGE
        return chunks

    def _view(self, audiences: frozenset[str]) -> LexicalView:
        chunks = self._all_chunks()
        with self._lock:
            view = self._views.get(audiences)
            if view is not None and self._built_at[audiences] == self._writes:
                return view
            if view is None or len(chunks) <= SYNC_REBUILD_LIMIT:
                return self._build_view(audiences)
            if audiences not in self._rebuilding:
                self._rebuilding.add(audiences)
                threading.Thread(target=self._build_view, args=(audiences,), name="kb-bm25-rebuild", daemon=True).start()
            return view  # stale: search() re-checks every hit against the current chunks

    def _build_view(self, audiences: frozenset[str]) -> LexicalView:
        with self._lock:
            writes = self._writes
            chunks = self._chunks if self._chunks is not None else self._all_chunks()
            allowed = [c for c in chunks.values() if c.audience in audiences]
            known = {c.chunk_id: self._terms.get(c.chunk_id) for c in allowed}
        try:
            corpus = [known[c.chunk_id] or terms(c.indexed_text) for c in allowed]
            view = LexicalView(allowed, corpus)
        finally:
            with self._lock:
                self._rebuilding.discard(audiences)
        with self._lock:
            live = self._chunks or {}
            self._terms.update({c.chunk_id: t for c, t in zip(allowed, corpus) if c.chunk_id in live})
            if self._built_at.get(audiences, -1) <= writes:
                self._views[audiences] = view
                self._built_at[audiences] = writes
            return view

    def term_weights(self, audiences: Iterable[str]) -> Mapping[str, float]:
        """BM25 IDF of every term in the passages these audiences may read (for support checks)."""
        view = self._view(frozenset(audiences))
        return view.bm25.idf if view.bm25 is not None else {}

    def search(self, query: str, audiences: Iterable[str], k: int = 5) -> list[SearchHit]:
        """The ``k`` best passages the asker may read, best first."""
        allowed = frozenset(audiences) & frozenset(AUDIENCES)
        if not allowed or not query.strip():
            return []
        current = self._all_chunks()
        # HR synonyms widen the BM25 half only: the embedding model already knows "vacation" is
        # close to "annual leave", and its query should stay what the person wrote.
        weighted = expand_text(query).weighted()
        lexical = [
            (current[c.chunk_id], score)
            for c, score in self._view(allowed).top([t for t, _ in weighted], CANDIDATES, [w for _, w in weighted])
            if c.chunk_id in current  # a stale view may still hold a deleted or replaced chunk
        ]
        vector = self._vector_top(query, allowed, CANDIDATES)

        fused: dict[str, float] = {}
        for ranked in (lexical, vector):
            for rank, (chunk, _) in enumerate(ranked, start=1):
                fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        bm25 = {c.chunk_id: s for c, s in lexical}
        similarity = {c.chunk_id: s for c, s in vector}
        by_id = {c.chunk_id: c for c, _ in lexical + vector}
        net_negative = self.feedback.net_negative() if self.feedback is not None else {}

        hits = []
        for chunk_id, score in fused.items():
            chunk = by_id[chunk_id]
            if chunk.audience not in allowed:  # belt and braces: never hand out what was filtered
                continue
            penalty = penalty_factor(net_negative.get(chunk_id, 0))
            hits.append(SearchHit(chunk, score * penalty, bm25.get(chunk_id), similarity.get(chunk_id), penalty))
        hits.sort(key=lambda h: (-h.score, h.chunk.chunk_id))
        return hits[:k]

    def _vector_top(self, query: str, allowed: frozenset[str], n: int) -> list[tuple[Chunk, float]]:
        if self.embedder is None:
            return []
        chunks = self._all_chunks()
        try:
            vector = self.embedder([query])[0]
            found: list[tuple[Chunk, float]] = []
            for audience in sorted(allowed):
                result = self.collections[audience].query(query_embeddings=[vector], n_results=n, include=["distances"])
                for chunk_id, distance in zip(result["ids"][0], result["distances"][0]):
                    chunk = chunks.get(chunk_id)
                    if chunk is not None:
                        found.append((chunk, 1.0 - float(distance)))
        except Exception:  # noqa: BLE001 - vector half failing leaves BM25 answering
            log.warning("vector search failed; using lexical results only", exc_info=True)
            return []
        found.sort(key=lambda pair: -pair[1])
        return found[:n]

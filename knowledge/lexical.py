"""BM25 over the passages one audience set may read.

rank-bm25 provides the corpus statistics (term frequencies, document lengths, IDF) and the
formula. Its own scorer walks every document in Python for every query term: about 80 ms per
query at 50,000 passages on 2 cores. ``LexicalView.top`` evaluates the same formula with numpy
over per-term postings (only the passages that contain the term), which gives identical scores
(see tests/knowledge/test_search.py) in a few milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.chunking import Chunk


class LuceneBM25(BM25Okapi):
    """BM25Okapi with Lucene's IDF, log(1 + (N - n + 0.5) / (n + 0.5)), which stays positive.

    rank-bm25's Okapi IDF is zero or negative for a term in half or more of the passages, so a
    small knowledge base (one or two documents) would score every passage zero."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1.0 + (self.corpus_size - freq + 0.5) / (freq + 0.5))
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0


class LexicalView:
    def __init__(self, chunks: list[Chunk], corpus: Sequence[list[str]]) -> None:
        """``corpus[i]`` holds the terms of ``chunks[i]`` (tokenised once, shared between views)."""
        self.chunks = chunks
        self.bm25 = LuceneBM25(list(corpus)) if chunks else None
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if self.bm25 is None:
            return
        positions: dict[str, list[int]] = {}
        frequencies: dict[str, list[int]] = {}
        for position, counts in enumerate(self.bm25.doc_freqs):
            for term, count in counts.items():
                positions.setdefault(term, []).append(position)
                frequencies.setdefault(term, []).append(count)
        self.postings = {
            term: (np.asarray(positions[term], dtype=np.int64), np.asarray(frequencies[term], dtype=np.float64))
            for term in positions
        }
        bm25 = self.bm25
        self._length_norm = bm25.k1 * (1 - bm25.b + bm25.b * np.asarray(bm25.doc_len, dtype=np.float64) / bm25.avgdl)

    def scores(self, query_terms: Sequence[str], term_weights: Sequence[float] | None = None) -> np.ndarray:
        """rank-bm25's get_scores(), computed over postings only. ``term_weights[i]`` scales the
        contribution of ``query_terms[i]`` (a synonym added to the query counts less than a word
        the person typed); without it every term weighs 1, exactly as in rank-bm25."""
        if self.bm25 is None:
            return np.zeros(0)
        k1 = self.bm25.k1
        scores = np.zeros(len(self.chunks))
        for i, term in enumerate(query_terms):  # repeated query terms count repeatedly, as in rank-bm25
            posting = self.postings.get(term)
            if posting is None:
                continue
            where, tf = posting
            weight = 1.0 if term_weights is None else term_weights[i]
            scores[where] += weight * self.bm25.idf[term] * (tf * (k1 + 1) / (tf + self._length_norm[where]))
        return scores

    def top(self, query_terms: Sequence[str], n: int, term_weights: Sequence[float] | None = None) -> list[tuple[Chunk, float]]:
        if self.bm25 is None or not query_terms:
            return []
        scores = self.scores(query_terms, term_weights)
        matched = np.flatnonzero(scores > 0)
        if matched.size > n:
            matched = matched[np.argpartition(-scores[matched], n - 1)[:n]]
        # Highest score first; equal scores keep corpus order so results are reproducible.
        best = matched[np.lexsort((matched, -scores[matched]))]
        return [(self.chunks[i], float(scores[i])) for i in best]

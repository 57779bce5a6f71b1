"""Skills read from text: one component for everything Ladder reads (opportunity briefs, course descriptions,
documents for authoring, work artefacts a person shares, job descriptions).

``SkillExtractor.extract(text)`` returns ESCO skills with a score in 0..1 and the sentence that supports each.
This first version matches labels sentence by sentence (``tagging.suggest``); the embedding-based matcher
(issue 15) replaces ``_candidates`` behind the same interface, so callers never change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from skills_engine import tagging
from skills_engine.skill_index import SkillIndex

DEFAULT_TOP_K = 10
MIN_SCORE = 0.5
MAX_SENTENCES = 2_000  # a huge document is read up to here; callers say so to the person

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


class Embedder(Protocol):
    """Sentence embeddings (the knowledge base's model): one unit-length vector per text."""

    def __call__(self, texts: Sequence[str]) -> Sequence[Sequence[float]]: ...


@dataclass(frozen=True, slots=True)
class ExtractedSkill:
    skill_id: int
    uri: str
    label: str
    score: float  # 0..1, comparable across texts
    sentence: str  # the sentence of the text that supports it


def sentences(text: str) -> list[str]:
    """The text's sentences (bullets and lines count as sentences), stripped, empty ones dropped."""
    parts = (p.strip(" \t-•*·") for p in _SENTENCE_END.split(text or ""))
    return [p for p in parts if p][:MAX_SENTENCES]


class SkillExtractor:
    def __init__(self, index: SkillIndex, uri_of: Callable[[int], str], *, embed: Embedder | None = None,
                 fuzzy_labels: list[str] | None = None) -> None:
        self._index = index
        self._uri_of = uri_of
        self._embed = embed
        self._fuzzy_labels = fuzzy_labels

    @property
    def uses_embeddings(self) -> bool:
        return self._embed is not None

    def extract(self, text: str, *, top_k: int = DEFAULT_TOP_K, min_score: float = MIN_SCORE) -> list[ExtractedSkill]:
        best: dict[int, ExtractedSkill] = {}
        for sentence in sentences(text):
            for skill_id, label, score in self._candidates(sentence):
                if score >= min_score and (skill_id not in best or score > best[skill_id].score):
                    best[skill_id] = ExtractedSkill(skill_id, self._uri_of(skill_id), label, round(score, 3), sentence)
        return sorted(best.values(), key=lambda s: (-s.score, s.label))[:top_k]

    def _candidates(self, sentence: str) -> list[tuple[int, str, float]]:
        found = tagging.suggest(self._index, sentence, fuzzy_labels=self._fuzzy_labels, limit=20)
        return [(s.skill_id, s.label, s.score / 100.0) for s in found]

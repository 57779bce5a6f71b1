"""Skills read from text: one component for everything Ladder reads (opportunity briefs, course descriptions,
documents for authoring, work artefacts a person shares, job descriptions).

``SkillExtractor.extract(text)`` returns ESCO skills with a score in 0..1 and the sentence that supports each.

How (docs/skill_extraction.md): every preferred and alternative label of every skill is embedded once with the
knowledge base's sentence model (``LabelVectors``, cached as .npy keyed by a hash of the labels and the model).
The text is split into sentences, and each sentence also into short word windows; each piece is compared by
cosine with every label, and a skill keeps its best cosine over its labels and the pieces. That meaning evidence
is combined with lexical evidence (a literal or near-literal label hit, ``tagging.suggest``) in a small logistic
score whose weights were fitted on the benchmark's validation splits only. Without an embedder (no model on this
machine) the extractor matches labels only, as before, and says so once in the log.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from skills_engine import tagging
from skills_engine.skill_index import SkillIndex

log = logging.getLogger(__name__)

DEFAULT_TOP_K = 10
MIN_SCORE = 0.5  # label matching only (no model): tagging's 0..100 score / 100
MAX_SENTENCES = 2_000  # a huge document is read up to here; callers say so to the person

# The embedding matcher. Fitted on the validation splits of TECH and HOUSE (bench/extract_bench.py --fit):
# a logistic regression of "this skill is a gold label of this sentence" on the skill's best cosine and its
# lexical hit (0..1), over each validation sentence's 100 best candidates (12,839 candidates, 232 gold; Newton's
# method, light L2); never on a test split.
W_BIAS = -10.55
W_COSINE = 9.87
W_LEXICAL = 3.18
# A skill whose best cosine is below MIN_COSINE is not a candidate; one whose calibrated score is below
# EMBED_MIN_SCORE is not suggested: 0.07 is the F1-best threshold on validation (precision 0.28, recall 0.40, F1
# 0.34 over the candidates). The score is "the benchmark's annotator picked exactly this ESCO skill", so it is low
# even for good matches (ESCO has near-duplicates): without a literal label hit a skill needs cosine >= ~0.80.
MIN_COSINE = 0.40
EMBED_MIN_SCORE = 0.07
WINDOW_WORDS = (2, 4)  # word windows embedded besides the whole sentence (sizes), for lists and long sentences
MAX_PIECES_PER_SENTENCE = 24
_BLOCK = 256  # pieces compared with the label matrix at a time (bounds memory for long documents)

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"\S+")


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


def pieces(sentence: str) -> list[str]:
    """The sentence itself, then its word windows (``WINDOW_WORDS``), without repeats."""
    words = _WORD.findall(sentence)
    out = [sentence]
    for n in WINDOW_WORDS:
        if len(words) > n:
            step = max(1, n // 2)
            out.extend(" ".join(words[i:i + n]) for i in range(0, len(words) - n + 1, step))
    return list(dict.fromkeys(out))[:MAX_PIECES_PER_SENTENCE]


def calibrated(cosine: float, lexical: float) -> float:
    """The logistic score of a candidate from its best cosine and lexical hit (weights above)."""
    z = W_BIAS + W_COSINE * cosine + W_LEXICAL * lexical
    return 1.0 / (1.0 + math.exp(-z))


def _labels_of(label: str, alt_labels: str | None) -> list[str]:
    alts = [a.strip() for a in (alt_labels or "").split("\n") if a.strip()]
    return list(dict.fromkeys([label.strip(), *alts]))


class LabelVectors:
    """Every label of every skill as a unit vector: ``matrix`` rows grouped by skill (``starts`` per skill)."""

    def __init__(self, skill_ids: np.ndarray, starts: np.ndarray, matrix: np.ndarray) -> None:
        self.skill_ids = skill_ids
        self.starts = starts
        self.matrix = matrix

    @classmethod
    def build(cls, entries: Iterable[tuple[int, str, str | None]], embed: Embedder, *, cache_dir: Path | None,
              model_name: str = "") -> "LabelVectors":
        """Embed the labels, or load them from ``cache_dir`` when the same labels were embedded by the same model."""
        ids: list[int] = []
        starts: list[int] = []
        texts: list[str] = []
        for skill_id, label, alts in sorted(entries, key=lambda e: e[0]):
            ids.append(skill_id)
            starts.append(len(texts))
            texts.extend(_labels_of(label, alts))
        digest = hashlib.sha256("\x1f".join([model_name, *map(str, ids), *texts]).encode()).hexdigest()[:20]
        path = cache_dir / f"skill-labels-{digest}.npy" if cache_dir is not None else None
        matrix: np.ndarray | None = None
        if path is not None and path.exists():
            try:
                loaded = np.load(path)
                if loaded.shape[0] == len(texts):
                    matrix = loaded
            except (OSError, ValueError) as exc:
                log.warning("skill label vectors in %s unreadable (%s); embedding again", path, exc)
        if matrix is None:
            matrix = np.asarray(embed(texts), dtype=np.float32).reshape(len(texts), -1) if texts else np.zeros((0, 1), np.float32)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")  # two processes building it never share a file
                np.save(tmp, matrix)
                tmp.replace(path)
        return cls(np.asarray(ids, dtype=np.int64), np.asarray(starts, dtype=np.int64), matrix)

    def best(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per skill: the best cosine over its labels and the given vectors, and which vector gave it."""
        n = len(self.skill_ids)
        best = np.full(n, -1.0, dtype=np.float32)
        where = np.zeros(n, dtype=np.int64)
        if n == 0 or len(vectors) == 0:
            return best, where
        for start in range(0, len(vectors), _BLOCK):
            block = vectors[start:start + _BLOCK]
            per_skill = np.maximum.reduceat(block @ self.matrix.T, self.starts, axis=1)  # [pieces, skills]
            arg = per_skill.argmax(axis=0)
            top = per_skill[arg, np.arange(n)]
            better = top > best
            best[better] = top[better]
            where[better] = arg[better] + start
        return best, where


class SkillExtractor:
    """ESCO skills of a text. ``embed`` given: meaning + lexical evidence; else label matching only."""

    def __init__(self, index: SkillIndex, uri_of: Callable[[int], str], *, embed: Embedder | None = None,
                 fuzzy_labels: list[str] | None = None, vectors_dir: Path | None = None,
                 entries: Iterable[tuple[int, str, str | None]] | None = None, model_name: str = "") -> None:
        self._index = index
        self._uri_of = uri_of
        self._embed = embed
        self._fuzzy_labels = fuzzy_labels
        self._vectors_dir = vectors_dir
        self._entries = list(entries) if entries is not None else None
        self._model_name = model_name
        self._vectors: LabelVectors | None = None
        if embed is None:
            log.info("skill extraction matches labels only (no embedding model loaded)")

    @property
    def uses_embeddings(self) -> bool:
        return self._embed is not None and self._entries is not None

    def label_vectors(self) -> LabelVectors:
        if self._vectors is None:
            assert self._embed is not None and self._entries is not None
            self._vectors = LabelVectors.build(self._entries, self._embed, cache_dir=self._vectors_dir,
                                               model_name=self._model_name)
        return self._vectors

    def extract(self, text: str, *, top_k: int = DEFAULT_TOP_K, min_score: float | None = None) -> list[ExtractedSkill]:
        if self.uses_embeddings:
            return self._by_meaning(text, top_k, EMBED_MIN_SCORE if min_score is None else min_score)
        floor = MIN_SCORE if min_score is None else min_score
        best: dict[int, ExtractedSkill] = {}
        for sentence in sentences(text):
            for skill_id, label, score in self._lexical(sentence):
                if score >= floor and (skill_id not in best or score > best[skill_id].score):
                    best[skill_id] = ExtractedSkill(skill_id, self._uri_of(skill_id), label, round(score, 3), sentence)
        return sorted(best.values(), key=lambda s: (-s.score, s.label))[:top_k]

    def candidates(self, text: str, *, limit: int = 50) -> list[tuple[int, float, float, str]]:
        """(skill id, best cosine, lexical hit 0..1, supporting sentence) of the text's best candidates, before
        scoring: what the calibration is fitted on."""
        found = sentences(text)
        if not found:
            return []
        owner: list[int] = []
        texts: list[str] = []
        for i, sentence in enumerate(found):
            for piece in pieces(sentence):
                owner.append(i)
                texts.append(piece)
        assert self._embed is not None
        vectors = np.asarray(self._embed(texts), dtype=np.float32).reshape(len(texts), -1)
        table = self.label_vectors()
        best, where = table.best(vectors)
        lexical: dict[int, tuple[float, str]] = {}
        for sentence in found:
            for skill_id, _label, score in self._lexical(sentence, fuzzy=False):
                if score > lexical.get(skill_id, (0.0, ""))[0]:
                    lexical[skill_id] = (score, sentence)
        chosen = set(np.flatnonzero(best >= MIN_COSINE)[np.argsort(-best[best >= MIN_COSINE])][:limit].tolist())
        position = {int(sid): i for i, sid in enumerate(table.skill_ids.tolist())}
        chosen.update(position[sid] for sid in lexical if sid in position)
        out = []
        for i in chosen:
            sid = int(table.skill_ids[i])
            lex, lex_sentence = lexical.get(sid, (0.0, ""))
            out.append((sid, float(best[i]), lex, lex_sentence or found[owner[int(where[i])]]))
        return out

    def _by_meaning(self, text: str, top_k: int, min_score: float) -> list[ExtractedSkill]:
        scored = [(calibrated(cos, lex), sid, sentence) for sid, cos, lex, sentence in self.candidates(text)]
        kept = [ExtractedSkill(sid, self._uri_of(sid), self._index.label(sid), round(score, 3), sentence)
                for score, sid, sentence in scored if score >= min_score]
        return sorted(kept, key=lambda s: (-s.score, s.label))[:top_k]

    def _lexical(self, sentence: str, *, fuzzy: bool = True) -> list[tuple[int, str, float]]:
        # Next to the embeddings only literal label hits count: near-misses (plurals, typos) are what the meaning
        # matcher already catches, and fuzzy matching every run against ~111k labels costs ~0.5 s a sentence.
        labels = self._fuzzy_labels if fuzzy else []
        found = tagging.suggest(self._index, sentence, fuzzy_labels=labels, limit=20)
        return [(s.skill_id, s.label, s.score / 100.0) for s in found]

"""Which capability a message asks for: a classifier trained on the catalogue's examples.

Two kinds of evidence, one calibrated model (multinomial logistic regression, fitted with scikit-learn):

* lexical: TF-IDF over word uni- and bigrams and over character 2–5-grams inside words, so a typo
  ("waht skils") still shares most of its character grams with the word it misspells;
* meaning: the sentence embedding of the message (all-MiniLM-L6-v2, the model the knowledge base uses),
  so "how far off am I from data engineer" lands near "what's my gap to data analyst" with no word in common.

Without the embedding model the same classifier is trained on the lexical features alone (the embedding loader
says so once in the log). With it, both are fitted: a message the words alone already place with confidence
(``LEXICAL_SURE``) is not embedded at all.

Fitting needs scikit-learn, whose import alone takes seconds; answering must not. So the fitted model is kept
as plain arrays (``CompiledModel``: the feature vocabulary, the IDF weights, the coefficients) and scored here with
numpy, the features coming from the same ``analyse`` function scikit-learn was fitted with. It is cached on disk,
keyed by the catalogue's fingerprint and whether embeddings are used, so only the first process after a catalogue
change fits anything. ``tests/understanding`` checks that scoring here agrees with scikit-learn's own.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import pickle
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Protocol

import numpy as np

from understanding.catalogue import Catalogue

log = logging.getLogger(__name__)

MODEL_VERSION = 6  # bump when features or training change: old cache files are then ignored
# Each example naming a role or skill is also trained on with other names in its place (drawn from ESCO's labels),
# so that what decides the intent is how the request is put, not which role it names: without it, "what's my path
# to role a?" went to "which roles am I closest to?" on the word "role". Development set: 95.7% → 96.0% (hybrid),
# 94.7% → 95.7% (words alone).
SLOT_VARIANTS = 2
EMBEDDING_WEIGHT = 1.0  # the embedding block's scale next to the unit-length TF-IDF block (chosen by cross-validation)
REGULARISATION_C = 20.0
MIN_DOCUMENT_FREQUENCY = 2
# When the words alone make one intent at least this likely, the embedding is not computed: on the development set
# (eval/nlu_dev.jsonl) 211 of 300 messages were that sure, and 99.5% of those were right — the hybrid model was
# right on 95.7% of all 300. Most messages are then answered in well under a millisecond instead of ~5-10 ms.
LEXICAL_SURE = 0.8


class Embedder(Protocol):
    def __call__(self, input: list[str]) -> list: ...  # noqa: A002 - Chroma's embedding-function protocol


_MENTION = re.compile(r"<@[A-Z0-9]+>|<at>[^<]*</at>")  # Slack and Teams mentions
_TOKEN = re.compile(r"\w+")


def clean(text: str) -> str:
    """A message as typed, without mentions, with one kind of apostrophe and single spaces."""
    text = _MENTION.sub(" ", text or "").replace("’", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: str) -> str:
    """What the classifier reads: the cleaned text in lower case."""
    return clean(text).lower()


def analyse(text: str) -> list[str]:
    """The lexical features of a normalised text: words, word pairs, and character 2–5-grams within words."""
    tokens = _TOKEN.findall(text)
    features = [f"w:{t}" for t in tokens] + [f"w:{a} {b}" for a, b in zip(tokens, tokens[1:])]
    for token in tokens:
        padded = f" {token} "
        for n in range(2, 6):
            features.extend(f"c:{padded[i:i + n]}" for i in range(max(len(padded) - n + 1, 1)))
    return features


@dataclass(frozen=True)
class Ranking:
    """Intents by probability, most likely first."""

    intents: tuple[tuple[str, float], ...]

    @property
    def best(self) -> str:
        return self.intents[0][0]

    @property
    def confidence(self) -> float:
        return self.intents[0][1]

    @property
    def runner_up(self) -> tuple[str, float]:
        return self.intents[1] if len(self.intents) > 1 else ("", 0.0)


@dataclass(frozen=True)
class CompiledModel:
    """A fitted classifier as plain data."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # [features]
    lexical_coef: np.ndarray  # [labels, features]
    embedding_coef: np.ndarray | None  # [labels, 384]
    intercept: np.ndarray  # [labels]

    def lexical_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indexes, TF-IDF values) of the text, L2-normalised as scikit-learn does."""
        counts = Counter(f for f in analyse(text) if f in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter((self.vocabulary[f] for f in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
        values = tf * self.idf[cols]
        return cols, values / np.linalg.norm(values)

    def known_word_share(self, text: str) -> float:
        """Share of a normalised text's words the catalogue's examples use (0.0 for no words)."""
        tokens = _TOKEN.findall(text)
        return sum(f"w:{t}" in self.vocabulary for t in tokens) / len(tokens) if tokens else 0.0

    def probabilities(self, text: str, embedding: np.ndarray | None) -> np.ndarray:
        cols, values = self.lexical_vector(text)
        scores = self.intercept + self.lexical_coef[:, cols] @ values
        if self.embedding_coef is not None and embedding is not None:
            scores = scores + self.embedding_coef @ (embedding * EMBEDDING_WEIGHT)
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


def fit(texts: list[str], labels: list[str], embeddings: np.ndarray | None) -> CompiledModel:
    """Fit on normalised texts (and their embeddings, when used). Imports scikit-learn: only here."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=MIN_DOCUMENT_FREQUENCY)
    lexical = vectorizer.fit_transform(texts)
    features = lexical if embeddings is None else sparse.hstack(
        [lexical, sparse.csr_matrix(embeddings * EMBEDDING_WEIGHT)], format="csr")
    model = LogisticRegression(C=REGULARISATION_C, max_iter=3000).fit(features, labels)
    n_lexical = lexical.shape[1]
    coef = np.asarray(model.coef_, dtype=np.float64)
    return CompiledModel(
        labels=tuple(str(c) for c in model.classes_),
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        lexical_coef=np.ascontiguousarray(coef[:, :n_lexical]),
        embedding_coef=None if embeddings is None else np.ascontiguousarray(coef[:, n_lexical:]),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
    )


@dataclass(frozen=True)
class LabelPool:
    """Names to put in a role or skill slot when varying the examples (ESCO preferred labels)."""

    roles: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()

    @classmethod
    def from_esco(cls, folder: Path) -> "LabelPool":
        """From an ESCO CSV download's ``occupations_en.csv`` and ``skills_en.csv`` (missing files: no variants)."""
        def labels(name: str) -> tuple[str, ...]:
            path = folder / name
            if not path.is_file():
                return ()
            with path.open(encoding="utf-8", newline="") as fh:
                return tuple(sorted({row["preferredLabel"] for row in csv.DictReader(fh) if row.get("preferredLabel")}))
        return cls(labels("occupations_en.csv"), labels("skills_en.csv"))

    def fingerprint(self) -> str:
        return hashlib.sha256("\n".join(self.roles + ("",) + self.skills).encode()).hexdigest()[:8]


_MARK = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")


def training_set(catalogue: Catalogue, pool: LabelPool = LabelPool()) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    rng = random.Random(7)  # the same variants every time: the model is a function of the catalogue
    for intent in catalogue.intents:
        kinds = {slot.name: slot.kind for slot in intent.slots}
        for example in intent.examples:
            texts.append(normalise(example.text))
            labels.append(intent.name)
            if not any(kinds.get(name) in ("role", "skill") for name, _ in example.spans):
                continue
            for _ in range(SLOT_VARIANTS if pool.roles and pool.skills else 0):
                def other(m: re.Match) -> str:
                    kind = kinds.get(m.group(2))
                    return rng.choice(pool.roles) if kind == "role" else rng.choice(pool.skills) if kind == "skill" else m.group(1)
                texts.append(normalise(_MARK.sub(other, example.marked)))
                labels.append(intent.name)
    return texts, labels


class IntentClassifier:
    """``embedder`` is the sentence model, or ``load_embedder`` makes it on first need: a process whose messages the
    words alone place (most of them) never loads the model at all."""

    def __init__(self, catalogue: Catalogue, embedder: Embedder | None = None, *, cache_dir: Path | None = None,
                 pool: LabelPool = LabelPool(), load_embedder: Callable[[], Embedder | None] | None = None) -> None:
        self.catalogue = catalogue
        self.pool = pool
        self._embedder = embedder
        self._load_embedder = load_embedder if embedder is None else None
        models = _load(self._cache_file(cache_dir, "hybrid")) if embedder is not None or load_embedder is not None else None
        if models is None:
            embedder = self.embedder  # fitting needs it now, when there is one
            path = self._cache_file(cache_dir, "hybrid" if embedder is not None else "lexical")
            models = _load(path)
        if models is None:
            log.info("fitting the intent classifier on %d catalogue intents (once per catalogue version)", len(catalogue.intents))
            texts, labels = training_set(catalogue, pool)
            lexical = fit(texts, labels, None)
            hybrid = fit(texts, labels, self._embed(texts)) if self.embedder is not None else None
            models = (lexical, hybrid)
            _save(path, models)
        self.lexical, self.hybrid = models

    @property
    def embedder(self) -> Embedder | None:
        if self._load_embedder is not None:
            self._embedder, self._load_embedder = self._load_embedder(), None
        return self._embedder

    @property
    def uses_embeddings(self) -> bool:
        return self.hybrid is not None and self.embedder is not None

    def _embed(self, texts: list[str]) -> np.ndarray:
        assert self.embedder is not None
        return np.asarray(self.embedder(texts), dtype=np.float64)

    def _cache_file(self, cache_dir: Path | None, mode: str) -> Path | None:
        if cache_dir is None:
            return None
        return cache_dir / f"intents-v{MODEL_VERSION}-{self.catalogue.fingerprint()}-{self.pool.fingerprint()}-{mode}.pickle"

    def rank(self, text: str) -> Ranking:
        normalised = normalise(text)
        model, probabilities = self.lexical, self.lexical.probabilities(normalised, None)
        if self.hybrid is not None and probabilities.max() < LEXICAL_SURE and self.embedder is not None:
            model = self.hybrid
            probabilities = model.probabilities(normalised, self._embed([normalised])[0])
        order = np.argsort(-probabilities)
        return Ranking(tuple((model.labels[i], float(probabilities[i])) for i in order))


Models = tuple[CompiledModel, CompiledModel | None]  # (lexical, hybrid)


def _load(path: Path | None) -> Models | None:
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:  # our own cache file, written by _save
            models = pickle.load(fh)
        ok = isinstance(models, tuple) and len(models) == 2 and isinstance(models[0], CompiledModel)
        return models if ok else None
    except Exception as exc:  # noqa: BLE001 - a stale or broken cache is rebuilt, never fatal
        log.info("intent model cache %s unreadable (%s); retraining", path, exc)
        return None


def _save(path: Path | None, model: Models) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{id(model)}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # another process may write the same file: the last complete one wins
    except OSError as exc:
        log.info("could not cache the intent model in %s (%s)", path, exc)

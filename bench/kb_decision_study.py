"""Can a learned model beat the single "don't know" threshold, or the sentence ranking, across handbooks?

    python bench/kb_decision_study.py demo/kb_eval.jsonl demo/handbook \\
        demo/kb_dev_civicactions.jsonl /tmp/civicactions-handbook

Takes two or more (questions, handbook folder) pairs: the development handbooks only, never a held-out set. For
each pair it indexes the handbook as ``knowledge.evaluate`` does, and for every question records what the answerer
sees: the support score the threshold is compared with, the best passage's cosine similarity, the best sentence's
cosine and term coverage, and how much of the question's IDF weight the best passage, or the whole handbook,
lacks (HR synonyms counted). Then, leaving one handbook out at a time (fit on the others, measure on it):

- the decision to answer: the single threshold of ``SupportPolicy`` (chosen on the training handbooks by answered +
  declined share, as ``--calibrate`` does) against a logistic regression on the features above, its cut chosen
  the same way;
- the sentence that leads the answer: the ranking of ``knowledge.extractive`` against a logistic regression on
  sentence features (cosine, coverage, quantity bonus, passage rank and cosine, list item, table row, a sentence
  about the page itself, length), reported as the share of answerable questions whose key fact is in the first
  sentence and in the first three.

It prints both and changes nothing: it is how a proposed decision model is judged before it goes into
``knowledge/``. Needs the embedding model (``EMBEDDING_MODEL_DIR``) and scikit-learn (a dependency already).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.answer import Answerer, term_coverage  # noqa: E402
from knowledge.evaluate import ROLE_AUDIENCES  # noqa: E402
from knowledge.extractive import rank_sentences  # noqa: E402
from knowledge.synonyms import expand_text  # noqa: E402
from knowledge.text import terms  # noqa: E402

_ABOUT_THE_PAGE = re.compile(r"^(this|the following) (page|guide|policy|document|section)\b", re.I)
PASSAGES = 3


@dataclass
class Question:
    handbook: str
    answerable: bool
    decision: list[float]
    support: float
    sentences: list[tuple[list[float], float, bool]] = field(default_factory=list)  # (features, base score, has key fact)


def _missing_weight(expansion, have: set[str], weights) -> float:
    unseen = max(weights.values(), default=1.0)
    total = sum(weights.get(t, unseen) for t in set(expansion.original)) or 1.0
    return sum(weights.get(t, unseen) for t in set(expansion.original) if not expansion.covered(t, have)) / total


def collect(eval_set: Path, handbook: Path, embedder) -> list[Question]:
    import chromadb

    from knowledge.index import KnowledgeIndex
    from knowledge.ingest import ingest_paths
    from settings import load_settings
    from storage import Database
    from storage.encryption import Cipher

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        db = Database(f"sqlite:///{tmp}/study.db", cipher=Cipher.throwaway())
        db.migrate()
        index = KnowledgeIndex(chromadb.PersistentClient(path=f"{tmp}/chroma"), embedder)
        ingest_paths([handbook], db, index)
        answerer = Answerer(index, settings, chat_model=None)
        for line in eval_set.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            audiences = ROLE_AUDIENCES[row["asker_role"]]
            question = row["question"]
            hits = index.search(question, audiences, k=5)
            weights = index.term_weights(audiences)
            expansion = expand_text(question)
            passages = [h.chunk.text for h in hits[:PASSAGES]]
            ranked = rank_sentences(question, passages, weights, embedder)
            top_terms = set(terms(hits[0].chunk.indexed_text)) if hits else set()
            best_cos = best_cov = 0.0
            wanted = [s.lower() for s in row.get("answer_contains") or []]
            sentences = []
            if ranked:
                vectors = np.asarray(embedder([question] + [s.text for s in ranked]))
                cosines = vectors[1:] @ vectors[0]
                coverages = [term_coverage(expansion, set(terms(s.text)), weights) for s in ranked]
                best_cos, best_cov = float(cosines.max()), max(coverages)
                for s, cos, cov in zip(ranked, cosines, coverages):
                    features = [float(cos), cov, float(cos) - best_cos, cov - best_cov, s.score,
                                s.passage == 0, s.passage == 1, float(hits[s.passage].vector_similarity or 0.0),
                                s.text.startswith(("- ", "* ")), s.text.startswith("|"), s.text.endswith(":"),
                                bool(_ABOUT_THE_PAGE.search(s.text)), math.log(len(s.text.split()) + 1)]
                    sentences.append((features, s.score, bool(wanted) and any(w in s.text.lower() for w in wanted)))
            support = answerer.support_score(question, hits, audiences)
            decision = [support, float(hits[0].vector_similarity or 0.0) if hits else 0.0, best_cos, best_cov,
                        _missing_weight(expansion, top_terms, weights), _missing_weight(expansion, set(weights), weights)]
            out.append(Question(handbook.name, bool(row["answerable"]), decision, support, sentences))
        db.dispose()
    return out


def _shares(questions: list[Question], answers) -> tuple[float, float]:
    answerable = [answers(q) for q in questions if q.answerable]
    unanswerable = [not answers(q) for q in questions if not q.answerable]
    return float(np.mean(answerable)), float(np.mean(unanswerable))


def _best_cut(train: list[Question], score) -> float:
    """The cut with the best answered + declined share on ``train`` (ties: the higher, more cautious one)."""
    return max(sorted({score(q) for q in train}), key=lambda c: (sum(_shares(train, lambda q: score(q) >= c)), c))


def decision_study(train: list[Question], test: list[Question]) -> dict[str, tuple[float, float]]:
    from sklearn.linear_model import LogisticRegression

    def support(q: Question) -> float:
        return q.support

    threshold = _best_cut(train, support)
    model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(
        np.array([q.decision for q in train]), np.array([q.answerable for q in train]))

    def learned(q: Question) -> float:
        return float(model.decision_function([q.decision])[0])

    cut = _best_cut(train, learned)
    return {"threshold": _shares(test, lambda q: support(q) >= threshold),
            "logistic": _shares(test, lambda q: learned(q) >= cut)}


def ranking_study(train: list[Question], test: list[Question]) -> dict[str, tuple[float, float]]:
    from sklearn.linear_model import LogisticRegression

    rows = [(f, y) for q in train if q.answerable for f, _, y in q.sentences]
    model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(
        np.array([f for f, _ in rows], float), np.array([y for _, y in rows]))

    def shares(score) -> tuple[float, float]:
        first = three = 0
        judged = [q for q in test if q.answerable]
        for q in judged:
            order = sorted(q.sentences, key=score, reverse=True)
            first += bool(order and order[0][2])
            three += any(y for _, _, y in order[:3])
        return first / len(judged), three / len(judged)

    return {"extractive ranking": shares(lambda s: s[1]),
            "logistic": shares(lambda s: float(model.decision_function([s[0]])[0]))}


def main(argv: list[str] | None = None) -> int:
    from knowledge.embedding import load_embedder
    from settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", help="QUESTIONS HANDBOOK [QUESTIONS HANDBOOK ...]")
    args = parser.parse_args(argv)
    if len(args.pairs) < 4 or len(args.pairs) % 2:
        parser.error("give two or more (questions, handbook folder) pairs")
    logging.basicConfig(level=logging.WARNING)
    embedder = load_embedder(load_settings().embedding_model_dir)
    if embedder is None:
        print("the embedding model is needed (EMBEDDING_MODEL_DIR)", file=sys.stderr)
        return 2
    sets = [collect(Path(args.pairs[i]), Path(args.pairs[i + 1]), embedder) for i in range(0, len(args.pairs), 2)]
    for held, test in enumerate(sets):
        train = [q for i, s in enumerate(sets) if i != held for q in s]
        name = test[0].handbook if test else "?"
        print(f"\nmeasured on {name} (fitted on the others)")
        print("  answer or decline            answerable answered  unanswerable declined")
        for label, (answered, declined) in decision_study(train, test).items():
            print(f"  {label:<28} {answered:>19.3f}  {declined:>21.3f}")
        print("  sentence that leads          key fact first       key fact in first 3")
        for label, (first, three) in ranking_study(train, test).items():
            print(f"  {label:<28} {first:>19.3f}  {three:>21.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

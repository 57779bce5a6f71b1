"""Retrieval and answer quality on a JSONL question set (demo/kb_eval.jsonl).

Metrics:
- recall@5: share of answerable questions with an expected source among the top 5 passages;
- MRR: mean reciprocal rank of the first passage from an expected source (0 when not in the top 5);
- citation accuracy: among answerable questions that were answered, share whose cited sources
  are all expected sources;
- declined: share of unanswerable questions the answerer declined;
- answered: share of answerable questions it answered (the other side of the same threshold);
- answer contains: share of answered questions whose text has every ``answer_contains`` string;
- key fact in answer: share of *all* answerable questions answered with every ``answer_contains``
  string (a declined answerable question counts as a miss here);
- wrongly declined: share of answerable questions the answerer declined;
- declined, right page offered: among those wrongly declined, share shown an expected source as the closest page
  (the "it may not answer this" pointer of a declined answer); unanswerable, a page offered: the share of
  unanswerable questions shown one at all;
- restricted leaks: questions where a passage, a citation or a restricted string from a document
  the asker may not read showed up (must be 0).

Run on the demo handbook (the development set):  python -m knowledge.evaluate demo/kb_eval.jsonl demo/handbook [--lexical-only]
On a second handbook, held out:  python -m knowledge.evaluate eval/kb_publiccode.jsonl <folder> (see eval/kb_publiccode.md)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.answer import Answerer, audiences_for

ROLE_AUDIENCES = {role: audiences_for(role) for role in ("employee", "manager", "hr")}


@dataclass
class QuestionResult:
    id: str
    answerable: bool
    rank: int | None  # of the first expected source in the top 5
    answered: bool
    cited_sources: list[str]
    citation_ok: bool | None
    contains_ok: bool | None
    leaked: bool
    nearest: str | None = None  # declined: the file of the closest page offered
    nearest_expected: bool = False  # ... and it is an expected source


@dataclass
class EvalMetrics:
    questions: int
    answerable: int
    unanswerable: int
    recall_at_5: float
    mrr: float
    citation_accuracy: float
    declined_unanswerable: float
    answered_answerable: float
    answer_contains: float
    key_fact: float
    restricted_leaks: int
    lexical_only: bool
    results: list[QuestionResult] = field(default_factory=list, repr=False)
    declined_right_page: float = 0.0
    unanswerable_page_offered: float = 0.0

    def table(self) -> str:
        mode = "lexical-only" if self.lexical_only else "hybrid (BM25 + MiniLM)"
        rows = [
            ("mode", mode),
            ("questions", f"{self.questions} ({self.answerable} answerable, {self.unanswerable} not)"),
            ("recall@5", f"{self.recall_at_5:.3f}"),
            ("MRR@5", f"{self.mrr:.3f}"),
            ("citation accuracy", f"{self.citation_accuracy:.3f}"),
            ("unanswerable declined", f"{self.declined_unanswerable:.3f}"),
            ("answerable answered", f"{self.answered_answerable:.3f}"),
            ("answer contains expected", f"{self.answer_contains:.3f}"),
            ("key fact in answer", f"{self.key_fact:.3f}"),
            ("answerable wrongly declined", f"{1.0 - self.answered_answerable:.3f}" if self.answerable else "—"),
            ("declined, right page offered", f"{self.declined_right_page:.3f}"),
            ("unanswerable, a page offered", f"{self.unanswerable_page_offered:.3f}"),
            ("restricted leaks", str(self.restricted_leaks)),
        ]
        return "\n".join(f"{name:<29}{value}" for name, value in rows)


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate(jsonl_path: Path | str, answerer: Answerer, *, k: int = 5) -> EvalMetrics:
    rows = [json.loads(line) for line in Path(jsonl_path).read_text(encoding="utf-8").splitlines() if line.strip()]
    results: list[QuestionResult] = []
    for row in rows:
        audiences = ROLE_AUDIENCES[row["asker_role"]]
        expected = set(row.get("expected_sources") or [])
        hits = answerer.index.search(row["question"], audiences, k=k)
        retrieved = [Path(h.chunk.source).name for h in hits]
        rank = next((i for i, name in enumerate(retrieved, 1) if name in expected), None)
        answer = answerer.answer(row["question"], audiences, k=k)
        cited = [Path(c.source).name for c in answer.citations]

        citation_ok = contains_ok = None
        if row["answerable"] and answer.answered:
            citation_ok = bool(cited) and set(cited) <= expected
            wanted = row.get("answer_contains") or []
            contains_ok = all(s.lower() in answer.text.lower() for s in wanted)
        restricted = row.get("restricted_source")
        leaked = any(h.chunk.audience not in audiences for h in hits) or (
            restricted is not None
            and (
                restricted in retrieved
                or restricted in cited
                or any(s.lower() in answer.text.lower() for s in row.get("restricted_contains") or [])
            )
        )
        nearest = Path(answer.nearest.source).name if answer.nearest is not None else None
        leaked = leaked or (restricted is not None and nearest == restricted)
        results.append(QuestionResult(row["id"], row["answerable"], rank, answer.answered, cited, citation_ok, contains_ok, leaked,
                                      nearest, nearest in expected))

    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    return EvalMetrics(
        questions=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        recall_at_5=_share([r.rank is not None for r in answerable]),
        mrr=sum(1.0 / r.rank for r in answerable if r.rank) / len(answerable) if answerable else 0.0,
        citation_accuracy=_share([bool(r.citation_ok) for r in answerable if r.citation_ok is not None]),
        declined_unanswerable=_share([not r.answered for r in unanswerable]),
        answered_answerable=_share([r.answered for r in answerable]),
        answer_contains=_share([bool(r.contains_ok) for r in answerable if r.contains_ok is not None]),
        key_fact=_share([bool(r.contains_ok) for r in answerable]),
        restricted_leaks=sum(r.leaked for r in results),
        lexical_only=answerer.index.lexical_only,
        results=results,
        declined_right_page=_share([r.nearest_expected for r in answerable if not r.answered]),
        unanswerable_page_offered=_share([r.nearest is not None for r in unanswerable]),
    )


def calibrate(jsonl_path: Path | str, answerer: Answerer, *, k: int = 5) -> list[tuple[float, float, float]]:
    """(threshold, answered share, declined share) for every useful support threshold, best
    first by answered + declined (ties go to the higher, more cautious threshold). Feed the top
    threshold to ``SupportPolicy`` when the handbook or the model changes."""
    rows = [json.loads(line) for line in Path(jsonl_path).read_text(encoding="utf-8").splitlines() if line.strip()]
    best: list[tuple[float, bool]] = []
    for row in rows:
        audiences = ROLE_AUDIENCES[row["asker_role"]]
        hits = answerer.index.search(row["question"], audiences, k=k)
        best.append((answerer.support_score(row["question"], hits, audiences), bool(row["answerable"])))
    positives = sum(1 for _, y in best if y) or 1
    negatives = sum(1 for _, y in best if not y) or 1
    table = []
    for threshold in sorted({round(s, 3) for s, _ in best}):
        answered = sum(1 for s, y in best if y and s >= threshold) / positives
        declined = sum(1 for s, y in best if not y and s < threshold) / negatives
        table.append((threshold, answered, declined))
    return sorted(table, key=lambda t: (-(t[1] + t[2]), -t[0]))


def main(argv: list[str] | None = None) -> int:
    """Evaluate against a throw-away index of a handbook folder (nothing persistent is touched)."""
    import argparse
    import logging
    import tempfile

    import chromadb

    from knowledge.embedding import load_embedder
    from knowledge.index import KnowledgeIndex
    from knowledge.ingest import ingest_paths
    from settings import load_settings
    from storage import Database
    from storage.encryption import Cipher

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_set", type=Path)
    parser.add_argument("handbook", type=Path)
    parser.add_argument("--lexical-only", action="store_true", help="do not load the embedding model")
    parser.add_argument("--llm", action="store_true", help="use the configured OpenAI-compatible model")
    parser.add_argument("--calibrate", action="store_true", help="print the best support thresholds")
    parser.add_argument("--details", action="store_true", help="print every question that missed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        db = Database(f"sqlite:///{tmp}/eval.db", cipher=Cipher.throwaway())  # a database for this run only
        db.migrate()
        embedder = None if args.lexical_only else load_embedder(settings.embedding_model_dir)
        index = KnowledgeIndex(chromadb.PersistentClient(path=f"{tmp}/chroma"), embedder)
        report = ingest_paths([args.handbook], db, index)
        print(report.summary())
        answerer = Answerer(index, settings, **({} if args.llm else {"chat_model": None}))
        if args.calibrate:
            table = calibrate(args.eval_set, answerer)
            print("threshold  answered  declined")
            for threshold, answered, declined in table[:5]:
                print(f"{threshold:9.3f}  {answered:8.3f}  {declined:8.3f}")
            field_name = "lexical_only" if args.lexical_only else "with_vectors"
            print(f"chosen: SupportPolicy({field_name}={table[0][0]:.3f})  (best answered + declined; ties to the higher)")
        metrics = evaluate(args.eval_set, answerer)
        print(metrics.table())
        if args.details:
            for r in metrics.results:
                wrong = (r.answerable and (not r.rank or not r.answered or r.citation_ok is False)) or (
                    not r.answerable and r.answered
                )
                if wrong or r.leaked or r.contains_ok is False:
                    print(f"  {r.id}: rank={r.rank} answered={r.answered} cited={r.cited_sources} contains={r.contains_ok} leaked={r.leaked}")
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

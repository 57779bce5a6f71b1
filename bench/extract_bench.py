"""Skill extraction measured on the public ESCO-linked benchmark of Decorte et al. (TECH, HOUSE, TECHWOLF).

    EMBEDDING_MODEL_DIR=/work/shared/models/all-MiniLM-L6-v2 \\
      .venv/bin/python bench/extract_bench.py --data /tmp/seb/data [--esco /work/shared/data/esco-v1.1.1/en] \\
      [--fit] [--test] [--label-only]

The data: https://github.com/jensjorisdecorte/Skill-Extraction-benchmark (its ``data`` folder; not carried in this
repository, its licence is unstated). Every sentence with at least one ESCO label is one query; the extractor ranks
all 13,896 ESCO v1.1.1 skills for it; R-Precision@K = |top K ∩ gold| / min(K, |gold|), averaged over sentences.

``--fit`` fits the calibration (skills_engine/extraction.py W_*) on the VALIDATION splits (TECH, HOUSE) and
prints the weights and the F1-best score threshold; ``--test`` also evaluates the test splits, which the
calibration never sees (run it once, at the end). Without ``--test`` only validation is reported.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.embedding import MODEL_NAME, load_embedder  # noqa: E402
from settings import Settings  # noqa: E402
from skills_engine import extraction  # noqa: E402
from skills_engine.extraction import SkillExtractor, calibrated  # noqa: E402
from skills_engine.skill_index import SkillIndex  # noqa: E402

NOT_LABELS = {"LABEL NOT PRESENT", "UNDERSPECIFIED", ""}
VALIDATION = ("tech_validation", "house_validation")
TEST = ("tech_test", "house_test", "techwolf_test")
DEPTH = 100  # candidates kept per sentence for ranking


def load_esco(folder: Path) -> tuple[list[tuple[int, str, str]], dict[int, str]]:
    entries: list[tuple[int, str, str]] = []
    uris: dict[int, str] = {}
    with (folder / "skills_en.csv").open(encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle), start=1):
            entries.append((i, row["preferredLabel"], row.get("altLabels") or ""))
            uris[i] = row["conceptUri"]
    return entries, uris


def load_split(data: Path, name: str, by_label: dict[str, int]) -> tuple[list[tuple[str, set[int]]], int]:
    gold: dict[str, set[int]] = defaultdict(set)
    unknown = 0
    with (data / f"{name}_annotations.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = (row.get("label") or "").strip()
            if label in NOT_LABELS:
                continue
            skill = by_label.get(label.lower())
            if skill is None:
                unknown += 1  # a label of ESCO 1.1.0 that 1.1.1 renamed
                continue
            gold[row["sentence"].strip()].add(skill)
    return list(gold.items()), unknown


def features(extractor: SkillExtractor, queries: list[tuple[str, set[int]]]) -> list[list[tuple[int, float, float]]]:
    # Each benchmark sentence is one text; the benchmark's sentences are single sentences already.
    return [[(sid, cos, lex) for sid, cos, lex, _s in extractor.candidates(sentence, limit=DEPTH)]
            for sentence, _gold in queries]


def rp_at(ranked: list[list[int]], queries: list[tuple[str, set[int]]], k: int) -> float:
    scores = [len(set(r[:k]) & gold) / min(k, len(gold)) for r, (_s, gold) in zip(ranked, queries)]
    return 100.0 * float(np.mean(scores)) if scores else 0.0


def rank(feats: list[list[tuple[int, float, float]]]) -> list[list[int]]:
    return [[sid for _score, sid in sorted(((-calibrated(c, lex), sid) for sid, c, lex in cands))] for cands in feats]


def fit(feats: list[list[tuple[int, float, float]]], queries: list[tuple[str, set[int]]]) -> tuple[np.ndarray, float]:
    """Logistic regression (Newton, light L2) of gold-or-not on (cosine, lexical); then the F1-best threshold."""
    rows, ys = [], []
    for cands, (_s, gold) in zip(feats, queries):
        for sid, cos, lex in cands:
            rows.append((1.0, cos, lex))
            ys.append(1.0 if sid in gold else 0.0)
    x, y = np.asarray(rows), np.asarray(ys)
    w = np.zeros(3)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - y) + 1e-3 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(3)
        w -= np.linalg.solve(hess, grad)
    p = 1.0 / (1.0 + np.exp(-x @ w))
    best_t, best_f1 = 0.5, -1.0
    for t in np.arange(0.02, 0.9, 0.01):
        tp = float(((p >= t) & (y == 1)).sum())
        fp = float(((p >= t) & (y == 0)).sum())
        fn = float(y.sum()) - tp  # gold skills never among the candidates count as missed too
        f1 = 2 * tp / max(2 * tp + fp + fn, 1.0)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
        if round(t * 100) % 2 == 0 and t <= 0.3:
            print(f"  threshold {t:.2f}: precision {tp / max(tp + fp, 1.0):.3f} recall {tp / max(float(y.sum()), 1.0):.3f} F1 {f1:.3f}")
    print(f"fit on {len(y)} candidates ({int(y.sum())} gold): bias={w[0]:.2f} cosine={w[1]:.2f} lexical={w[2]:.2f}; "
          f"F1-best threshold {best_t:.2f} (F1 {best_f1:.3f})")
    return w, best_t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the benchmark's data folder")
    parser.add_argument("--esco", type=Path, default=Path("/work/shared/data/esco-v1.1.1/en"))
    parser.add_argument("--fit", action="store_true", help="fit the calibration on validation and use it")
    parser.add_argument("--test", action="store_true", help="also evaluate the test splits (once, at the end)")
    parser.add_argument("--label-only", action="store_true", help="the label-matching fallback (no model)")
    args = parser.parse_args(argv)

    settings = Settings()
    entries, uris = load_esco(args.esco)
    by_label = {label.lower(): sid for sid, label, _alts in entries}
    index = SkillIndex(entries)
    embed = None if args.label_only else load_embedder(settings.embedding_model_dir)
    if embed is None and not args.label_only:
        print("no embedding model: set EMBEDDING_MODEL_DIR", file=sys.stderr)
        return 2
    extractor = SkillExtractor(index, uris.__getitem__, embed=embed, fuzzy_labels=index.forms(),
                               vectors_dir=settings.skill_vectors_path, entries=entries, model_name=MODEL_NAME)
    if extractor.uses_embeddings:
        started = time.perf_counter()
        extractor.label_vectors()
        print(f"label vectors ready in {time.perf_counter() - started:.1f}s")

    splits = VALIDATION + (TEST if args.test else ())
    loaded = {name: load_split(args.data, name, by_label) for name in splits}
    for name, (queries, unknown) in loaded.items():
        print(f"{name}: {len(queries)} sentences with labels ({unknown} gold labels not in ESCO v1.1.1, dropped)")

    if args.label_only:
        for name in splits:
            queries = loaded[name][0]
            ranked = [[s.skill_id for s in extractor.extract(q, top_k=10, min_score=0.0)] for q, _g in queries]
            print(f"{name:18s} RP@5 {rp_at(ranked, queries, 5):5.1f}  RP@10 {rp_at(ranked, queries, 10):5.1f}  (label only)")
        return 0

    feats: dict[str, list] = {}
    for name in splits:
        started = time.perf_counter()
        feats[name] = features(extractor, loaded[name][0])
        took = time.perf_counter() - started
        print(f"{name}: features in {took:.1f}s ({1000 * took / max(len(feats[name]), 1):.0f} ms/sentence)")
    if args.fit:
        val_q = [q for name in VALIDATION for q in loaded[name][0]]
        val_f = [f for name in VALIDATION for f in feats[name]]
        w, threshold = fit(val_f, val_q)
        extraction.W_BIAS, extraction.W_COSINE, extraction.W_LEXICAL = (float(v) for v in w)
        extraction.EMBED_MIN_SCORE = threshold
    print(f"weights: bias={extraction.W_BIAS:.2f} cosine={extraction.W_COSINE:.2f} lexical={extraction.W_LEXICAL:.2f}")
    for name in splits:
        queries = loaded[name][0]
        ranked = rank(feats[name])
        print(f"{name:18s} RP@5 {rp_at(ranked, queries, 5):5.1f}  RP@10 {rp_at(ranked, queries, 10):5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: how long understanding a message takes.

    python bench/nlu_bench.py [--rounds 3] [--lexical-only]

Two measurements over the development set's 300 utterances (eval/nlu_dev.jsonl), each asked ``--rounds`` times:

* classification alone: the catalogue classifier's ranking (embedding the message + scoring), target p99 < 20 ms;
* understanding: classification, the act / clarify / fall-back decision and slot finding (roles and skills against
  the full ESCO download: 3,007 occupations, 13,896 skills), as the router does it for every typed message.

The intent model is fitted (or read from its cache) before timing starts.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.context import Ladder, build_understander  # noqa: E402
from handlers.intents import vocabularies  # noqa: E402
from settings import Settings  # noqa: E402
from skills_engine.esco_import import import_esco  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from bench.stats import percentile  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--esco", default=str(SHARED / "data" / "esco-v1.1.1"))
    ap.add_argument("--model-dir", default=str(SHARED / "models" / "all-MiniLM-L6-v2"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lexical-only", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ladder-nlu-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    db = Database(url, cipher=Cipher.throwaway())
    db.migrate()
    import_esco(db, Path(args.esco))
    model_dir = tmp / "no-model" if args.lexical_only else Path(args.model_dir)
    settings = Settings(data_dir=tmp, database_url=url, embedding_model_dir=model_dir)
    ladder = Ladder(settings=settings, db=db)
    started = time.perf_counter()
    understanding = build_understander(settings)
    ready = time.perf_counter() - started
    texts = [json.loads(line)["text"] for line in (ROOT / "eval" / "nlu_dev.jsonl").read_text().splitlines() if line.strip()]
    classify, understand = [], []
    with db.read_only() as uow:
        vocab = vocabularies(ladder.indexes, uow, None)
        understanding.understand("what's my path to data scientist?", vocab)  # builds the label indexes
        for _ in range(args.rounds):
            for text in texts:
                t0 = time.perf_counter()
                understanding.classifier.rank(text)
                classify.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                understanding.understand(text, vocab)
                understand.append((time.perf_counter() - t0) * 1000)
    mode = "lexical only" if args.lexical_only else "embeddings + lexical"
    print(f"mode                {mode}; model ready in {ready:.2f} s (fitted or read from the cache)")
    for name, times in (("classification", classify), ("understanding", understand)):
        print(f"{name:<19} n={len(times)}  p50={percentile(times, 0.5):.2f} ms  p99={percentile(times, 0.99):.2f} ms  "
              f"mean={statistics.mean(times):.2f} ms")
    print(f"peak memory (RSS)   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

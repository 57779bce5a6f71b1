"""Knowledge base benchmark: ingestion throughput and retrieval latency, with and without vectors.

    python bench/kb_bench.py [--sizes 1000,50000] [--queries 200] [--no-embeddings]

Synthetic chunks are the demo handbook's passages with variations (numbers changed, sentences
rotated, a team name added, spread over many documents and all three audiences).

Embedding 50,000 passages of ~200 words takes about an hour on 2 cores, so above
``--embed-limit`` (1,000) passages get vectors derived from the ones the 1,000-chunk run really
embedded (a real vector plus a little noise, re-normalised); queries are always embedded for
real. Chroma then stores and searches a full-size vector index, and the reported ingestion rate
combines the model rate measured at 1,000 with the store rate measured at full size.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import chromadb  # noqa: E402

from knowledge.chunking import Chunk, chunk_document, chunk_id_for  # noqa: E402
from knowledge.embedding import load_embedder  # noqa: E402
from knowledge.index import KnowledgeIndex  # noqa: E402
from knowledge.parsing import parse_document  # noqa: E402

ROLES = [{"everyone"}, {"everyone", "managers"}, {"everyone", "managers", "hr"}]
TEAMS = ["Platform", "Data", "Payments", "Mobile", "Growth", "Security", "Finance", "Sales", "Support", "Design"]


def base_chunks() -> list[Chunk]:
    chunks = []
    for path in sorted((ROOT / "demo" / "handbook").glob("*.md")):
        chunks.extend(chunk_document(parse_document(path)))
    return chunks


def synthetic(base: list[Chunk], n: int, seed: int = 7) -> list[Chunk]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        chunk = base[i % len(base)]
        lines = chunk.text.split("\n")
        shift = rng.randrange(len(lines))
        text = "\n".join(lines[shift:] + lines[:shift])
        text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randrange(0, 4)), text)
        text = f"For the {TEAMS[i % len(TEAMS)]} team (site {i % 37}):\n{text}"
        source = f"/synthetic/doc-{i // 8:05d}.md"
        audience = rng.choices(["everyone", "managers", "hr"], weights=[80, 15, 5])[0]
        out.append(replace(chunk, chunk_id=chunk_id_for(source, chunk.section, i), source=source, text=text, audience=audience))
    return out


class TimedModel:
    """The real model, remembering every passage vector and the time spent making them."""

    def __init__(self, model) -> None:
        self.model = model
        self.real: list[np.ndarray] = []
        self.seconds = 0.0

    def __call__(self, texts):
        started = time.perf_counter()
        vectors = self.model(texts)
        if len(texts) > 1:  # passages, not a query
            self.real.extend(np.asarray(vectors))
            self.seconds += time.perf_counter() - started
        return vectors


class DerivedVectors:
    """The real model for queries; for passages, vectors derived from ones it really embedded
    (in the 1,000-chunk run) plus a little noise, so Chroma indexes a full-size, varied set."""

    def __init__(self, timed: TimedModel, seed: int = 11) -> None:
        self.model = timed.model
        self.real = timed.real
        self.rng = np.random.default_rng(seed)

    def __call__(self, texts):
        if len(texts) == 1:
            return self.model(texts)
        picks = np.asarray([self.real[self.rng.integers(len(self.real))] for _ in texts])
        noisy = picks + self.rng.normal(0, 0.02, picks.shape).astype(np.float32)
        return list(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))


def run(size: int, embed: bool, queries: list[str], n_queries: int, embed_limit: int, timed: TimedModel | None) -> dict:
    chunks = synthetic(base_chunks(), size)
    derived = embed and size > embed_limit and timed is not None
    if derived and not timed.real:  # no small run before this one: embed a sample for real first
        timed([c.indexed_text for c in synthetic(base_chunks(), embed_limit)])
    embedder = None
    if embed:
        embedder = DerivedVectors(timed) if derived else timed
    with tempfile.TemporaryDirectory() as tmp:
        index = KnowledgeIndex(chromadb.PersistentClient(path=tmp), embedder, name="bench")
        started = time.perf_counter()
        for start in range(0, len(chunks), 5000):  # what ingestion of a large folder does per file batch
            index.upsert(chunks[start : start + 5000])
        ingest_seconds = time.perf_counter() - started
        note = ""
        rate = size / ingest_seconds
        if derived:
            model_rate = len(timed.real) / timed.seconds
            store_rate = size / ingest_seconds
            rate = 1 / (1 / model_rate + 1 / store_rate)
            note = f"= model {model_rate:.1f}/s (measured on {len(timed.real)}) + store {store_rate:.0f}/s (measured on {size})"

        index.refresh()
        started = time.perf_counter()
        for audiences in ROLES:  # first search per audience set loads chunks and builds BM25
            index.search("warm up", audiences, k=5)
        build_seconds = time.perf_counter() - started

        rng = random.Random(3)
        latencies = []
        for i in range(n_queries):
            query = queries[i % len(queries)]
            started = time.perf_counter()
            index.search(query, rng.choice(ROLES), k=5)
            latencies.append((time.perf_counter() - started) * 1000)

        # One document (8 passages) re-ingested: the next search per audience set rebuilds BM25.
        index.upsert([replace(c, text=c.text + " Updated.") for c in chunks[:8]])
        started = time.perf_counter()
        index.search(queries[0], ROLES[0], k=5)
        rebuild_ms = (time.perf_counter() - started) * 1000
    latencies.sort()
    return {
        "chunks": size,
        "vectors": "yes" if embed else "no",
        "ingest/s": rate,
        "load+bm25 s": build_seconds,
        "p50 ms": statistics.median(latencies),
        "p99 ms": latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))],
        "queries": n_queries,
        "first search after an update ms": rebuild_ms,
        "note": note,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="knowledge base benchmark")
    parser.add_argument("--sizes", default="1000,50000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vector-queries-large", type=int, default=100, help="queries at the largest size with vectors")
    parser.add_argument("--embed-limit", type=int, default=1000, help="largest size embedded entirely for real")
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--model-dir", type=Path, default=ROOT.parent / "shared" / "models" / "all-MiniLM-L6-v2",
                        help="all-MiniLM-L6-v2 ONNX folder (default: the developers' offline copy in ../shared/models)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    rows = [json.loads(line) for line in (ROOT / "demo" / "kb_eval.jsonl").read_text().splitlines() if line.strip()]
    queries = [r["question"] for r in rows]
    model = None if args.no_embeddings else load_embedder(args.model_dir)
    timed = TimedModel(model) if model is not None else None
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = []
    for size in sizes:
        for embed in ([False] if model is None else [False, True]):
            n = args.vector_queries_large if embed and size > args.embed_limit else args.queries
            result = run(size, embed, queries, n, args.embed_limit, timed)
            results.append(result)
            print(json.dumps(result), flush=True)

    header = (
        f"{'chunks':>7} {'vectors':>7} {'ingest chunks/s':>15} {'load+BM25 s':>11} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'queries':>7} {'after update ms':>15}  note"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        print(
            f"{r['chunks']:>7} {r['vectors']:>7} {r['ingest/s']:>15.1f} {r['load+bm25 s']:>11.2f} "
            f"{r['p50 ms']:>7.1f} {r['p99 ms']:>7.1f} {r['queries']:>7} {r['first search after an update ms']:>15.0f}  {r['note']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

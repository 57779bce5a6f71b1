"""xAPI statements accepted per second over HTTP (Ladder's real server, one LMS client), on SQLite and PostgreSQL.

Bounded: ``--batches`` POSTs of ``--size`` statements each (and as many single-statement POSTs), to 127.0.0.1 only.

    python bench/xapi_bench.py [--backend sqlite|postgresql|both] [--batches 20] [--size 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "teams"))

from bench.scratch_db import drop, fresh_url  # noqa: E402
from bench.stats import percentile  # noqa: E402


def _statement(i: int) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"objectType": "Agent", "name": f"Learner {i}", "mbox": f"mailto:l{i}@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"id": f"http://lms.example.com/courses/{i % 40}", "definition": {"name": {"en-US": "Course"}}},
            "result": {"completion": True, "score": {"scaled": 0.8}, "duration": "PT1H"},
            "timestamp": "2026-12-03T10:00:00.000Z"}


def run(backend: str, batches: int, size: int) -> dict:
    from app import build
    from bot.server import build_app
    from handlers import lms_clients
    from settings import Settings
    from storage.encryption import Cipher
    from teams_standins import ServerThread

    with tempfile.TemporaryDirectory() as tmp:
        url, pg = fresh_url(backend, Path(tmp), "xapi_bench")
        try:
            settings = Settings(data_dir=Path(tmp), database_url=url, encryption_keys=Cipher.generate_key())
            ladder = build(settings)
            with ladder.db.unit_of_work() as uow:
                client = lms_clients.add(ladder, uow, "bench", None)
            server = ServerThread(build_app(ladder, channels=())).start()
            http = requests.Session()
            http.auth = (client.key, client.secret)
            headers = {"X-Experience-API-Version": "1.0.3"}
            endpoint = server.url + "/xapi/statements"
            results = {}
            for label, per_post in (("batch", size), ("single", 1)):
                latencies, n, started = [], 0, time.perf_counter()
                for b in range(batches if per_post > 1 else batches * 5):
                    body = [_statement(n + i) for i in range(per_post)]
                    t = time.perf_counter()
                    r = http.post(endpoint, json=body, headers=headers, timeout=60)
                    latencies.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text[:300]
                    n += per_post
                elapsed = time.perf_counter() - started
                results[label] = {"statements": n, "per_second": round(n / elapsed, 1),
                                  "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}
            http.close()
            server.stop()
            ladder.db.dispose()
            return results
        finally:
            drop(pg)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args.add_argument("--batches", type=int, default=20)
    args.add_argument("--size", type=int, default=50)
    opts = args.parse_args()
    for backend in (["sqlite", "postgresql"] if opts.backend == "both" else [opts.backend]):
        for label, r in run(backend, opts.batches, opts.size).items():
            print(f"{backend:10s} {label:6s} ({opts.size if label == 'batch' else 1}/POST): {r['statements']} statements, "
                  f"{r['per_second']}/s, POST p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

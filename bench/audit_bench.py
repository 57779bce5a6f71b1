"""Benchmark: the audit trail's hash chain — insert rate with digests, seal rate and verify rate, SQLite and PostgreSQL.

    python bench/audit_bench.py [--rows 100000] [--backends sqlite,postgresql]

Into a fresh database of each backend: N audit entries through the bulk insert the agent uses (record_many, each
entry stamped with its two refs and its detail digest), with a ~150-character encrypted reason; the same bulk
insert without the keys for comparison; single inserts (uow.audit.record) with and without keys; then one
`seal` of all N rows and one `verify` (seal_first=False: the walk, every hash, every unredacted detail decrypted
and its digest checked). PostgreSQL: 127.0.0.1:5432, user postgres; the bench makes its own database and drops it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete  # noqa: E402

from bench.scratch_db import drop, fresh_url  # noqa: E402
from governance import audit_chain  # noqa: E402
from storage import Database  # noqa: E402
from storage.audit_keys import AuditKeys  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from storage.models import AuditEvent, Person  # noqa: E402

WORDS = ("review", "manager", "project", "leave", "promotion", "skills", "team", "decision", "evidence", "course",
         "stretch", "assignment", "feedback", "deadline", "workload", "training", "mentor", "goal", "role", "path")
T0 = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def entries(rng: random.Random, n: int, people: list[int]) -> list[dict]:
    out = []
    for i in range(n):
        reason = " ".join(rng.choice(WORDS) for _ in range(18))[:150]
        out.append({"action": "proposal.created", "actor_kind": "agent", "subject_id": rng.choice(people),
                    "object_type": "proposal", "object_id": str(i), "at": T0 + dt.timedelta(seconds=i),
                    "detail": {"action_type": "enrol", "reason": reason, "rule": "gap", "score": rng.random()}})
    return out


def run(backend: str, rows: int, tmp: Path) -> dict[str, float]:
    url, pg_name = fresh_url(backend, tmp, "audit-bench")
    keys = AuditKeys(b"bench-key-" * 4)
    db = Database(url, cipher=Cipher([Cipher.generate_key()]), audit_keys=keys)
    try:
        db.migrate()
        with db.unit_of_work() as uow:
            for i in range(50):
                uow.add(Person(name=f"Person {i}", email=f"p{i}@bench.example"))
            uow.flush()
        with db.session() as s:
            people = [p.id for p in s.query(Person.id)]
        rng = random.Random(5)
        out: dict[str, float] = {"rows": rows}

        def bulk(with_keys: bool, n: int) -> float:
            data = entries(rng, n, people)
            db.audit_keys = keys if with_keys else None
            start = time.perf_counter()
            with db.unit_of_work() as uow:
                uow.audit.record_many(data)
            db.audit_keys = keys
            return n / (time.perf_counter() - start)

        def single(with_keys: bool, n: int) -> float:
            data = entries(rng, n, people)
            db.audit_keys = keys if with_keys else None
            start = time.perf_counter()
            with db.unit_of_work() as uow:
                for e in data:
                    uow.audit.record(**e)
            db.audit_keys = keys
            return n / (time.perf_counter() - start)

        sample = min(20000, rows)
        out["bulk_insert_without_keys_rows_s"] = bulk(False, sample)
        out["single_insert_without_keys_rows_s"] = single(False, 2000)
        with db.unit_of_work() as uow:  # the comparison rows go; the measured trail starts empty
            uow._session.execute(delete(AuditEvent))
        out["bulk_insert_with_digests_rows_s"] = bulk(True, rows)
        out["single_insert_with_digests_rows_s"] = single(True, 2000)
        start = time.perf_counter()
        sealed = audit_chain.seal(db, now)
        out["seal_rows_s"] = (sealed or 0) / (time.perf_counter() - start)
        start = time.perf_counter()
        report = audit_chain.verify(db, now, seal_first=False)
        out["verify_rows_s"] = report.checked / (time.perf_counter() - start)
        out["verified_ok"] = report.ok
        out["sealed"] = report.sealed
        return out
    finally:
        db.dispose()
        drop(pg_name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures = run(backend, args.rows, Path(tmp))
            print(json.dumps({"backend": backend, **{k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()}}))


if __name__ == "__main__":
    main()

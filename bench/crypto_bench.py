"""Benchmark: key rotation rows per second on SQLite and PostgreSQL.

    python bench/crypto_bench.py [--rows 20000] [--batch 500] [--backends sqlite,postgresql]

Writes N challenges (a subject and a ~200-character reason, both encrypted) under key 1 into a fresh database of
each backend, adds key 2 in front, and times `keys rotate` (storage.key_rotation.rotate: every encrypted column,
batch by batch, progress recorded). Also times the encrypted write and the decrypting read of the same rows, for
scale. PostgreSQL: 127.0.0.1:5432, user postgres; the bench makes its own database and drops it.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.scratch_db import drop, fresh_url  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from storage.key_rotation import key_usage, rotate  # noqa: E402
from storage.models import Challenge, Person  # noqa: E402

WORDS = ("review", "manager", "project", "leave", "promotion", "skills", "team", "decision", "evidence", "course",
         "stretch", "assignment", "feedback", "deadline", "workload", "training", "mentor", "goal", "role", "path")


def sentence(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < chars:
        out.append(rng.choice(WORDS))
    return " ".join(out)[:chars]


def run(backend: str, rows: int, batch: int, tmp: Path) -> dict[str, float]:
    key1, key2 = Cipher.generate_key(), Cipher.generate_key()
    url, pg_name = fresh_url(backend, tmp, "crypto-bench")
    old = Database(url, cipher=Cipher([key1]))
    new = Database(url, cipher=Cipher([key2, key1]))
    try:
        old.migrate()
        rng = random.Random(3)
        with old.unit_of_work() as uow:
            person = Person(name="Bench Person", email="bench@kestrel.example")
            uow.add(person)
            uow.flush()
            person_id = person.id
        values = [{"person_id": person_id, "subject": sentence(rng, 40), "reason": sentence(rng, 200)}
                  for _ in range(rows)]
        t0 = time.perf_counter()
        with old.engine.begin() as conn:
            for start in range(0, rows, 1000):
                conn.execute(insert(Challenge.__table__), values[start:start + 1000])
        t_write = time.perf_counter() - t0

        t0 = time.perf_counter()
        report = rotate(new, batch=batch)
        t_rotate = time.perf_counter() - t0
        assert report.rows_changed == 2 * rows, report.rows_changed
        usage = {c.name: c.counts for c in key_usage(new)}
        assert usage["challenges.reason"] == {new.cipher.newest_key_id: rows}

        t0 = time.perf_counter()
        with Database(url, cipher=Cipher([key2])).session() as session:  # key 1 retired
            read = session.scalars(select(Challenge.reason).order_by(Challenge.id)).all()
            session.get_bind().dispose()
        t_read = time.perf_counter() - t0
        assert len(read) == rows and read[0] == values[0]["reason"]
        return {"write": rows / t_write, "rotate_rows": rows / t_rotate, "rotate_values": 2 * rows / t_rotate,
                "read": rows / t_read, "rotate_seconds": t_rotate}
    finally:
        old.dispose()
        new.dispose()
        drop(pg_name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ladder-crypto-bench-") as tmp:
        report(args, Path(tmp))


def report(args: argparse.Namespace, tmp: Path) -> None:
    print(f"{args.rows:,} challenges (subject + reason encrypted), rotation batch {args.batch}")
    cipher, text = Cipher.throwaway(), sentence(random.Random(1), 200)
    t0 = time.perf_counter()
    stored = [cipher.encrypt(text) for _ in range(20_000)]
    t_enc = (time.perf_counter() - t0) / 20_000
    t0 = time.perf_counter()
    for value in stored:
        cipher.decrypt(value)
    t_dec = (time.perf_counter() - t0) / 20_000
    print(f"one 200-character value: encrypt {t_enc * 1e6:.1f} µs, decrypt {t_dec * 1e6:.1f} µs "
          f"(stored as {len(stored[0])} characters)")
    print(f"{'database':11} {'rotate rows/s':>14} {'values/s':>10} {'seconds':>8} {'write rows/s':>13} {'read rows/s':>12}")
    for backend in args.backends.split(","):
        r = run(backend, args.rows, args.batch, tmp)
        print(f"{backend:11} {r['rotate_rows']:>14,.0f} {r['rotate_values']:>10,.0f} {r['rotate_seconds']:>8.1f} "
              f"{r['write']:>13,.0f} {r['read']:>12,.0f}")


if __name__ == "__main__":
    main()

"""Benchmark: "what's my path to X?" on full ESCO with 10,000 generated people.

    python bench/path_bench.py [--database-url URL] [--people 10000] [--queries 200]

Imports the full ESCO download (../shared/data/esco-v1.1.1) into a fresh database, generates the
organisation, then asks the path question for random (person, role) pairs through the router — the
whole use case: understanding (intent and slots), role resolution, evidence, gap, learning plan, reply.
Prints p50/p99 latency and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.orggen import generate  # noqa: E402
from bench.stats import percentile  # noqa: E402
from conversation import Channel, Message  # noqa: E402
from handlers.router import Router  # noqa: E402
from handlers.context import Ladder  # noqa: E402
from settings import Settings  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from skills_engine.esco_import import import_esco  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url")
    ap.add_argument("--esco", default=str(ROOT.parent / "shared" / "data" / "esco-v1.1.1"))
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--model-dir", default=str(ROOT.parent / "shared" / "models" / "all-MiniLM-L6-v2"),
                    help="the sentence model understanding uses (the developers' offline copy by default)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    db = Database(url, cipher=Cipher.throwaway())
    db.migrate()
    t0 = time.perf_counter()
    summary = import_esco(db, Path(args.esco))
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    people = generate(db, args.people)
    t_gen = time.perf_counter() - t0
    ladder = Ladder(settings=Settings(data_dir=tmp, database_url=url, embedding_model_dir=Path(args.model_dir)), db=db)
    router = Router(ladder)
    with db.session() as s, s.begin():
        from sqlalchemy import select

        from storage.models import Occupation, Person

        roles = [label for (label,) in s.execute(select(Occupation.label))]
        emails = dict(s.execute(select(Person.id, Person.email)).all())
    rng = random.Random(11)
    pairs = [(emails[rng.choice(people)], rng.choice(roles)) for _ in range(args.queries)]
    router.handle(Message(channel=Channel.terminal, sender_email=pairs[0][0], conversation_id="warm", text="what's my path to data scientist?"))
    times, found = [], 0
    for email, role in pairs:
        started = time.perf_counter()
        reply = router.handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="bench", text=f"what's my path to {role}?"))
        times.append((time.perf_counter() - started) * 1000)
        found += reply.data.get("status") == "found"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database            {db.dialect}")
    print(f"ESCO import         {t_import:.1f} s  ({summary.occupations.inserted} occupations, {summary.skills.inserted} skills, {summary.relations.inserted} relations)")
    print(f"generate org        {t_gen:.1f} s  ({len(people)} people)")
    print(f"path question       n={len(times)}  p50={percentile(times, 0.5):.1f} ms  p99={percentile(times, 0.99):.1f} ms  "
          f"mean={statistics.mean(times):.1f} ms  (role resolved directly: {found}/{len(times)})")
    print(f"peak memory (RSS)   {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

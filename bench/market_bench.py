"""Benchmark: one person's marketplace match list, 10,000 people × 1,000 open opportunities.

    python bench/market_bench.py [--backend postgresql|sqlite] [--people 10000] [--opportunities 1000] [--queries 300]
                                 [--esco demo/esco]

Builds a throwaway database (bench/scratch_db.py) with the ESCO subset the demo carries (``--esco`` the full download
for the full taxonomy), a generated organisation (bench/orggen.py), ``--opportunities`` open projects, gigs and roles
with three to six skills each drawn from the roles' essential skills (two in three required, the rest taught), as
many closed or filled ones that matching must skip, and declared interests. Then times ``matches_for`` (the whole
ranking: evidence, proficiency, target-role gap, the candidate read, scoring, labels) for random people, each in a
read-only transaction of its own as the chat answer runs, after ``ANALYZE`` (as autovacuum would after the bulk load).
Prints p50/p99 and how many matches a list had.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.orggen import essential_skills, generate  # noqa: E402
from bench.scratch_db import drop, fresh_url  # noqa: E402
from bench.stats import percentile  # noqa: E402
from marketplace.matching import matches_for  # noqa: E402
from skills_engine.esco_import import import_esco  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from storage.models import Interest, Opportunity, OpportunityKind, OpportunitySkill, Person  # noqa: E402

TODAY = dt.date(2026, 11, 28)


def opportunities(db: Database, people: list[int], n_open: int, *, seed: int = 5) -> None:
    rng = random.Random(seed)
    with db.session() as s, s.begin():
        essentials = essential_skills(s)
        roles = sorted(essentials)
        kinds = [OpportunityKind.project, OpportunityKind.gig, OpportunityKind.role]
        rows = []
        for i in range(n_open * 2):  # the second half is closed or filled: matching must skip it
            status = "open" if i < n_open else rng.choice(["closed", "filled"])
            rows.append({"kind": rng.choice(kinds), "title": f"Bench opportunity {i:05d}", "description": "", "status": status,
                         "owner_id": rng.choice(people), "hours_per_week": float(rng.choice([2, 3, 4, 8])),
                         "closes_on": TODAY + dt.timedelta(days=rng.randint(1, 60)), "capacity": rng.choice([1, 2, 3, None]),
                         "posted_at": dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)})
        s.execute(insert(Opportunity), rows)
        ids = list(s.scalars(select(Opportunity.id).where(Opportunity.title.like("Bench opportunity %")).order_by(Opportunity.id)))
        links = []
        for oid in ids:
            pool = essentials[rng.choice(roles)]
            for skill in rng.sample(pool, min(len(pool), rng.randint(3, 6))):
                links.append({"opportunity_id": oid, "skill_id": skill, "required": rng.random() < 2 / 3, "level": rng.randint(1, 3)})
        s.execute(insert(OpportunitySkill), links)
        interests = {(rng.choice(people), rng.choice(ids[:n_open])) for _ in range(len(people) // 2)}
        s.execute(insert(Interest), [{"person_id": p, "opportunity_id": o, "created_at": dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)}
                                     for p, o in interests])
        targets = rng.sample(people, len(people) // 3)  # a third aim for another role: the target-role gap counts
        from sqlalchemy import update

        s.execute(update(Person), [{"id": pid, "target_role_id": rng.choice(roles)} for pid in targets])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--esco", default=str(ROOT / "demo" / "esco"))
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--opportunities", type=int, default=1_000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ladder-market-bench-"))
    url, name = fresh_url(args.backend, tmp, "market-bench")
    try:
        db = Database(url, cipher=Cipher.throwaway())
        db.migrate()
        t0 = time.perf_counter()
        import_esco(db, Path(args.esco))
        people = generate(db, args.people)
        opportunities(db, people, args.opportunities)
        if db.dialect == "postgresql":  # what autovacuum does soon after a bulk load: planner statistics
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        t_build = time.perf_counter() - t0
        rng = random.Random(11)
        sample = [rng.choice(people) for _ in range(args.queries)]
        with db.read_only() as uow:  # warm: statement caches, the connection pool
            matches_for(uow, sample[0], today=TODAY)
        times, sizes = [], []
        for pid in sample:
            started = time.perf_counter()
            with db.read_only() as uow:
                found = matches_for(uow, pid, today=TODAY)
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(len(found))
        with db.read_only() as uow:
            skills = len(uow.skills.taxonomy.skill_rows())
        print(f"database            {db.dialect}")
        print(f"organisation        {len(people)} people, {args.opportunities} open opportunities (+{args.opportunities} closed "
              f"or filled), {skills} skills; built in {t_build:.1f} s")
        print(f"match list          n={len(times)}  p50={percentile(times, 0.5):.1f} ms  p99={percentile(times, 0.99):.1f} ms  "
              f"mean={statistics.mean(times):.1f} ms")
        print(f"matches per list    mean={statistics.mean(sizes):.1f}  people with none: {sum(1 for n in sizes if n == 0)}/{len(sizes)}")
        db.dispose()
    finally:
        drop(name)


if __name__ == "__main__":
    main()

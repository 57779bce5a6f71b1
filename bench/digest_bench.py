"""Benchmark: build every weekly digest of a 10,000-person company on full ESCO, then one real run that claims and
sends them all (to a counting stand-in channel).

    python bench/digest_bench.py [--backend sqlite|postgresql] [--people 10000]

Imports the full ESCO download (../shared/data/esco-v1.1.1) into a throwaway database, generates the organisation
(``bench/orggen.py``: teams of ~10 under 1,000 managers) with the agent benchmark's catalogue, target roles for half
the people, enrolments and open opportunities (``bench/approvals_bench.add_agent_signals``), subscribes *everyone* to
the employees' digest (the worst case of an opt-in), and adds 200 unanswered handbook questions. Then:

1. builds every manager and employee digest for one week, and the L&D/HR digest (target: < 60 s in all);
2. runs ``digests.run.run`` at Monday 09:00 UTC: due check, claim, send, record for each person;
3. runs it again a minute later (everything settled: nothing is built or sent).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.approvals_bench import add_agent_signals  # noqa: E402
from bench.orggen import generate  # noqa: E402
from bench.scratch_db import drop, fresh_url  # noqa: E402
from digests.content import Window  # noqa: E402
from digests.deps import DigestDeps  # noqa: E402
from digests.run import build, recipient_ids, run  # noqa: E402
from digests.schedule import DigestKind  # noqa: E402
from settings import Settings  # noqa: E402
from skills_engine.esco_import import import_esco  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from storage.models import AccessRole, AnswerFeedback, DigestSubscription, Person  # noqa: E402

ESCO = ROOT.parent / "shared" / "data" / "esco-v1.1.1"
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
TOPICS = ["parental leave", "expense a conference", "remote work abroad", "sabbatical", "learning budget", "bike scheme",
          "overtime pay", "jury duty", "notice period", "pension contributions"]


class Counting:
    def __init__(self) -> None:
        self.sent = 0

    def notify(self, person_email, reply) -> bool:
        self.sent += 1
        return True


def add_digest_inputs(db: Database, *, seed: int = 17) -> dict[str, int]:
    rng = random.Random(seed)
    with db.unit_of_work() as uow:
        people = [pid for (pid,) in uow._session.execute(select(Person.id).where(Person.email.like("bench%")).order_by(Person.id))]
        uow._session.execute(insert(DigestSubscription), [{"person_id": pid, "kind": "employee", "created_at": MONDAY} for pid in people])
        for pid in people[-5:]:
            uow._session.get(Person, pid).access_role = AccessRole.learning
        for i in range(200):
            topic = rng.choice(TOPICS)
            uow.add(AnswerFeedback(answer_id=f"unanswered-bench{i}", person_id=rng.choice(people), helpful=False,
                                   question=f"question {i} about {topic}?", chunk_ids=[],
                                   created_at=MONDAY - dt.timedelta(hours=rng.randint(1, 20))))
    return {"subscribed": len(people), "unanswered": 200}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--people", type=int, default=10_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ladder-digest-bench-"))
    url, pg_name = fresh_url(args.backend, tmp, "digest-bench")
    try:
        db = Database(url, cipher=Cipher.throwaway())
        db.migrate()
        t = time.perf_counter()
        import_esco(db, ESCO)
        print(f"ESCO import: {time.perf_counter() - t:.1f}s")
        t = time.perf_counter()
        generate(db, args.people)
        extra = add_agent_signals(db)
        extra.update(add_digest_inputs(db))
        print(f"organisation: {args.people:,} people, {extra} in {time.perf_counter() - t:.1f}s")

        settings = Settings(data_dir=tmp, database_url=url, digest_quiet_hours="none")
        channel = Counting()
        deps = DigestDeps(db=db, now=lambda: MONDAY, notifier=channel, settings=settings)
        with db.read_only() as uow:
            t = time.perf_counter()
            deps.graph(uow)
            print(f"role graph (once per process): {time.perf_counter() - t:.1f}s")
        window = Window(MONDAY - dt.timedelta(days=7), MONDAY)
        total = 0.0
        for kind in DigestKind:
            with db.read_only() as uow:
                people = uow.people.listed(recipient_ids(uow, kind))
                t = time.perf_counter()
                made = build(deps, uow, kind, people, {p.id: window for p in people})
                took = time.perf_counter() - t
            total += took
            full = sum(1 for d in made.values() if d is not None)
            print(f"build {kind.value:9} digests: {len(made):>6,} people, {full:>6,} non-empty, {took:6.1f}s "
                  f"({took / max(1, len(made)) * 1000:.2f} ms each)")
            if kind == DigestKind.employee:  # the marketplace's batched matching, at most DIGEST_MAX_OPPORTUNITIES each
                listed = [len(d.reply.data.get("new_opportunities", [])) for d in made.values() if d is not None]
                print(f"  marketplace matches listed: {sum(listed):,} in {sum(1 for n in listed if n):,} digests "
                      f"(cap {settings.digest_max_opportunities} a digest, at most {max(listed, default=0)} seen)")
        print(f"every weekly digest built ({db.dialect}): {total:.1f}s  [target < 60 s]")

        t = time.perf_counter()
        report = run(deps)
        print(f"run at Monday 09:00 (due check, claim, send, record): {time.perf_counter() - t:.1f}s, "
              f"{channel.sent:,} sent — {report.as_data()['kinds']}")
        deps.now = lambda: MONDAY + dt.timedelta(minutes=1)
        t = time.perf_counter()
        again = run(deps)
        print(f"second run a minute later: {time.perf_counter() - t:.1f}s, "
              f"{sum(k.sent for k in again.kinds.values())} sent (everything settled)")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        db.dispose()
    finally:
        drop(pg_name)


if __name__ == "__main__":
    main()

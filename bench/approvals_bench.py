"""Benchmark: one agent pass over 10,000 people on full ESCO, and decision latency under 20 deciders.

    python bench/approvals_bench.py [--database-url URL] [--people 10000] [--deciders 20] [--decisions 400]

Imports the full ESCO download (../shared/data/esco-v1.1.1) into a fresh database, generates the
organisation with ``bench/orggen.py`` and adds what the agent looks at: a course catalogue tagged
with ESCO skills, target roles for half the people, stale enrolments, open opportunities. Then:

1. times one ``agent.run.run_pass`` (target: < 30 s);
2. 20 decider threads click Approve on their pending cards, each click a full ``Router.handle``
   (identify → decide with the version check → execute the enrolment → re-render the card), and
   reports p50/p99 click → updated-card latency (target: p99 < 200 ms) — once with a human think
   time between a decider's clicks (default ~1 s), once with none (saturation: latency is then
   queueing, 20 in flight ÷ throughput).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, update  # noqa: E402

from agent.run import run_pass  # noqa: E402
from bench.orggen import essential_skills, generate  # noqa: E402
from bench.stats import percentile  # noqa: E402
from conversation import ActionKind, ActionRef, Channel, Message  # noqa: E402
from handlers.router import Router  # noqa: E402
from handlers.context import Ladder  # noqa: E402
from settings import Settings  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from storage.models import (  # noqa: E402
    AccessRole,
    Course,
    CourseSkill,
    Enrolment,
    EnrolmentStatus,
    Opportunity,
    OpportunityKind,
    OpportunitySkill,
    Person,
    Proposal,
    ProposalStatus,
)
from skills_engine.esco_import import import_esco  # noqa: E402

ESCO = ROOT.parent / "shared" / "data" / "esco-v1.1.1"
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.timezone.utc)


def add_agent_signals(db: Database, *, seed: int = 11, courses: int = 3000, opportunities: int = 300) -> dict[str, int]:
    rng = random.Random(seed)
    with db.session() as s, s.begin():
        essentials = essential_skills(s)
        roles = sorted(essentials)
        skills = sorted({sk for v in essentials.values() for sk in v})
        s.execute(insert(Course), [{"code": f"BC{i:05d}", "title": f"Bench course {i}", "provider": "bench", "duration_hours": float(rng.randint(4, 40)),
                                    "description": ""} for i in range(courses)])
        course_ids = [c for (c,) in s.execute(select(Course.id).where(Course.code.like("BC%")).order_by(Course.id))]
        tags = {(cid, sk) for cid in course_ids for sk in rng.sample(skills, 5)}
        s.execute(insert(CourseSkill), [{"course_id": c, "skill_id": sk, "level": 2, "status": "accepted"} for c, sk in tags])
        people = [pid for (pid,) in s.execute(select(Person.id).where(Person.email.like("bench%")).order_by(Person.id))]
        s.execute(update(Person), [{"id": pid, "target_role_id": rng.choice(roles)} for pid in people if rng.random() < 0.5])
        hr = people[len(people) // 2]
        s.execute(update(Person).where(Person.id == hr).values(access_role=AccessRole.hr_admin))
        enrol = []
        for pid in rng.sample(people, len(people) // 5):
            last = NOW - dt.timedelta(days=rng.choice([3, 10, 40, 60]))
            enrol.append({"person_id": pid, "course_id": rng.choice(course_ids), "status": EnrolmentStatus.in_progress, "progress": 0.2,
                          "enrolled_at": last - dt.timedelta(days=5), "last_activity_at": last, "source": "lms"})
        s.execute(insert(Enrolment), enrol)
        s.execute(insert(Opportunity), [{"kind": OpportunityKind.project, "title": f"Bench project {i}", "description": "", "status": "open",
                                         "owner_id": rng.choice(people)} for i in range(opportunities)])
        opp_ids = [o for (o,) in s.execute(select(Opportunity.id).where(Opportunity.title.like("Bench project %")))]
        rows = []
        for oid in opp_ids:
            role = rng.choice(roles)
            for sk in rng.sample(essentials[role], min(2, len(essentials[role]))):
                rows.append({"opportunity_id": oid, "skill_id": sk, "required": True, "level": 1})
        s.execute(insert(OpportunitySkill), rows)
        return {"courses": len(course_ids), "course_tags": len(tags), "enrolments": len(enrol), "opportunities": len(opp_ids)}


def decision_latency(ladder: Ladder, deciders: int, decisions: int, think_ms: float) -> tuple[list[float], dict[str, int], float]:
    """``deciders`` threads, each clicking Approve on its own pending cards through ``Router.handle``.

    ``think_ms``: mean pause between one decider's clicks (uniform 0.5–1.5×; a person reads the card),
    first clicks staggered over one think time. 0 = all 20 click at the same instant and again the
    moment their card comes back (saturation, not a human pattern: latency is queueing).
    Returns latencies (ms), outcome counts and wall time.
    """
    with ladder.db.session() as s, s.begin():
        rows = s.execute(
            select(Proposal.id, Proposal.version, Person.email).join(Person, Person.id == Proposal.approver_id)
            .where(Proposal.status == ProposalStatus.proposed, Proposal.action_type == "enrol_course").order_by(Proposal.id).limit(decisions)
        ).all()
    queues: list[list[tuple[int, int, str]]] = [[] for _ in range(deciders)]
    for i, row in enumerate(rows):
        queues[i % deciders].append(tuple(row))
    router = Router(ladder)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(deciders)

    def decider(cards: list[tuple[int, int, str]], rng: random.Random) -> None:
        barrier.wait()
        if think_ms:  # people don't start in lockstep: stagger the first click over one think time
            time.sleep(rng.uniform(0, think_ms) / 1000)
        for pid, version, email in cards:
            msg = Message(channel=Channel.slack, sender_email=email, conversation_id=f"D{pid}",
                          action=ActionRef(kind=ActionKind.approve, target=str(pid), version=version))
            started = time.perf_counter()
            reply = router.handle(msg)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                key = reply.data.get("status") or ("error" if reply.error_id else "other")
                outcomes[key] = outcomes.get(key, 0) + 1
            if think_ms:
                time.sleep(think_ms * rng.uniform(0.5, 1.5) / 1000)

    threads = [threading.Thread(target=decider, args=(q, random.Random(i))) for i, q in enumerate(queues)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, outcomes, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="")
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--deciders", type=int, default=20)
    ap.add_argument("--decisions", type=int, default=400)
    ap.add_argument("--think-ms", type=float, default=1000.0, help="mean pause between one decider's clicks")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ladder-approvals-bench-"))
    url = args.database_url or f"sqlite:///{(tmp / 'bench.db').as_posix()}"
    db = Database(url, cipher=Cipher.throwaway())
    db.migrate()
    settings = Settings(data_dir=tmp, database_url=url, execution_backoff_seconds=0.05)
    ladder = Ladder(settings=settings, db=db, now=lambda: NOW)

    t = time.perf_counter()
    import_esco(db, ESCO)
    print(f"ESCO import: {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    generate(db, args.people)
    extra = add_agent_signals(db)
    print(f"organisation: {args.people:,} people, {extra} in {time.perf_counter() - t:.1f}s")

    report = run_pass(ladder.approvals, ladder.settings)
    print(f"agent pass ({db.dialect}): {report.seconds:.2f}s  [target < 30 s]")
    for line in report.lines()[1:]:
        print("  " + line)
    again = run_pass(ladder.approvals, ladder.settings)
    print(f"second pass (nothing new expected): {again.seconds:.2f}s, created {sum(again.created.values())}")

    for think in ([args.think_ms, 0.0] if args.think_ms else [0.0]):
        latencies, outcomes, wall = decision_latency(ladder, args.deciders, args.decisions, think)
        mode = f"think time ~{think:g} ms between a decider's clicks" if think else "no think time (saturation)"
        print(f"decisions, {args.deciders} concurrent deciders, {mode}: {len(latencies)} clicks in {wall:.1f}s "
              f"({len(latencies) / wall:.0f}/s), outcomes {outcomes}")
        print(f"  click -> updated card: p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
              f"mean {statistics.mean(latencies):.1f} ms, max {max(latencies):.1f} ms  [target p99 < 200 ms]")
    db.dispose()


if __name__ == "__main__":
    main()

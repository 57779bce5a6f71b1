"""Benchmark: skills intelligence on full ESCO with 10,000 generated people.

    python bench/skills_bench.py [--postgres | --database-url URL] [--people 10000] [--queries 200]

Imports the full ESCO download (../shared/data/esco-v1.1.1: 3,007 occupations, 13,896 skills) into a
fresh database, generates the organisation (bench/orggen.py, deterministic; plus a reporting layer of
heads of department, a course catalogue and open stretch projects), then times, through the router
(intent, role resolution, evidence, gap, courses, projects, route, reply):

* path answers whose jump is small (direct) and large (multi-step route through related roles),
* "what roles am I closest to?" over every occupation,
* "who on my team is ready for X?" for team leads (~10 reports) and heads (~100, direct + indirect).

Prints p50/p99 per question and peak memory (ru_maxrss). Targets: path p50 < 50 ms, p99 < 200 ms;
closest roles p99 < 300 ms.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text, update  # noqa: E402

from bench.orggen import generate  # noqa: E402
from bench.stats import percentile  # noqa: E402
from conversation import Channel, Message  # noqa: E402
from handlers.router import Router  # noqa: E402
from handlers.context import Ladder  # noqa: E402
from settings import Settings  # noqa: E402
from skills_engine import proficiency  # noqa: E402
from skills_engine import routes  # noqa: E402
from skills_engine.graph import HaveSets  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402
from storage import UnitOfWork  # noqa: E402
from storage.models import (  # noqa: E402
    AccessRole,
    Course,
    CourseSkill,
    Opportunity,
    OpportunityKind,
    OpportunitySkill,
    Person,
    RequirementKind,
    RoleSkill,
)
from skills_engine.esco_import import import_esco  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HEADS = 100  # of the generated team leads, the first HEADS become heads of department over the rest


def add_hierarchy_and_catalogue(db: Database, seed: int = 5, courses: int = 1500, projects: int = 300) -> None:
    """Heads over team leads (so some managers have indirect reports), courses and open projects."""
    rng = random.Random(seed)
    with db.session() as s, s.begin():
        leads = [pid for (pid,) in s.execute(select(Person.id).where(Person.access_role == AccessRole.manager).order_by(Person.id))]
        heads, rest = leads[:HEADS], leads[HEADS:]
        if rest:
            s.execute(update(Person), [{"id": pid, "manager_id": heads[i % len(heads)]} for i, pid in enumerate(rest)])
        essential = [sid for (sid,) in s.execute(select(RoleSkill.skill_id).where(RoleSkill.kind == RequirementKind.essential).distinct())]
        essential.sort()
        s.execute(insert(Course), [{"code": f"BENCH-{i:05d}", "title": f"Bench course {i}", "description": "",
                                    "provider": "bench", "duration_hours": float(rng.choice([4, 6, 8, 12, 16, 24]))}
                                   for i in range(courses)])
        course_ids = [cid for (cid,) in s.execute(select(Course.id).where(Course.code.like("BENCH-%")).order_by(Course.id))]
        tags = {(cid, sid) for cid in course_ids for sid in rng.sample(essential, 4)}
        s.execute(insert(CourseSkill), [{"course_id": c, "skill_id": k, "level": 2, "status": "accepted"} for c, k in sorted(tags)])
        s.execute(insert(Opportunity), [{"kind": OpportunityKind.project, "title": f"Bench project {i}", "description": "",
                                         "status": "open"} for i in range(projects)])
        opp_ids = [oid for (oid,) in s.execute(select(Opportunity.id).where(Opportunity.title.like("Bench project %")).order_by(Opportunity.id))]
        links = {(oid, sid) for oid in opp_ids for sid in rng.sample(essential, 3)}
        s.execute(insert(OpportunitySkill), [{"opportunity_id": o, "skill_id": k, "required": True, "level": 2} for o, k in sorted(links)])


def ask(router: Router, email: str, text: str) -> tuple[float, dict]:
    started = time.perf_counter()
    reply = router.handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="bench", text=text))
    elapsed = (time.perf_counter() - started) * 1000
    if reply.error_id:
        raise SystemExit(f"error answering {text!r} for {email}: {reply.text}")
    return elapsed, reply.data


def line(name: str, times: list[float]) -> str:
    if not times:
        return f"{name:34} n=0"
    return (f"{name:34} n={len(times):<4} p50={percentile(times, 0.5):6.1f} ms  p99={percentile(times, 0.99):6.1f} ms  "
            f"max={max(times):6.1f} ms  mean={statistics.mean(times):6.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--database-url")
    ap.add_argument("--postgres", action="store_true", help="use a fresh database on 127.0.0.1:5432 (user postgres)")
    ap.add_argument("--esco", default=str(ROOT.parent / "shared" / "data" / "esco-v1.1.1"))
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ladder-skills-bench-"))
    pg_name = None
    if args.postgres:
        import psycopg

        pg_name = f"ladder_skills_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        url = f"postgresql://postgres@127.0.0.1:5432/{pg_name}"
    else:
        url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    db = Database(url, cipher=Cipher.throwaway())
    try:
        run(db, url, tmp, args)
    finally:
        db.dispose()
        if pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def run(db: Database, url: str, tmp: Path, args) -> None:
    db.migrate()
    t0 = time.perf_counter()
    summary = import_esco(db, Path(args.esco))
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    people = generate(db, args.people)
    add_hierarchy_and_catalogue(db)
    with db.engine.begin() as conn:  # planner statistics, as a database in service has them
        conn.execute(text("ANALYZE"))
    t_gen = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ladder = Ladder(settings=Settings(data_dir=tmp, database_url=url), db=db)
    router = Router(ladder)
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        graph = ladder.indexes.graph(s.skills.taxonomy)
    t_graph = time.perf_counter() - t0

    rng = random.Random(11)
    with db.session() as s, s.begin():
        uow = UnitOfWork(s)  # the repositories, over the raw session the set-up queries use
        directory = {pid: (email, role_id) for pid, email, role_id in s.execute(select(Person.id, Person.email, Person.role_id))}
        labels = dict(s.execute(select(RoleSkill.occupation_id, RoleSkill.occupation_id)).all())  # ids with requirements
        from storage.models import Occupation

        role_labels = dict(s.execute(select(Occupation.id, Occupation.label)).all())
        managers = [(pid, len(uow.people.report_ids(pid))) for (pid,) in
                    s.execute(select(Person.id).where(Person.access_role == AccessRole.manager).order_by(Person.id))]
        # Choose path questions: half whose jump is large enough for a multi-step route, half direct.
        direct_pairs, route_pairs = [], []
        sample = rng.sample(people, min(len(people), 4000))
        for pid in sample:
            email, role_id = directory[pid]
            prof = proficiency.person_profile(uow.skills, pid, ladder.now())
            have = HaveSets({k: p.verified_level for k, p in prof.items() if p.verified_level})
            two_hop = [r for n, _ in graph.neighbours.get(role_id, []) for r, _ in graph.neighbours.get(n, [])]
            target = rng.choice(two_hop) if two_hop and rng.random() < 0.7 else rng.choice(list(labels))
            if target == role_id:
                continue
            _direct, via = routes.route(graph, have, target, current=role_id)
            bucket = route_pairs if via is not None else direct_pairs
            if len(bucket) < args.queries:
                bucket.append((email, role_labels[target]))
            if len(direct_pairs) >= args.queries and len(route_pairs) >= args.queries:
                break
        emails = {pid: directory[pid][0] for pid in directory}
    # Ask by exact role label so the timing covers the answer, not an ambiguity prompt.
    ask(router, direct_pairs[0][0], f"what's my path to {direct_pairs[0][1]}?")  # warm the role and skill indexes

    results: dict[str, list[float]] = {"path (direct)": [], "path (multi-step route)": [], "closest roles (3,007 roles)": [],
                                       "team ready for X (lead, ~10)": [], "team ready for X (head, ~100)": []}
    misrouted = 0
    for email, role in direct_pairs:
        ms, data = ask(router, email, f"what's my path to {role}?")
        if data.get("status") == "found":
            results["path (direct)" if not data.get("route") else "path (multi-step route)"].append(ms)
        else:
            misrouted += 1
    for email, role in route_pairs:
        ms, data = ask(router, email, f"what's my path to {role}?")
        if data.get("status") == "found":
            results["path (multi-step route)" if data.get("route") else "path (direct)"].append(ms)
        else:
            misrouted += 1
    for pid in rng.sample(people, args.queries):
        ms, data = ask(router, emails[pid], "what roles am I closest to?")
        assert data["intent"] == "closest_roles" and data["roles"]
        results["closest roles (3,007 roles)"].append(ms)
    leads = [pid for pid, n in managers if 0 < n <= 20]
    heads = [pid for pid, n in managers if n > 20]
    team_roles = rng.sample(sorted(graph.roles), 50)
    for name, pool in (("team ready for X (lead, ~10)", leads), ("team ready for X (head, ~100)", heads)):
        for i in range(min(args.queries, 100)):
            pid = pool[i % len(pool)]
            ms, data = ask(router, emails[pid], f"who on my team is ready for {role_labels[team_roles[i % len(team_roles)]]}?")
            if data.get("intent") == "team_ready":
                results[name].append(ms)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"database            {db.dialect}")
    print(f"ESCO import         {t_import:.1f} s  ({summary.occupations.inserted} occupations, {summary.skills.inserted} skills, "
          f"{summary.relations.inserted} relations)")
    print(f"generate org        {t_gen:.1f} s  ({len(people)} people, {len(managers)} managers incl. {len(heads)} heads)")
    print(f"role graph build    {t_graph * 1000:.0f} ms  ({len(graph.roles)} roles, "
          f"{sum(len(v) for v in graph.neighbours.values())} links)")
    for name, times in results.items():
        print(line(name, times))
    if misrouted:
        print(f"note: {misrouted} path question(s) got a role choice instead of an answer (ambiguous label)")
    print(f"peak memory (RSS)   {peak_mb:.0f} MB  (after import and generation: {rss_before:.0f} MB)")


if __name__ == "__main__":
    main()

"""Generate a large synthetic organisation on whatever taxonomy is loaded (for benchmarks).

Deterministic for a given seed: N people in teams of ~10 under managers, each with a current role
drawn from the loaded occupations and evidence for part of that role's essential skills.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import AccessRole, EvidenceType, Person, RequirementKind, RoleSkill, SkillEvidence, Team

TYPES = list(EvidenceType)


def essential_skills(session: Session) -> dict[int, list[int]]:
    """Each loaded occupation's essential skill ids (occupations without any are absent)."""
    essentials: dict[int, list[int]] = {}
    for occ, skill in session.execute(select(RoleSkill.occupation_id, RoleSkill.skill_id).where(RoleSkill.kind == RequirementKind.essential)):
        essentials.setdefault(occ, []).append(skill)
    return essentials


def generate(db: Database, people: int = 10_000, *, seed: int = 7, team_size: int = 10) -> list[int]:
    """Insert ``people`` people with evidence; returns their ids."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)
    with db.session() as s, s.begin():
        essentials = essential_skills(s)
        roles = sorted(essentials)
        n_teams = max(1, people // team_size)
        s.execute(insert(Team), [{"name": f"Bench team {i:05d}"} for i in range(n_teams)])
        team_ids = [t for (t,) in s.execute(select(Team.id).where(Team.name.like("Bench team %")).order_by(Team.id))]
        rows = []
        for i in range(people):
            rows.append({
                "name": f"Bench Person {i:05d}", "email": f"bench{i:05d}@bench.example", "team_id": team_ids[i % n_teams],
                "role_id": rng.choice(roles), "access_role": AccessRole.manager if i < n_teams else AccessRole.employee,
                "active": True, "hire_date": dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000)),
            })
        for start in range(0, len(rows), 5000):
            s.execute(insert(Person), rows[start:start + 5000])
        ids = [(pid, role) for pid, role in s.execute(
            select(Person.id, Person.role_id).where(Person.email.like("bench%@bench.example")).order_by(Person.id))]
        managers = [pid for pid, _ in ids[:n_teams]]
        from sqlalchemy import update
        s.execute(update(Person), [{"id": pid, "manager_id": managers[k % n_teams]} for k, (pid, _) in enumerate(ids[n_teams:], start=n_teams)])
        evidence = []
        for pid, role in ids:
            for skill in essentials.get(role, []):
                if rng.random() < 0.6:
                    evidence.append({
                        "person_id": pid, "skill_id": skill, "evidence_type": rng.choice(TYPES), "level": rng.randint(1, 4),
                        "source": "bench", "observed_at": now - dt.timedelta(days=rng.randint(1, 1500)), "status": "active",
                    })
        for start in range(0, len(evidence), 10000):
            s.execute(insert(SkillEvidence), evidence[start:start + 10000])
        return [pid for pid, _ in ids]

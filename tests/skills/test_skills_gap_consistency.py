"""For every demo person and a sample of target roles, the gap Ladder lists equals the role's essential
skills minus the person's verified skills at level — computed here straight from the tables with the
documented rules (active verifying evidence, 730-day half-life, weight ≥ 0.25, weighted mean rounded half up)."""

from __future__ import annotations

from storage import UnitOfWork

import datetime as dt
import math

from sqlalchemy import text

from handlers import career_path
from storage.models import Occupation, Person
from tests.skills.skills_helpers import NOW, at_fixed_time

WEIGHT = {"assessment": 1.0, "manager_validation": 0.9, "project_outcome": 0.85, "peer_review": 0.7}
SAMPLE_ROLES = ["data scientist", "cloud engineer", "software architect", "database administrator", "accountant",
                "ICT project manager", "software developer", "human resources officer"]


def _verified_levels(session, now: dt.datetime) -> dict[int, dict[int, int]]:
    rows = session.execute(text(
        "SELECT person_id, skill_id, evidence_type, level, observed_at FROM skill_evidence "
        "WHERE status = 'active' AND evidence_type IN ('assessment', 'manager_validation', 'project_outcome', 'peer_review')"))
    sums: dict[tuple[int, int], list[float]] = {}
    for pid, sid, kind, level, observed in rows:
        if isinstance(observed, str):
            observed = dt.datetime.fromisoformat(observed)
        if observed.tzinfo is None:
            observed = observed.replace(tzinfo=dt.timezone.utc)
        weight = WEIGHT[kind] * 0.5 ** ((now - observed).total_seconds() / 86400 / 730)
        if weight < 0.25:
            continue
        acc = sums.setdefault((pid, sid), [0.0, 0.0])
        acc[0] += weight * level
        acc[1] += weight
    out: dict[int, dict[int, int]] = {}
    for (pid, sid), (num, den) in sums.items():
        out.setdefault(pid, {})[sid] = max(1, min(4, math.floor(num / den + 0.5)))
    return out


def test_gap_equals_essentials_minus_verified_at_level(demo):
    ladder = at_fixed_time(demo, NOW)
    checked = 0
    with demo.db.session() as s, s.begin():
        verified = _verified_levels(s, NOW)
        roles = {label: oid for oid, label in s.execute(text("SELECT id, label FROM occupations"))
                 if label in SAMPLE_ROLES}
        assert len(roles) == len(SAMPLE_ROLES)
        essentials = {}
        for label, oid in roles.items():
            essentials[label] = {sid: lvl for sid, lvl in s.execute(text(
                "SELECT skill_id, target_level FROM role_skills WHERE occupation_id = :o AND kind = 'essential'"), {"o": oid})}
        people = s.query(Person).filter(Person.active.is_(True)).order_by(Person.id).all()  # today's staff
        for person in people:
            have = verified.get(person.id, {})
            for label, oid in roles.items():
                expected = {sid for sid, lvl in essentials[label].items() if have.get(sid, 0) < lvl}
                reply = career_path.path_reply(ladder, UnitOfWork(s), person, s.get(Occupation, oid))
                listed = {g["skill_id"] for g in reply.data["missing"]}
                assert listed == expected, (person.email, label)
                assert {g["skill_id"] for g in reply.data["have"]} == set(essentials[label]) - expected
                checked += 1
    assert checked == 60 * len(SAMPLE_ROLES)

"""`forecast snapshot`: this month's supply, pipeline and demand per team and skill go into the monthly history —
counted from the people, evidence, enrolments, roles and open opportunities — and taking it twice in one month
leaves one row per (month, team, skill). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from forecasting.snapshot import take
from storage.models import (EvidenceStatus, EvidenceType, Person, Skill, SkillEvidence, SkillMonthly, Team)

NOW = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.timezone.utc)  # a month after the demo history ends


def _rows(ladder, month: dt.date) -> list[tuple[int, int, float, float, float]]:
    with ladder.db.session() as s, s.begin():
        return sorted(s.execute(select(SkillMonthly.team_id, SkillMonthly.skill_id, SkillMonthly.supply, SkillMonthly.pipeline,
                                       SkillMonthly.demand).where(SkillMonthly.month == month)).all())


def test_a_snapshot_records_this_month_once(fresh_demo):
    ladder = fresh_demo
    month = NOW.date().replace(day=1)
    with ladder.db.unit_of_work() as uow:
        before = {t: len(d) for t, (d, _s) in uow.skill_history.series(None).items()}
        taken = take(uow, NOW)
    assert taken.month == month and taken.rows == taken.teams * taken.skills and taken.skills >= 5
    first = _rows(ladder, month)
    assert len(first) == taken.rows
    with ladder.db.session() as s, s.begin():
        team = s.scalar(select(Team).where(Team.name == "Data & Analytics"))
        skill_id = s.scalar(select(Skill.id).where(Skill.label == "machine learning"))
        member = s.scalar(select(Person.id).where(Person.team_id == team.id, Person.active.is_(True),
                                                  ~Person.id.in_(select(SkillEvidence.person_id).where(
                                                      SkillEvidence.skill_id == skill_id))).order_by(Person.id))
    ml = {(t, sk): (su, p, d) for t, sk, su, p, d in first}[(team.id, skill_id)]
    # One more person of the team holds machine learning at level 3: the same month, taken again, counts them.
    with ladder.db.session() as s, s.begin():
        s.add(SkillEvidence(person_id=member, skill_id=skill_id, evidence_type=EvidenceType.assessment, level=3,
                            source="test", observed_at=NOW, status=EvidenceStatus.active))
    with ladder.db.unit_of_work() as uow:
        again = take(uow, NOW + dt.timedelta(days=3))
    second = _rows(ladder, month)
    assert again.rows == taken.rows and len(second) == len(first)  # replaced, not added
    assert {(t, sk): su for t, sk, su, _p, _d in second}[(team.id, skill_id)] == ml[0] + 1
    with ladder.db.read_only() as uow:
        after = {t: len(d) for t, (d, _s) in uow.skill_history.series(None).items()}
    assert all(after[label] == before[label] + 1 for label in before)  # every tracked series grew by one month
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(SkillMonthly).where(SkillMonthly.month == month)) == taken.rows

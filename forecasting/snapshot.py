"""This month's supply, learning pipeline and demand per team and skill, stored in the monthly history
(``skill_monthly``) so a real database accumulates the history the forecast reads. ``python app.py forecast
snapshot`` runs it (monthly, from cron or by hand); taking it again in the same month replaces that month's numbers,
so it is idempotent per month. What each number counts is in ``SkillHistory.current_counts`` and docs/forecasting.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage import UnitOfWork

AT_LEVEL = 2  # supply counts people at "working" level or above (skills_engine.proficiency)


@dataclass(frozen=True)
class Snapshot:
    month: dt.date
    rows: int
    teams: int
    skills: int


def take(uow: UnitOfWork, now: dt.datetime) -> Snapshot:
    """Record this month for every team and tracked skill (teams with nothing for a skill get zeros, so a series has
    no holes); returns what was written."""
    month = now.date().replace(day=1)
    skill_ids = uow.skill_history.tracked_skill_ids()
    counts = uow.skill_history.current_counts(skill_ids, at_level=AT_LEVEL)
    teams = [t.id for t in uow.skill_history.teams()]
    for team_id in teams:
        for skill_id in skill_ids:
            supply, pipeline, demand = counts.get((team_id, skill_id), (0.0, 0.0, 0.0))
            uow.skill_history.record(month, team_id, skill_id, supply=supply, pipeline=pipeline, demand=demand)
    uow.audit.record(action="forecast.snapshot", actor_kind="system", object_type="skill_history",
                     object_id=month.isoformat(), at=now,
                     detail={"teams": len(teams), "skills": len(skill_ids)})
    return Snapshot(month, len(teams) * len(skill_ids), len(teams), len(skill_ids))

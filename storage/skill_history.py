"""Repository: the monthly skill history (``skill_monthly``) the skill-gap forecast reads, per team or for the
whole organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select

from storage.models import Skill, SkillMonthly, Team
from storage.repository import Repository


class SkillHistory(Repository):
    def record(self, month: dt.date, team_id: int, skill_id: int, *, supply: float, pipeline: float,
               demand: float) -> None:
        """This month's numbers for one team and skill; recording the month again replaces them."""
        row = self._session.scalar(select(SkillMonthly).where(
            SkillMonthly.month == month, SkillMonthly.team_id == team_id, SkillMonthly.skill_id == skill_id))
        if row is None:
            row = SkillMonthly(month=month, team_id=team_id, skill_id=skill_id)
            self._session.add(row)
        row.supply, row.pipeline, row.demand = supply, pipeline, demand
        self._session.flush()

    def add_months(self, rows: list[tuple[dt.date, int, int, float, float, float]]) -> None:
        """Many new months at once (month, team id, skill id, supply, pipeline, demand) — the demo seed, after a
        wipe; ``record`` is the one for a month that may already be there."""
        self._session.add_all(SkillMonthly(month=m, team_id=t, skill_id=s, supply=su, pipeline=p, demand=d)
                              for m, t, s, su, p, d in rows)
        self._session.flush()

    def series(self, team_id: int | None = None) -> dict[str, tuple[list[float], list[float]]]:
        """Skill label → (demand by month, supply + pipeline by month), oldest first; summed over teams when
        ``team_id`` is None (the organisation)."""
        q = (select(Skill.label, SkillMonthly.month, func.sum(SkillMonthly.demand),
                    func.sum(SkillMonthly.supply + SkillMonthly.pipeline))
             .join(Skill, Skill.id == SkillMonthly.skill_id)
             .group_by(Skill.label, SkillMonthly.month).order_by(Skill.label, SkillMonthly.month))
        if team_id is not None:
            q = q.where(SkillMonthly.team_id == team_id)
        out: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
        for label, _month, demand, supply in self._session.execute(q):
            out[label][0].append(float(demand))
            out[label][1].append(float(supply))
        return dict(out)

    def team_by_name(self, name: str) -> Team | None:
        return self._session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))

    def team_led_by(self, person_id: int) -> Team | None:
        return self._session.scalar(select(Team).where(Team.lead_id == person_id))

    def teams(self) -> list[Team]:
        return list(self._session.scalars(select(Team).order_by(Team.name)))

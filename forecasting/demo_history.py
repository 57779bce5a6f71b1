"""The demo company's monthly skill history: a documented generative model (docs/forecasting.md).

For each skill s and month t (t = 0 … months−1, starting January):

    demand_s(t) = base_s · (1 + g_s)^(t/12) · (1 + a_s · sin(2π·(t mod 12)/12 + φ)) + ε
    supply_s(t) = base_s · supply_ratio_s · (1 + h_s)^(t/12) + pipeline effect + ε

with ε ~ Normal(0, σ·level) from a fixed seed. Demand has yearly growth g and a seasonal swing a (planning peaks
in the first quarter); supply grows more slowly. One skill ("Machine learning") has demand growing 35 % a year
against flat supply, so it becomes scarce within the forecast horizon. Pure and deterministic.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

MONTHS = 48
SEED = 20260101


@dataclass(frozen=True)
class SkillModel:
    skill: str
    base: float  # people needed at month 0
    growth: float  # demand growth a year
    swing: float  # seasonal amplitude (fraction)
    supply_ratio: float  # supply / demand at month 0
    supply_growth: float  # supply growth a year
    noise: float = 0.05
    esco_label: str = ""  # the demo taxonomy's skill this stands for (seeded into ``skill_monthly``)


SKILLS = (
    SkillModel("Python", 40, 0.12, 0.10, 1.15, 0.12, esco_label="Python (computer programming)"),
    SkillModel("Data analysis", 30, 0.08, 0.12, 1.20, 0.08, esco_label="perform data analysis"),
    SkillModel("Machine learning", 12, 0.35, 0.10, 1.25, 0.02, esco_label="machine learning"),  # becomes scarce
    SkillModel("Cloud infrastructure", 20, 0.15, 0.08, 1.05, 0.14, esco_label="design cloud architecture"),
    SkillModel("Stakeholder management", 25, 0.04, 0.15, 1.30, 0.03,
               esco_label="manage relationships with stakeholders"),
)


@dataclass(frozen=True)
class SkillSeries:
    skill: str
    esco_label: str
    demand: tuple[float, ...]
    supply: tuple[float, ...]


def generate(months: int = MONTHS, seed: int = SEED, skills=SKILLS) -> list[SkillSeries]:
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    season = np.sin(2 * math.pi * (t % 12) / 12 + math.pi / 2)  # peak in January
    out = []
    for m in skills:
        level = m.base * (1 + m.growth) ** (t / 12)
        demand = level * (1 + m.swing * season) + rng.normal(0, m.noise * m.base, months)
        supply = m.base * m.supply_ratio * (1 + m.supply_growth) ** (t / 12) + rng.normal(0, m.noise * m.base, months)
        out.append(SkillSeries(m.skill, m.esco_label, tuple(np.round(np.maximum(demand, 0), 2)),
                               tuple(np.round(np.maximum(supply, 0), 2))))
    return out


def months_back(last: "dt.date", months: int = MONTHS) -> list["dt.date"]:
    """The first days of ``months`` consecutive months ending with ``last``'s month, oldest first."""
    out, y, m = [], last.year, last.month
    for _ in range(months):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]

"""Skill gaps ahead: per skill, forecast demand and supply month by month and report the quarters where demand is
expected to exceed supply, with an interval. Pure: the caller hands in the monthly history of one scope (the
organisation or one team)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from forecasting.methods import Z, forecast

MIN_MONTHS = 3  # fewer observed months than this: no forecast at all (the caller says so in plain words)
MIN_SHORTFALL = 0.5  # people: a smaller gap rounds to "short by 0", which is no gap


class NoHistory(ValueError):
    """The scope has no (or too little) monthly history to forecast from."""


@dataclass(frozen=True)
class Gap:
    skill: str
    quarter: int  # 1 … quarters: the quarter ahead where the gap is largest
    demand: float
    supply: float
    gap: float  # demand − supply (people)
    low80: float
    high80: float
    method_demand: str
    method_supply: str
    demand_by_quarter: tuple[float, ...]
    supply_by_quarter: tuple[float, ...]

    def as_dict(self) -> dict:
        return {k: (round(v, 1) if isinstance(v, float) else v) for k, v in self.__dict__.items()}

    def why(self) -> str:
        return (f"in quarter {self.quarter} ahead, demand ≈ {self.demand:.0f} people against supply ≈ {self.supply:.0f} "
                f"(short by {self.gap:.0f}, 80% interval {max(self.low80, 0):.0f}–{self.high80:.0f}); "
                f"methods: demand {self.method_demand}, supply {self.method_supply}")


def _quarterly(values: tuple[float, ...], quarters: int) -> tuple[float, ...]:
    return tuple(sum(values[3 * q:3 * q + 3]) / 3 for q in range(quarters))


def gaps(history: dict[str, tuple[list[float], list[float]]], quarters: int = 4) -> list[Gap]:
    """``history``: skill → (demand by month, supply by month), oldest first. Returns the skills expected to be
    short by at least half a person (``MIN_SHORTFALL``) at the point forecast, largest gap first."""
    if not 2 <= quarters <= 4:
        raise ValueError("the forecast covers 2 to 4 quarters")
    if not history or max(len(d) for d, _ in history.values()) < MIN_MONTHS:
        raise NoHistory("no monthly skill history for this scope")
    horizon = 3 * quarters
    out = []
    for skill, (demand, supply) in history.items():
        if len(demand) < MIN_MONTHS or len(supply) < MIN_MONTHS:
            continue
        fd, fs = forecast(demand, horizon), forecast(supply, horizon)
        dq, sq = _quarterly(fd.point, quarters), _quarterly(fs.point, quarters)
        gq = [d - s for d, s in zip(dq, sq)]
        q = max(range(quarters), key=lambda i: gq[i])
        if gq[q] < MIN_SHORTFALL:
            continue
        spread = math.sqrt(fd.scale[3 * q + 2] ** 2 + fs.scale[3 * q + 2] ** 2)
        out.append(Gap(skill, q + 1, dq[q], sq[q], gq[q], gq[q] - Z[0.80] * spread, gq[q] + Z[0.80] * spread,
                       fd.method, fs.method, dq, sq))
    return sorted(out, key=lambda g: -g.gap)


def chart_png(gap_list: list[Gap], title: str) -> bytes:
    """A bar chart of demand against supply per quarter for the top gaps (matplotlib, Agg backend, PNG bytes)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = gap_list[:4]
    fig = Figure(figsize=(7, 3.2), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / max(len(shown), 1)
    for i, g in enumerate(shown):
        xs = [q + i * width for q in range(len(g.demand_by_quarter))]
        gaps_q = [d - s for d, s in zip(g.demand_by_quarter, g.supply_by_quarter)]
        ax.bar(xs, gaps_q, width=width, label=g.skill)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks([q + 0.4 - width / 2 for q in range(len(shown[0].demand_by_quarter))] if shown else [])
    ax.set_xticklabels([f"Q+{q + 1}" for q in range(len(shown[0].demand_by_quarter))] if shown else [])
    ax.set_ylabel("demand − supply (people)")
    ax.set_title(title)
    if shown:
        ax.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()

"""A KPI before and after a programme started: the mean of the months before against the months after, with the
Welch 95 % interval of the difference (statsmodels; unequal variances). Months next to each other are not
independent and the calendar moves on its own (seasons, growth), so this is a trend around a date, not the
programme's effect; the answer says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from insights.problems import InsightsInputError

MIN_MONTHS = 3
OTHER_CHANGES = ("An association, not a cause: other things changed around the same time (people, customers, prices, "
                 "other programmes).")
TREND = ("Months next to each other are alike and the KPI may have been rising or falling anyway (season, growth); "
         "read this as the trend around the start date, not as the programme's effect.")


@dataclass
class KpiChange:
    start: dt.date
    months_before: int
    months_after: int
    mean_before: float
    mean_after: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    caveats: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"analysis": "kpi_change", **{k: getattr(self, k) for k in (
            "months_before", "months_after", "mean_before", "mean_after", "difference", "ci_low", "ci_high",
            "p_value", "caveats")}, "start": self.start.isoformat()}


def kpi_change(series: Iterable[tuple[dt.date, float]], start: dt.date, window: int = 6) -> KpiChange:
    """``series``: (month, value); up to ``window`` months before ``start`` against up to ``window`` from it on."""
    ordered = sorted(series)
    before = [v for m, v in ordered if m < start][-window:]
    after = [v for m, v in ordered if m >= start][:window]
    if len(before) < MIN_MONTHS or len(after) < MIN_MONTHS:
        raise InsightsInputError(f"I need at least {MIN_MONTHS} months before and after {start.isoformat()}; there are "
                                 f"{len(before)} before and {len(after)} after.")
    compare = CompareMeans(DescrStatsW(np.array(after, dtype=float)), DescrStatsW(np.array(before, dtype=float)))
    low, high = compare.tconfint_diff(alpha=0.05, usevar="unequal")
    _t, p, _df = compare.ttest_ind(usevar="unequal")
    mean_before, mean_after = float(np.mean(before)), float(np.mean(after))
    return KpiChange(start, len(before), len(after), mean_before, mean_after, mean_after - mean_before, float(low),
                     float(high), float(p), caveats=[OTHER_CHANGES, TREND])

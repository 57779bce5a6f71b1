"""Performance rating change after a course, against comparable people who did not take it.

For a taker, the change is the mean of (up to) two ratings after the completion date minus the mean of (up to) two
before it. A non-taker is given the median completion date of the takers in their department (or of all takers)
and measured the same way, over the same stretch of the calendar. The effect is the coefficient of ``took`` in an
ordinary least-squares regression of the change on ``took`` and the rating before (statsmodels), with its 95 %
interval: people who started low tend to rise and the reverse (regression to the mean), whoever took the course.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import statsmodels.api as sm

from insights import caveats
from insights.caveats import MIN_GROUP
from insights.problems import InsightsInputError

PERIODS = 2


@dataclass
class RatingChange:
    course: str
    takers: int
    comparison: int
    mean_change_takers: float | None
    mean_change_comparison: float | None
    effect: float | None  # OLS coefficient of took (rating points)
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    suppressed: bool = False
    caveats: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"analysis": "rating_change", **{k: getattr(self, k) for k in (
            "course", "takers", "comparison", "mean_change_takers", "mean_change_comparison", "effect", "ci_low",
            "ci_high", "p_value", "suppressed", "caveats")}, "min_group": MIN_GROUP}


def _change(ratings: list[tuple[dt.date, float]], anchor: dt.date) -> tuple[float, float] | None:
    before = [r for end, r in ratings if end < anchor][-PERIODS:]
    after = [r for end, r in ratings if end > anchor][:PERIODS]
    if not before or not after:
        return None
    return statistics.fmean(before), statistics.fmean(after) - statistics.fmean(before)


def rating_change(course: str, departments: dict[int, str], completions: Iterable[tuple[int, str, dt.datetime]],
                  ratings: Iterable[tuple[int, dt.date, float, float]]) -> RatingChange:
    """``departments``: person → department; ``completions`` and ``ratings`` as storage.outcomes returns them
    (ratings are put on a 1–5 scale)."""
    done = {pid: at.date() for pid, code, at in completions if code == course}
    by_person: dict[int, list[tuple[dt.date, float]]] = {}
    for pid, end, rating, scale in ratings:
        by_person.setdefault(pid, []).append((end, 1 + 4 * (rating - 1) / (scale - 1) if scale and scale != 5 else rating))
    if not done:
        raise InsightsInputError(f"Nobody has completed {course} yet.")
    anchors: dict[str, dt.date] = {}
    for dept in set(departments.values()):
        dates = sorted(d for pid, d in done.items() if departments.get(pid) == dept)
        if dates:
            anchors[dept] = dates[len(dates) // 2]
    overall = sorted(done.values())[len(done) // 2]
    rows = []
    for pid, series in by_person.items():
        if pid not in departments:
            continue
        anchor = done.get(pid) or anchors.get(departments[pid], overall)
        measured = _change(sorted(series), anchor)
        if measured:
            rows.append({"took": float(pid in done), "before": measured[0], "change": measured[1]})
    frame = pd.DataFrame(rows, columns=["took", "before", "change"])
    takers, others = int(frame["took"].sum()), int((frame["took"] == 0).sum())
    result = RatingChange(course, takers, others, None, None, None, None, None, None)
    result.caveats = [caveats.ASSOCIATION, "Ratings are compared before and after the course; people who chose to "
                      "take it may have been on the way up already.", "The regression adjusts for the rating before."]
    if takers < MIN_GROUP or others < MIN_GROUP:
        result.suppressed = True
        result.caveats.append(caveats.small_groups(["takers" if takers < MIN_GROUP else "comparison group"]))
        return result
    fitted = sm.OLS(frame["change"], sm.add_constant(frame[["took", "before"]])).fit()
    low, high = fitted.conf_int(alpha=0.05).loc["took"]
    result.mean_change_takers = float(frame.loc[frame.took == 1, "change"].mean())
    result.mean_change_comparison = float(frame.loc[frame.took == 0, "change"].mean())
    result.effect, result.ci_low, result.ci_high = float(fitted.params["took"]), float(low), float(high)
    result.p_value = float(fitted.pvalues["took"])
    return result

"""Attrition by group: Kaplan–Meier survival, the log-rank test and the Cox hazard ratio of the grouping variable.

Per group (of ``MIN_GROUP`` or more people): n, leavers, the raw attrition rate, the Kaplan–Meier probability of
still being employed at each whole year and the median time to leaving. Across groups: the log-rank p-value (the
multivariate form for more than two groups). The Cox proportional-hazards model gives the hazard ratio of each
group against the reference group with its 95 % interval, adjusted for the confounders the table carries
(``ADJUSTERS``). Suppressed groups take part in none of it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceError
from lifelines.statistics import logrank_test, multivariate_logrank_test

from insights import caveats
from insights.caveats import MIN_GROUP
from insights.problems import InsightsInputError
from insights.table import EVENT, TIME

# The confounders of leaving that the Cox model adjusts for when the table has them (first name found wins).
ADJUSTERS = {
    "tenure at start": ("tenure_at_start",),
    "role level": ("role_level", "joblevel", "job_level"),
    "department": ("department", "dept"),
}
MAX_GROUPS = 12
MAX_YEARS = 10


@dataclass
class Group:
    name: str
    n: int
    leavers: int
    attrition_rate: float
    survival: dict[int, float | None]  # whole year → P(still employed); None past the group's last observation
    median_years: float | None  # None: more than half are still employed at the end
    curve: list[tuple[float, float]] = field(default_factory=list, repr=False)  # the Kaplan–Meier steps, for a chart

    def as_dict(self) -> dict:
        return {"group": self.name, "n": self.n, "leavers": self.leavers, "attrition_rate": self.attrition_rate,
                "survival": {str(k): v for k, v in self.survival.items()}, "median_years": self.median_years}


@dataclass
class HazardRatio:
    group: str
    hazard_ratio: float
    ci_low: float
    ci_high: float
    p_value: float

    def as_dict(self) -> dict:
        return {"group": self.group, "hazard_ratio": self.hazard_ratio, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "p_value": self.p_value}


@dataclass
class Cox:
    reference: str
    adjusted_for: list[str]  # the table's column names
    n: int
    events: int
    ratios: list[HazardRatio]
    problem: str | None = None  # the model could not be estimated: why, in words

    def as_dict(self) -> dict:
        return {"reference": self.reference, "adjusted_for": self.adjusted_for, "n": self.n, "events": self.events,
                "hazard_ratios": [r.as_dict() for r in self.ratios], "problem": self.problem}


@dataclass
class AttritionResult:
    by: str
    n: int
    leavers: int
    groups: list[Group]
    suppressed: list[str]
    logrank_p: float | None
    logrank_statistic: float | None
    cox: Cox | None
    caveats: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"analysis": "attrition", "by": self.by, "n": self.n, "leavers": self.leavers,
                "groups": [g.as_dict() for g in self.groups],
                "suppressed": [{"group": s, "n": f"fewer than {MIN_GROUP}"} for s in self.suppressed],
                "logrank": {"p_value": self.logrank_p, "statistic": self.logrank_statistic,
                            "groups": len(self.groups)},
                "cox": self.cox.as_dict() if self.cox else None, "caveats": self.caveats, "min_group": MIN_GROUP}


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def reference_group(names: list[str], sizes: dict[str, int]) -> str:
    """``no`` when the groups are yes/no; otherwise the largest group (the first by name among equals)."""
    if "no" in names and set(names) <= {"yes", "no"}:
        return "no"
    return sorted(names, key=lambda g: (-sizes[g], g))[0]


def adjusters(table: pd.DataFrame, by: str) -> list[str]:
    """The table's columns that stand for ADJUSTERS (case-insensitive), not counting ``by`` itself."""
    lower = {c.lower(): c for c in table.columns}
    found = []
    for names in ADJUSTERS.values():
        column = next((lower[n] for n in names if n in lower), None)
        if column is not None and column != by:
            found.append(column)
    return found


def design(table: pd.DataFrame, by: str, reference: str, adjust: list[str]) -> pd.DataFrame:
    """The Cox model's columns: time, event, one 0/1 column per non-reference group of ``by``, numeric adjusters as
    they are and categorical ones as 0/1 columns against their most common value."""
    out = table[[TIME, EVENT]].astype(float).copy()
    for level in sorted(set(table[by]) - {reference}):
        out[f"{by}={level}"] = (table[by] == level).astype(float)
    for column in adjust:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values):
            out[column] = values.astype(float)
            continue
        counts = values.value_counts()
        base = sorted(counts.index, key=lambda v: (-counts[v], str(v)))[0]
        for level in sorted(set(values) - {base}, key=str):
            out[f"{column}={level}"] = (values == level).astype(float)
    return out


def _cox(table: pd.DataFrame, by: str, reference: str, adjust: list[str]) -> Cox:
    frame = design(table, by, reference, adjust)
    frame = frame.loc[:, (frame != frame.iloc[0]).any() | frame.columns.isin([TIME, EVENT])]  # no constant columns
    groups = [c for c in frame.columns if c.startswith(f"{by}=")]
    cox = Cox(reference=reference, adjusted_for=adjust, n=len(frame), events=int(frame[EVENT].sum()), ratios=[])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = CoxPHFitter().fit(frame, duration_col=TIME, event_col=EVENT)
    except (ConvergenceError, np.linalg.LinAlgError, ValueError) as exc:
        cox.problem = f"the Cox model could not be estimated on these data ({type(exc).__name__})"
        return cox
    s = fitted.summary
    for column in groups:
        cox.ratios.append(HazardRatio(group=column.split("=", 1)[1], hazard_ratio=float(s.loc[column, "exp(coef)"]),
                                      ci_low=float(s.loc[column, "exp(coef) lower 95%"]),
                                      ci_high=float(s.loc[column, "exp(coef) upper 95%"]), p_value=float(s.loc[column, "p"])))
    return cox


def check_columns(table: pd.DataFrame, by: str) -> None:
    if by not in table.columns:
        raise InsightsInputError(f"There is no column “{by}” to group by; the columns are: "
                                 + ", ".join(c for c in table.columns if c not in (TIME, EVENT)) + ".")
    if table.empty:
        raise InsightsInputError("There is nobody in the data to analyse.")
    if int(table[EVENT].sum()) == 0:
        raise InsightsInputError("Nobody in the data left (no events): attrition cannot be estimated. Check the "
                                 "event column and the value that means “left”.")


def attrition(table: pd.DataFrame, by: str, *, adjust: list[str] | None = None) -> AttritionResult:
    """The attrition analysis of ``table`` (with ``time`` in years and ``event`` 0/1) grouped by column ``by``."""
    check_columns(table, by)
    table = table.copy()
    table[by] = table[by].astype(str).str.strip()
    sizes = table[by].value_counts().to_dict()
    if len(sizes) > MAX_GROUPS:
        raise InsightsInputError(f"“{by}” has {len(sizes)} different values; group by a column with at most "
                                 f"{MAX_GROUPS} (put a number into bands first).")
    suppressed = sorted(g for g, k in sizes.items() if k < MIN_GROUP)
    shown = table[~table[by].isin(suppressed)]
    names = sorted(set(shown[by]))
    result = AttritionResult(by=by, n=len(shown), leavers=int(shown[EVENT].sum()), groups=[], suppressed=suppressed,
                             logrank_p=None, logrank_statistic=None, cox=None)
    years = range(1, min(MAX_YEARS, int(math.floor(shown[TIME].max()))) + 1) if len(shown) else range(0)
    for name in names:
        part = shown[shown[by] == name]
        km = KaplanMeierFitter().fit(part[TIME], part[EVENT])
        last = float(part[TIME].max())
        survival = {y: (float(km.survival_function_at_times(y).iloc[0]) if y <= last else None) for y in years}
        result.groups.append(Group(name=name, n=len(part), leavers=int(part[EVENT].sum()),
                                   attrition_rate=float(part[EVENT].mean()), survival=survival,
                                   median_years=_finite(km.median_survival_time_),
                                   curve=[(float(t), float(v)) for t, v in km.survival_function_.iloc[:, 0].items()]))
    if len(names) == 2:
        a, b = (shown[shown[by] == g] for g in names)
        test = logrank_test(a[TIME], b[TIME], event_observed_A=a[EVENT], event_observed_B=b[EVENT])
        result.logrank_p, result.logrank_statistic = float(test.p_value), float(test.test_statistic)
    elif len(names) > 2:
        test = multivariate_logrank_test(shown[TIME], shown[by], shown[EVENT])
        result.logrank_p, result.logrank_statistic = float(test.p_value), float(test.test_statistic)
    if len(names) >= 2 and result.leavers:
        chosen = adjusters(shown, by) if adjust is None else adjust
        missing = [c for c in chosen if c not in shown.columns]
        if missing:
            raise InsightsInputError("There is no column " + ", ".join(f"“{c}”" for c in missing) + " to adjust for.")
        result.cox = _cox(shown.dropna(subset=chosen), by, reference_group(names, sizes), chosen)
    result.caveats = caveat_lines(result, censored=int(len(shown) - result.leavers))
    return result


def caveat_lines(result: AttritionResult, *, censored: int) -> list[str]:
    lines = [caveats.ASSOCIATION, caveats.CENSORING.format(censored=censored, n=result.n)]
    if result.suppressed:
        lines.append(caveats.small_groups(result.suppressed))
    if result.leavers < 100:
        lines.append(caveats.SMALL_SAMPLE.format(events=result.leavers))
    if result.cox is not None:
        lines.append(caveats.ADJUSTED.format(columns=", ".join(result.cox.adjusted_for)) if result.cox.adjusted_for
                     else caveats.NOT_ADJUSTED)
        lines.append(caveats.PROPORTIONAL)
    return lines

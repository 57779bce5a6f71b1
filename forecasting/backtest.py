"""Rolling-origin evaluation of the method against the naive and seasonal-naive baselines.

For each series and each origin (the last ``origins`` months that leave ``horizon`` months to compare with), every
method forecasts from the history before the origin only. Errors are scaled by the in-sample mean absolute
one-step naive error of that history (MASE, Hyndman & Koehler 2006) and averaged per horizon bucket (quarters).
Interval coverage is the share of actual values inside the method's 80 % and 95 % intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecasting.methods import BASELINES, forecast

QUARTERS = 4


@dataclass
class Row:
    quarter: int
    mase: dict[str, float] = field(default_factory=dict)
    coverage80: float = 0.0
    coverage95: float = 0.0


@dataclass
class Report:
    series: str
    n_series: int
    origins: int
    rows: list[Row]
    overall: dict[str, float]
    chosen: dict[str, int]

    def as_dict(self) -> dict:
        return {"series": self.series, "n_series": self.n_series, "origins": self.origins,
                "overall_mase": self.overall, "chosen_methods": self.chosen,
                "per_quarter": [{"quarter": r.quarter, "mase": r.mase, "coverage80": r.coverage80,
                                 "coverage95": r.coverage95} for r in self.rows]}


def run(named_series: dict[str, list[float]], *, label: str, origins: int = 8, step: int = 1,
        horizon: int = 3 * QUARTERS) -> Report:
    errs: dict[str, list[np.ndarray]] = {"method": [], "naive": [], "seasonal_naive": []}
    hits80, hits95, chosen = [], [], {}
    for values in named_series.values():
        y = np.asarray(values, dtype=float)
        n = len(y)
        for k in range(origins):
            cut = n - horizon - k * step
            if cut < 13:
                break
            train, actual = y[:cut], y[cut:cut + horizon]
            scale = float(np.mean(np.abs(np.diff(train)))) or 1.0
            fc = forecast(train, horizon)
            chosen[fc.method] = chosen.get(fc.method, 0) + 1
            errs["method"].append(np.abs(actual - np.array(fc.point)) / scale)
            for name, fn in BASELINES.items():
                errs[name].append(np.abs(actual - fn(train, horizon)) / scale)
            lo80, hi80 = np.array(fc.interval(0.80)).T
            lo95, hi95 = np.array(fc.interval(0.95)).T
            hits80.append((actual >= lo80) & (actual <= hi80))
            hits95.append((actual >= lo95) & (actual <= hi95))
    arrays = {k: np.array(v) for k, v in errs.items()}
    h80, h95 = np.array(hits80), np.array(hits95)
    rows = []
    for q in range(QUARTERS):
        sl = slice(3 * q, 3 * q + 3)
        rows.append(Row(q + 1, {k: round(float(a[:, sl].mean()), 3) for k, a in arrays.items()},
                        round(float(h80[:, sl].mean()), 3), round(float(h95[:, sl].mean()), 3)))
    overall = {k: round(float(a.mean()), 3) for k, a in arrays.items()}
    overall["coverage80"] = round(float(h80.mean()), 3)
    overall["coverage95"] = round(float(h95.mean()), 3)
    return Report(label, len(named_series), origins, rows, overall, chosen)


def demo_series() -> dict[str, list[float]]:
    from forecasting.demo_history import generate

    out = {}
    for s in generate():
        out[f"{s.skill} demand"] = list(s.demand)
        out[f"{s.skill} supply"] = list(s.supply)
    return out


def co2_series(last_months: int = 240) -> dict[str, list[float]]:
    """Monthly Mauna Loa CO₂ (NOAA, public domain; shipped with statsmodels as weekly data): monthly means of the
    weekly readings, gaps filled by interpolation, the last ``last_months`` months."""
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()
    return {"co2": [float(v) for v in monthly.iloc[-last_months:]]}


def render(report: Report) -> str:
    lines = [f"Backtest: {report.series} — {report.n_series} series, {report.origins} rolling origins, "
             f"horizon 4 quarters (MASE, lower is better)",
             "| quarter ahead | method MASE | naive MASE | seasonal-naive MASE | 80% coverage | 95% coverage |",
             "|---|---|---|---|---|---|"]
    for r in report.rows:
        lines.append(f"| {r.quarter} | {r.mase['method']:.3f} | {r.mase['naive']:.3f} | {r.mase['seasonal_naive']:.3f} "
                     f"| {r.coverage80:.0%} | {r.coverage95:.0%} |")
    o = report.overall
    lines.append(f"| all | {o['method']:.3f} | {o['naive']:.3f} | {o['seasonal_naive']:.3f} | {o['coverage80']:.0%} "
                 f"| {o['coverage95']:.0%} |")
    lines.append("Methods chosen: " + ", ".join(f"{k} ×{v}" for k, v in sorted(report.chosen.items())))
    return "\n".join(lines)

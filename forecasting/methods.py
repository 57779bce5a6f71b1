"""Forecasting methods for one monthly series: baselines, ETS candidates, per-series choice, empirical intervals.

Pure (numpy + statsmodels, no SQL). The method (docs/forecasting.md):

* baselines — naive (last value) and seasonal naive (the value twelve months before);
* candidates — exponential smoothing (statsmodels ``ExponentialSmoothing``): simple, damped-trend (Holt) and
  damped-trend Holt-Winters with additive yearly seasonality (the last only with at least two full years);
* choice — per series, the candidate with the lowest mean absolute error over a rolling-origin backtest on the
  history known at the forecast origin (no look-ahead); a history shorter than ``MIN_ETS_MONTHS`` falls back to
  the naive forecast;
* intervals — empirical: the backtest errors of the chosen candidate give a per-horizon error scale (root mean
  square, made non-decreasing in the horizon); the interval is point ± z·scale.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

SEASON = 12
MIN_ETS_MONTHS = 24  # under two years of history: naive forecast (no reliable trend or season to fit)
Z = {0.80: 1.2816, 0.95: 1.9600}


@dataclass(frozen=True)
class Forecast:
    """A forecast of ``len(point)`` months after the last observed month."""

    method: str
    point: tuple[float, ...]
    scale: tuple[float, ...]  # per-horizon error scale (empirical)

    def interval(self, level: float = 0.80) -> tuple[tuple[float, float], ...]:
        z = Z[level]
        return tuple((p - z * s, p + z * s) for p, s in zip(self.point, self.scale))


def naive(history: np.ndarray, horizon: int) -> np.ndarray:
    return np.full(horizon, float(history[-1]))


def seasonal_naive(history: np.ndarray, horizon: int) -> np.ndarray:
    if len(history) < SEASON:
        return naive(history, horizon)
    last_year = history[-SEASON:]
    return np.array([last_year[h % SEASON] for h in range(horizon)], dtype=float)


def _ets(history: np.ndarray, horizon: int, *, trend: bool, seasonal: bool) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the optimiser; the backtest judges the result
        model = ExponentialSmoothing(history.astype(float), trend="add" if trend else None, damped_trend=trend,
                                     seasonal="add" if seasonal else None,
                                     seasonal_periods=SEASON if seasonal else None, initialization_method="estimated")
        fit = model.fit()
    out = np.asarray(fit.forecast(horizon), dtype=float)
    if not np.all(np.isfinite(out)):
        return naive(history, horizon)
    return out


def ses(history: np.ndarray, horizon: int) -> np.ndarray:
    return _ets(history, horizon, trend=False, seasonal=False)


def holt_damped(history: np.ndarray, horizon: int) -> np.ndarray:
    return _ets(history, horizon, trend=True, seasonal=False)


def holt_winters_damped(history: np.ndarray, horizon: int) -> np.ndarray:
    return _ets(history, horizon, trend=True, seasonal=True)


CANDIDATES = {"ets_simple": ses, "ets_damped": holt_damped, "holt_winters_damped": holt_winters_damped}
BASELINES = {"naive": naive, "seasonal_naive": seasonal_naive}


def candidates_for(n: int, inner_origins: int = 5, step: int = 3) -> dict:
    """Holt-Winters only when even the earliest inner backtest origin leaves two full years to fit the season."""
    names = ["ets_simple", "ets_damped"] + (["holt_winters_damped"] if n - inner_origins * step >= 2 * SEASON else [])
    return {name: CANDIDATES[name] for name in names}


def origin_errors(fn, history: np.ndarray, horizon: int, origins: int, step: int = 3) -> np.ndarray:
    """Errors (actual − forecast) of ``fn`` over rolling origins inside ``history``: shape (origins', horizon), NaN
    where the horizon runs past the end."""
    n = len(history)
    rows = []
    for k in range(origins):
        cut = n - (k + 1) * step
        if cut < SEASON:
            break
        fc = fn(history[:cut], horizon)
        actual = history[cut:cut + horizon]
        err = np.full(horizon, np.nan)
        err[:len(actual)] = actual - fc[:len(actual)]
        rows.append(err)
    return np.array(rows) if rows else np.full((0, horizon), np.nan)


def _scale(errors: np.ndarray, horizon: int, history: np.ndarray) -> tuple[float, ...]:
    out, running = [], 0.0
    fallback = float(np.mean(np.abs(np.diff(history)))) if len(history) > 1 else 1.0
    for h in range(horizon):
        col = errors[:, h] if errors.size else np.array([])
        col = col[np.isfinite(col)]
        rmse = float(np.sqrt(np.mean(col ** 2))) if len(col) >= 2 else fallback * math.sqrt(h + 1)
        running = max(running, rmse)
        out.append(running)
    return tuple(out)


def forecast(history, horizon: int, *, inner_origins: int = 5) -> Forecast:
    """The chosen method's forecast for one series (see the module docstring)."""
    y = np.asarray(history, dtype=float)
    if len(y) == 0:
        raise ValueError("no history to forecast from")
    if len(y) < MIN_ETS_MONTHS:
        errs = origin_errors(naive, y, horizon, inner_origins) if len(y) > SEASON + 1 else np.zeros((0, horizon))
        return Forecast("naive", tuple(naive(y, horizon)), _scale(errs, horizon, y))
    best, best_mae, best_errs = None, math.inf, None
    for name, fn in candidates_for(len(y), inner_origins).items():
        errs = origin_errors(fn, y, horizon, inner_origins)
        mae = float(np.nanmean(np.abs(errs))) if errs.size else math.inf
        if mae < best_mae:
            best, best_mae, best_errs = name, mae, errs
    return Forecast(best, tuple(CANDIDATES[best](y, horizon)), _scale(best_errs, horizon, y))

"""Summary statistics every benchmark reports, defined once."""

from __future__ import annotations


def percentile(values: list[float], q: float, *, interpolate: bool = False) -> float:
    """The ``q`` quantile (0..1) of ``values``: the nearest rank, or linear between the two nearest ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    if not interpolate:
        return ordered[min(len(ordered) - 1, int(round(k)))]
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

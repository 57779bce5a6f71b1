"""Outcome analytics' chart: Kaplan–Meier curves per group (share still employed against years since hire) — a PNG
drawn without a display, in the bias audit chart's small palette."""

from __future__ import annotations

import io

from handlers.bias_chart import _small
from insights.attrition import AttritionResult
from insights.report import pct


def survival_chart(result: AttritionResult, label: str) -> tuple[bytes, str]:
    """(PNG bytes, alt text) of the groups' Kaplan–Meier curves."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    for group in result.groups:
        times, values = zip(*group.curve) if group.curve else ((0.0,), (1.0,))
        axes.step(times, values, where="post", label=f"{label} = {group.name} (n={group.n}, {group.leavers} left)")
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("years since hire")
    axes.set_ylabel("share still employed")
    axes.set_title(f"Retention by {label} (Kaplan–Meier)", fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    parts = [f"{label} = {g.name}: {pct(g.survival.get(2))} still employed after 2 years (n={g.n})" for g in result.groups]
    alt = (f"Line chart of the share of people still employed against years since hire, one step curve per group. "
           + "; ".join(parts) + ".")
    return _small(buffer.getvalue()), alt

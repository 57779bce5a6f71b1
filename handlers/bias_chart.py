"""The bias audit's chart: impact ratios as bars, with the four-fifths line — a PNG, drawn without a display."""

from __future__ import annotations

import io

from governance import bias

MAX_BARS = 24


def impact_ratio_chart(audits: list[bias.OutcomeAudit]) -> tuple[bytes, str]:
    """(PNG bytes, alt text) of the impact ratios by sex and by race/ethnicity of the outcomes that selected anyone."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # the Agg canvas: no display, no global backend
    from matplotlib.figure import Figure

    every = [(f"{a.outcome}: {r.category}", r.impact_ratio, r.flagged)
             for a in audits for t in a.tables if len(t.parts) == 1
             for r in t.included if r.impact_ratio is not None]
    bars = every[:MAX_BARS]
    figure = Figure(figsize=(8, max(2.5, 0.32 * len(bars) + 1.2)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    if bars:
        labels, ratios, flagged = zip(*bars)
        positions = range(len(bars))
        axes.barh(list(positions), list(ratios), color=["#c0392b" if f else "#2e86c1" for f in flagged])
        axes.set_yticks(list(positions), labels=list(labels), fontsize=8)
        axes.invert_yaxis()
    else:
        axes.text(0.5, 0.5, "No outcome selected anyone yet: no impact ratios to draw", ha="center", va="center",
                  transform=axes.transAxes)
        axes.set_yticks([])
    axes.axvline(bias.FOUR_FIFTHS, color="black", linestyle="--", linewidth=1, label="four-fifths line (0.8)")
    axes.set_xlim(0, 1.05)
    axes.set_xlabel("impact ratio (selection rate ÷ highest category's)")
    shown = f" (first {len(bars)} of {len(every)}; the tables have all)" if len(every) > len(bars) else ""
    axes.set_title("Bias audit: impact ratios by sex and race/ethnicity" + shown, fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    png = _small(buffer.getvalue())
    flagged_bars = [label for label, _ratio, f in bars if f]
    alt = (f"Bar chart of {len(bars)} impact ratios by sex and race/ethnicity, with a dashed line at 0.8. "
           + (f"Below the line: {', '.join(flagged_bars)}." if flagged_bars else "None is below the line.")
           if bars else "Chart with no bars, only the four-fifths line at 0.8: no audited outcome selected anyone yet.")
    return png, alt


def _small(png: bytes) -> bytes:
    """The same image in a 64-colour palette: a third of the bytes, so it fits in a chat message (Teams sends it
    inline, and bounds a message's size)."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64).save(out, format="PNG", optimize=True)
    return out.getvalue()

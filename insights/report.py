"""The attrition analysis in words: the short answer chat gives, and the full table the command line prints."""

from __future__ import annotations

from insights.attrition import AttritionResult


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def p_text(p: float | None) -> str:
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def ratio_text(ratio) -> str:
    return f"{ratio.hazard_ratio:.2f} (95% CI {ratio.ci_low:.2f}–{ratio.ci_high:.2f})"


def headline(result: AttritionResult, label: str | None = None, who: str | None = None) -> str:
    """One sentence: the hazard ratio of the first non-reference group, what it means and whether chance explains it.
    ``who``: for yes/no groups, what the "yes" people did ("took First-time Manager")."""
    label = label or result.by
    cox = result.cox
    if cox is None or not cox.ratios:
        why = cox.problem if cox is not None and cox.problem else "there are not two groups of 5 or more people to compare"
        return f"I can't compare leaving rates by {label}: {why}."
    first = cox.ratios[0]
    if first.ci_high < 1:
        verdict, joiner = "left at a lower rate", "than"
    elif first.ci_low > 1:
        verdict, joiner = "left at a higher rate", "than"
    else:
        verdict, joiner = "left at a rate not clearly different (the interval includes 1)", "from"
    if who and (first.group, cox.reference) == ("yes", "no"):
        subject, others = f"People who {who}", "those who did not"
    else:
        subject, others = f"People with {label} = {first.group}", f"those with {label} = {cox.reference}"
    return (f"{subject} {verdict} {joiner} {others}: hazard ratio {ratio_text(first)}, {cox.n} people, "
            f"{cox.events} leavers.")


def lines(result: AttritionResult) -> list[str]:
    """The full report."""
    out = [f"Attrition by {result.by}: {result.n} people, {result.leavers} leavers", ""]
    years = sorted({y for g in result.groups for y in g.survival})
    head = ["group", "n", "leavers", "rate"] + [f"S({y}y)" for y in years] + ["median"]
    rows = [[g.name, str(g.n), str(g.leavers), pct(g.attrition_rate)] + [pct(g.survival.get(y)) for y in years]
            + ["not reached" if g.median_years is None else f"{g.median_years:.1f}y"] for g in result.groups]
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    for row in [head] + rows:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    for name in result.suppressed:
        out.append(f"{name}: fewer than 5 people, not shown")
    out.append("")
    out.append(f"Log-rank test across {len(result.groups)} groups: p = {p_text(result.logrank_p)}")
    if result.cox is not None:
        if result.cox.problem:
            out.append(f"Cox model: {result.cox.problem}.")
        for ratio in result.cox.ratios:
            out.append(f"Cox hazard ratio, {ratio.group} vs {result.cox.reference}: {ratio_text(ratio)}, "
                       f"p = {p_text(ratio.p_value)}")
        if result.cox.ratios:
            adjusted = ", ".join(result.cox.adjusted_for) or "nothing"
            out.append(f"  adjusted for: {adjusted}; {result.cox.n} people, {result.cox.events} leavers")
    out.append("")
    out += [f"- {c}" for c in result.caveats]
    return out

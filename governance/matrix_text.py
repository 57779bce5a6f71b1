"""The permission matrix as text people read: a Markdown table (``python app.py permissions``, the README) and JSON."""

from __future__ import annotations

from governance.permissions import MATRIX, Capability, Role, Target

_ORDER = (Target.self, Target.report, Target.anyone)


def cell(capability: Capability, role: Role) -> str:
    targets = MATRIX.get(capability, {}).get(role, frozenset())
    return ", ".join(t.value for t in _ORDER if t in targets) or "—"


def table() -> str:
    """Capability rows × role columns; a cell lists on whom the role may use it (self, report, anyone) or "—"."""
    roles = list(Role)
    lines = ["| capability | " + " | ".join(r.value for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for capability in Capability:
        lines.append(f"| {capability.value} | " + " | ".join(cell(capability, r) for r in roles) + " |")
    return "\n".join(lines)


def as_data() -> dict[str, dict[str, list[str]]]:
    """capability -> role -> targets (every role present, an empty list meaning "may not")."""
    return {c.value: {r.value: [t.value for t in _ORDER if t in MATRIX.get(c, {}).get(r, frozenset())] for r in Role}
            for c in Capability}

"""What one agent pass did, as lines for people and as data for ``--json``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from approvals.actions import ActionType


@dataclass
class AgentReport:
    created: Counter = field(default_factory=Counter)  # per action type
    auto_executed: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)  # already open / decided recently
    disabled: Counter = field(default_factory=Counter)  # policy off
    cooling: Counter = field(default_factory=Counter)  # same kind for the same person within the cooldown
    skipped: str | None = None  # why this pass did nothing (another process holds the pass lease)
    deadlines: dict[str, int] = field(default_factory=dict)
    recovered: dict[str, int] = field(default_factory=dict)
    people: int = 0
    seconds: float = 0.0
    proposal_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"Agent pass skipped: {self.skipped}."]
        out = [f"Agent pass over {self.people:,} people in {self.seconds:.1f}s."]
        for kind in ActionType:
            if kind in (ActionType.erase_person, ActionType.course_cohort):  # people ask for these; the agent never proposes one
                continue
            k = kind.value
            out.append(f"• {k}: {self.created[k]} proposed" + (f" ({self.auto_executed[k]} done automatically)" if self.auto_executed[k] else "")
                       + (f", {self.duplicates[k]} already open or decided" if self.duplicates[k] else "")
                       + (f", {self.cooling[k]} held back (cooldown)" if self.cooling[k] else "")
                       + (f", {self.disabled[k]} skipped (policy off)" if self.disabled[k] else ""))
        if any(self.deadlines.values()):
            out.append(f"• deadlines: {self.deadlines.get('escalated', 0)} escalated, {self.deadlines.get('expired', 0)} expired")
        return out

    def as_data(self) -> dict[str, Any]:
        return {"created": dict(self.created), "auto_executed": dict(self.auto_executed), "duplicates": dict(self.duplicates),
                "cooldown": dict(self.cooling), "skipped": self.skipped, "disabled": dict(self.disabled), "deadlines": self.deadlines, "people": self.people, "seconds": round(self.seconds, 3)}

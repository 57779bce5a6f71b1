"""Cooldowns: what a pass must not propose again.

Two checks, per action type, over the same window (``agent_cooldown_days``, or the type's own in
``agent_cooldown_days_by_kind``):

* the same thing (its ``dedupe_key``: rule, person, object) while it is open, or within the window after it
  was proposed or decided — a *duplicate*;
* the same kind of proposal for the same person within the window after the last one, whatever it was about
  (a second course, another opportunity) — a *cooldown*: people and managers aren't flooded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from approvals.proposing import NewProposal
from approvals.utc import aware
from storage import UnitOfWork
from storage.models import ProposalStatus

DUPLICATE, COOLDOWN = "duplicate", "cooldown"


@dataclass
class Cooldowns:
    now: dt.datetime
    default_days: int
    by_kind: Mapping[str, int]
    keys: set[str] = field(default_factory=set)
    recent: set[tuple[str, int]] = field(default_factory=set)  # (action type, subject)

    def days(self, kind: str) -> int:
        return self.by_kind.get(kind, self.default_days)

    @classmethod
    def load(cls, uow: UnitOfWork, now: dt.datetime, default_days: int, by_kind: Mapping[str, int]) -> "Cooldowns":
        c = cls(now, default_days, dict(by_kind))
        longest = max([default_days, *c.by_kind.values()])
        for key, kind, subject, status, created, decided in uow.proposals.cooldown_rows(now - dt.timedelta(days=longest)):
            since = now - dt.timedelta(days=c.days(kind))
            still_open = status == ProposalStatus.proposed
            recently_made = aware(created) >= since
            if key and (still_open or recently_made or (decided is not None and aware(decided) >= since)):
                c.keys.add(key)
            if still_open or recently_made:
                c.recent.add((kind, subject))
        return c

    def verdict(self, candidate: NewProposal) -> str | None:
        """DUPLICATE, COOLDOWN, or None (it may be proposed; ``take`` it then)."""
        if candidate.dedupe_key in self.keys:
            return DUPLICATE
        if (candidate.action_type.value, candidate.subject_id) in self.recent:
            return COOLDOWN
        return None

    def take(self, candidate: NewProposal) -> None:
        self.keys.add(candidate.dedupe_key)
        self.recent.add((candidate.action_type.value, candidate.subject_id))

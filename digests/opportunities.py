"""Where the employees' digest finds open opportunities that fit a person's gap: one small function, so that a
better matcher (the talent marketplace's, when it lands) replaces it in one place."""

from __future__ import annotations

from collections.abc import Iterable

from storage import UnitOfWork
from storage.skills import OpportunityOffer


def fitting_opportunities(uow: UnitOfWork, gap_skill_ids: Iterable[int]) -> list[OpportunityOffer]:
    """Open opportunities exercising any of these skills (each with the skills it shares with the gaps asked about)."""
    return uow.skills.open_opportunities_for(sorted(set(gap_skill_ids)))

"""Where the employees' digest finds open opportunities that fit a person: the talent marketplace's own ranking
(``marketplace.matching``), batched for everyone in the digest run, so "gigs that fit me" and the digest agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from marketplace.matching import Match, matches_for_people
from storage import UnitOfWork


def fitting_opportunities(uow: UnitOfWork, person_ids: Iterable[int], *, today: dt.date, cap: int,
                          shown_before: dict[int, set[int]]) -> dict[int, list[Match]]:
    """Person -> at most ``cap`` open opportunities that fit them, best first: never their own, one they applied to,
    a full, filled or closed one, or one an earlier digest listed (``shown_before``)."""
    if cap <= 0:
        return {}
    return matches_for_people(uow, person_ids, today=today, limit=cap, skip_applied=True, exclude=shown_before)

"""What building and sending digests needs, handed in by the composition root (``handlers.digests.deps_for``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from conversation import Notifier
from skills_engine.graph import RoleGraph
from skills_engine.indexes import TaxonomyIndexes
from storage import Database, UnitOfWork


class DigestSettings(Protocol):
    digest_time_zone: str
    digest_quiet_hours: str
    digest_manager_schedule: str
    digest_employee_schedule: str
    digest_learning_schedule: str
    digest_catch_up_hours: int
    digest_lease_seconds: int
    checkin_after_days: int
    digest_max_opportunities: int


# A knowledge-base page that would answer questions with these keywords: its title, or None ("no page yet").
ClosestPage = Callable[[UnitOfWork, Sequence[str]], "str | None"]


@dataclass
class DigestDeps:
    db: Database
    now: Callable[[], dt.datetime]
    notifier: Notifier
    settings: DigestSettings
    indexes: TaxonomyIndexes = field(default_factory=TaxonomyIndexes)
    closest_page: ClosestPage | None = None  # None: the document registry's titles and topics (digests.topics)

    def graph(self, uow: UnitOfWork) -> RoleGraph:
        return self.indexes.graph(uow.skills.taxonomy)

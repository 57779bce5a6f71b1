"""Repository: demographics (sex, race/ethnicity) — HR-only, and never an input to a recommendation.

Nothing else in storage joins this table, and it is not a repository of the unit of work: a use case must ask for
it by name (``demographics(uow)``), and only the bias audit, a person's own export and erasure may (a test and an
import contract hold everyone else to that). Reading takes the permission the caller was given for it — an
allowed ``run_bias_audit`` or ``view_demographics`` — and refuses anything else (fails closed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from storage.models import DEMOGRAPHIC_FIELDS, Demographic, Person
from storage.repository import Repository
from storage.uow import UnitOfWork

READ_CAPABILITIES = frozenset({"run_bias_audit", "view_demographics"})


class DemographicsRefused(PermissionError):
    """The caller did not hold a permission that lets them read demographics."""


def demographics(uow: UnitOfWork) -> "Demographics":
    """The demographics repository, working in this unit of work's transaction."""
    return Demographics(uow._session)  # noqa: SLF001 - storage's own session, kept out of the unit of work's list


def _may_read(permission: Any) -> bool:
    try:
        capability = getattr(permission.capability, "value", permission.capability)
        return permission.allowed is True and capability in READ_CAPABILITIES
    except Exception:  # noqa: BLE001 - fails closed
        return False


class Demographics(Repository):
    def for_hr(self, permission: Any) -> dict[int, dict[str, str | None]]:
        """Every active person's categories, by person id (people without a row are absent: all unknown).
        ``permission``: what ``governance.permissions.check`` answered for the HR reader."""
        if not _may_read(permission):
            raise DemographicsRefused("demographics are for HR's bias audit only")
        rows = self._session.execute(
            select(Demographic.person_id, *(getattr(Demographic, f) for f in DEMOGRAPHIC_FIELDS))
            .join(Person, Person.id == Demographic.person_id).where(Person.active.is_(True)))
        return {pid: dict(zip(DEMOGRAPHIC_FIELDS, values)) for pid, *values in rows}

    def record(self, person_id: int, **values: str | None) -> None:
        """Set one person's categories (a field not named keeps its value)."""
        unknown = set(values) - set(DEMOGRAPHIC_FIELDS)
        if unknown:
            raise ValueError(f"not a demographic field: {', '.join(sorted(unknown))}")
        row = self._session.scalar(select(Demographic).where(Demographic.person_id == person_id))
        if row is None:
            row = Demographic(person_id=person_id)
            self._session.add(row)
        for name, value in values.items():
            setattr(row, name, value)

    def reassign(self, mapping: dict[int, int]) -> None:
        """Move each person's row to another person (``{from: to}``, a permutation) — the shuffle test's tool."""
        rows = {r.person_id: r for r in self._session.scalars(select(Demographic).where(Demographic.person_id.in_(list(mapping))))}
        values = {pid: tuple(getattr(r, f) for f in DEMOGRAPHIC_FIELDS) for pid, r in rows.items()}
        self._session.execute(delete(Demographic).where(Demographic.person_id.in_(list(mapping))))
        self._session.flush()
        for source, target in mapping.items():
            if source in values:
                self._session.add(Demographic(person_id=target, **dict(zip(DEMOGRAPHIC_FIELDS, values[source]))))

    def erase(self, person_id: int) -> int:
        """Delete one person's row (erasure); how many rows went."""
        return self._session.execute(delete(Demographic).where(Demographic.person_id == person_id)).rowcount or 0

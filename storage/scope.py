"""Whose records a read may return: the one definition of a read's scope.

Governance decides it (``governance.permissions.scope_for``) and re-exports it; repositories accept it and
filter in SQL, so a query made for a manager cannot return a non-report even if a caller forgot to check.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Everyone (``person_ids is None``) or exactly these people's records."""

    person_ids: frozenset[int] | None

    @property
    def everyone(self) -> bool:
        return self.person_ids is None

    def covers(self, person_id: int | None) -> bool:
        return self.person_ids is None or (person_id is not None and person_id in self.person_ids)

    def only(self, person_ids: list[int]) -> list[int]:
        """These ids, less anyone outside the scope (order kept)."""
        return list(person_ids) if self.person_ids is None else [p for p in person_ids if p in self.person_ids]


EVERYONE = Scope(None)
NOBODY = Scope(frozenset())


def where_person(column, scope: Scope):
    """A SQL condition keeping only rows whose person ``column`` is in the scope (``None``: no condition)."""
    if scope.person_ids is None:
        return None
    return column.in_(sorted(scope.person_ids))  # an empty scope is an empty IN: no rows

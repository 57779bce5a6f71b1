"""HR data in bulk: people by the HRIS's id, effective-dated role changes, performance ratings, team KPIs.

The HRIS import (``hr_data``) reads a chunk of rows, asks here what the database holds for their keys, and writes
only what is new or changed, in bulk statements. Inserts go through ``INSERT … ON CONFLICT`` on both SQLite and
PostgreSQL, so a chunk written twice (an import killed after its commit and run again) lands once. SCIM reads and
writes single people through the same repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Occupation, PerformanceRating, Person, RoleChange, Team, TeamKpi
from storage.repository import Repository

# What the import compares and writes for a person (the rest of a person's row is Ladder's own).
PERSON_FIELDS = ("external_id", "email", "name", "manager_id", "team_id", "role_id", "job_title", "hire_date", "location",
                 "leave_date", "leave_reason", "active")
IN_BATCH = 900  # bound parameters per IN (…): under SQLite's old 999 limit


def _chunks(values: Sequence[Any], size: int = IN_BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class HrData(Repository):
    # ------------------------------------------------------------------ helpers

    def _insert(self, table):
        return (postgresql.insert if self._session.bind.dialect.name == "postgresql" else sqlite.insert)(table)

    def _upsert(self, model, rows: list[dict[str, Any]], keys: list[str], update_cols: list[str]) -> None:
        if not rows:
            return
        stmt = self._insert(model.__table__)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_cols})
        self._session.execute(stmt, rows)

    # ------------------------------------------------------------------ lookups

    def occupation_lookup(self) -> dict[str, int]:
        """Every way an HRIS may name a role, lower-cased → occupation id: URI, code, preferred label."""
        out: dict[str, int] = {}
        for oid, uri, code, label in self._session.execute(select(Occupation.id, Occupation.uri, Occupation.code, Occupation.label)):
            for key in (label, code, uri):  # later keys win: a URI or code is exact, a label may repeat
                if key:
                    out[key.strip().lower()] = oid
        return out

    def team_ids(self, names: Iterable[str], *, create: bool) -> dict[str, int]:
        """Team name → id; with ``create``, the teams not there yet are made (the HRIS is the source of teams)."""
        wanted = sorted({n for n in names if n})
        found: dict[str, int] = {}
        for part in _chunks(wanted):
            found.update({n: i for i, n in self._session.execute(select(Team.id, Team.name).where(Team.name.in_(part)))})
        missing = [n for n in wanted if n not in found]
        if create and missing:
            stmt = self._insert(Team.__table__).on_conflict_do_nothing(index_elements=["name"])
            self._session.execute(stmt, [{"name": n} for n in missing])
            for part in _chunks(missing):
                found.update({n: i for i, n in self._session.execute(select(Team.id, Team.name).where(Team.name.in_(part)))})
        return found

    def person_ids(self, external_ids: Iterable[str]) -> dict[str, int]:
        wanted = sorted({e for e in external_ids if e})
        out: dict[str, int] = {}
        for part in _chunks(wanted):
            out.update({e: i for i, e in self._session.execute(
                select(Person.id, Person.external_id).where(Person.external_id.in_(part)))})
        return out

    def people_rows(self, external_ids: Iterable[str], emails: Iterable[str]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """What the database holds for these people: (by external id, by lower-cased email) → {"id", *PERSON_FIELDS}."""
        cols = [Person.id] + [getattr(Person, f) for f in PERSON_FIELDS]
        by_ext: dict[str, dict[str, Any]] = {}
        by_email: dict[str, dict[str, Any]] = {}
        for part in _chunks(sorted({e for e in external_ids if e})):
            for row in self._session.execute(select(*cols).where(Person.external_id.in_(part))).mappings():
                by_ext[row["external_id"]] = dict(row)
        for part in _chunks(sorted({e.lower() for e in emails if e})):
            for row in self._session.execute(select(*cols).where(func.lower(Person.email).in_(part))).mappings():
                by_email[row["email"].lower()] = dict(row)
        return by_ext, by_email

    # ------------------------------------------------------------------ people

    def insert_people(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """New people (each with an external id); one already there by that id (a rerun) is left as it is. Returns
        external id → person id for all of them."""
        if not rows:
            return {}
        stmt = self._insert(Person.__table__).on_conflict_do_nothing(index_elements=["external_id"])
        self._session.execute(stmt, rows)
        return self.person_ids([r["external_id"] for r in rows])

    def update_people(self, changes: list[dict[str, Any]]) -> None:
        """``changes``: {"id": …, field: value, …}; rows with the same set of fields go in one executemany."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for change in changes:
            fields = tuple(sorted(k for k in change if k != "id"))
            if fields:
                groups.setdefault(fields, []).append({"pid": change["id"], **{f"v_{k}": change[k] for k in fields}})
        for fields, params in groups.items():
            stmt = (update(Person.__table__).where(Person.__table__.c.id == bindparam("pid"))
                    .values({k: bindparam(f"v_{k}") for k in fields}))
            self._session.execute(stmt, params)

    def managers(self, person_ids: Iterable[int]) -> dict[int, int | None]:
        out: dict[int, int | None] = {}
        for part in _chunks(sorted(set(person_ids))):
            out.update(dict(self._session.execute(select(Person.id, Person.manager_id).where(Person.id.in_(part))).all()))
        return out

    def leavers_due(self, today: dt.date) -> list[int]:
        """Active people whose leave date has come: they turn inactive."""
        ids = list(self._session.scalars(select(Person.id).where(Person.active.is_(True), Person.leave_date.is_not(None),
                                                                 Person.leave_date <= today)))
        for part in _chunks(ids):
            self._session.execute(update(Person).where(Person.id.in_(part)).values(active=False))
        return ids

    # ------------------------------------------------------------------ role changes

    def role_change_rows(self, keys: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], dict[str, Any]]:
        keys = sorted(set(keys))
        out: dict[tuple[int, dt.date], dict[str, Any]] = {}
        cols = [RoleChange.person_id, RoleChange.effective_date, RoleChange.role_id, RoleChange.team_id,
                RoleChange.manager_id, RoleChange.job_title, RoleChange.applied_at]
        for part in _chunks(sorted({p for p, _ in keys})):
            for row in self._session.execute(select(*cols).where(RoleChange.person_id.in_(part))).mappings():
                key = (row["person_id"], row["effective_date"])
                out[key] = dict(row)
        return {k: v for k, v in out.items() if k in set(keys)}

    def upsert_role_changes(self, rows: list[dict[str, Any]], *, applied_at: dt.datetime | None = None) -> None:
        """New or changed role changes; a changed one is applied again when due (``applied_at`` cleared), unless the
        caller applied it already (``applied_at``)."""
        rows = [{**r, "applied_at": applied_at} for r in rows]
        self._upsert(RoleChange, rows, ["person_id", "effective_date"], ["role_id", "team_id", "manager_id", "job_title",
                                                                         "source", "applied_at"])

    def due_role_changes(self, today: dt.date) -> list[RoleChange]:
        """Role changes whose effective date has come and that were not applied yet, oldest first per person."""
        return list(self._session.scalars(select(RoleChange).where(RoleChange.applied_at.is_(None),
                                                                   RoleChange.effective_date <= today)
                                          .order_by(RoleChange.person_id, RoleChange.effective_date)))

    def pending_role_changes(self) -> int:
        return self._session.scalar(select(func.count()).select_from(RoleChange).where(RoleChange.applied_at.is_(None))) or 0

    # ------------------------------------------------------------------ ratings and KPIs

    def rating_rows(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], tuple[dt.date, float, float]]:
        keys = set(keys)
        out = {}
        for part in _chunks(sorted({p for p, _ in keys})):
            for pid, period, end, rating, scale in self._session.execute(
                    select(PerformanceRating.person_id, PerformanceRating.period, PerformanceRating.period_end,
                           PerformanceRating.rating, PerformanceRating.scale_max).where(PerformanceRating.person_id.in_(part))):
                if (pid, period) in keys:
                    out[(pid, period)] = (end, rating, scale)
        return out

    def upsert_ratings(self, rows: list[dict[str, Any]]) -> None:
        self._upsert(PerformanceRating, rows, ["person_id", "period"], ["period_end", "rating", "scale_max", "source", "recorded_at"])

    def kpi_rows(self, keys: Iterable[tuple[int, str, dt.date]]) -> dict[tuple[int, str, dt.date], tuple[float, str | None]]:
        keys = set(keys)
        out = {}
        for part in _chunks(sorted({t for t, _, _ in keys})):
            for tid, name, month, value, unit in self._session.execute(
                    select(TeamKpi.team_id, TeamKpi.name, TeamKpi.month, TeamKpi.value, TeamKpi.unit).where(TeamKpi.team_id.in_(part))):
                if (tid, name, month) in keys:
                    out[(tid, name, month)] = (value, unit)
        return out

    def upsert_kpis(self, rows: list[dict[str, Any]]) -> None:
        self._upsert(TeamKpi, rows, ["team_id", "name", "month"], ["value", "unit", "source", "recorded_at"])

    def counts(self) -> dict[str, int]:
        """Rows per HR table (for reports and tests)."""
        def count(model, *where) -> int:
            return self._session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return {"people_with_external_id": count(Person, Person.external_id.is_not(None)),
                "role_changes": count(RoleChange), "performance_ratings": count(PerformanceRating), "team_kpis": count(TeamKpi)}

    # ------------------------------------------------------------------ SCIM

    def scim_page(self, *, user_name: str | None, start: int, count: int) -> tuple[int, list[Person]]:
        """People for SCIM's ListResponse: (total, the page); ``user_name`` filters on the email (case-insensitive)."""
        where = [func.lower(Person.email) == user_name.lower()] if user_name is not None else []
        total = self._session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
        page = list(self._session.scalars(select(Person).where(*where).order_by(Person.id).offset(max(start - 1, 0)).limit(count)))
        return total, page

    def email_taken(self, email: str, *, other_than: int | None = None) -> bool:
        where = [func.lower(Person.email) == email.lower()]
        if other_than is not None:
            where.append(Person.id != other_than)
        return self._session.scalar(select(func.count()).select_from(Person).where(*where)) > 0

    def external_id_taken(self, external_id: str, *, other_than: int | None = None) -> bool:
        where = [Person.external_id == external_id]
        if other_than is not None:
            where.append(Person.id != other_than)
        return self._session.scalar(select(func.count()).select_from(Person).where(*where)) > 0

    def person_by_ref(self, ref: str) -> Person | None:
        """A SCIM id: Ladder's person id."""
        if not ref.isdigit():
            return None
        return self._session.get(Person, int(ref))



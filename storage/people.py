"""Repository: the directory: people, reporting lines, chat identities.

Chat identities are written by ``storage.chat`` (the channels' repository); this one only reads them to
find who is talking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from storage.models import AccessRole, ChatIdentity, Person
from storage.preferences import surfaced_people_filter
from storage.repository import Repository
from storage.scope import Scope, where_person

MAX_CHAIN = 64  # a reporting line longer than this is a data error (or a cycle): stop walking

# Every message asks who is talking: built once, these skip SQLAlchemy's statement building on each ask.
_BY_EMAIL = select(Person).where(Person.email == bindparam("email"), Person.active.is_(True))
_BY_EMAIL_ANY_CASE = select(Person).where(func.lower(Person.email) == bindparam("email"), Person.active.is_(True))


def _below_statement():
    """Built once: every permission check that reads a reporting line runs it, and building the recursive query
    cost more than running it (bench/digest_bench.py)."""
    chain = select(Person.id).where(Person.manager_id == bindparam("manager_id")).cte("chain", recursive=True)
    below = aliased(Person)
    chain = chain.union(select(below.id).join(chain, below.manager_id == chain.c.id))
    return select(Person.id).where(Person.id.in_(select(chain.c.id)), Person.active.is_(True),
                                   Person.id != bindparam("manager_id"))


_BELOW = _below_statement()


class People(Repository):
    def get(self, person_id: int | None) -> Person | None:
        return self._session.get(Person, person_id) if person_id else None

    def many(self, person_ids: list[int]) -> dict[int, Person]:
        """The people with these ids, by id (ids that name nobody are left out)."""
        if not person_ids:
            return {}
        return {p.id: p for p in self._session.scalars(select(Person).where(Person.id.in_(person_ids)))}

    def listed(self, person_ids: Iterable[int]) -> list[Person]:
        """The people with these ids, in no particular order (loading them keeps later look-ups in memory)."""
        return list(self._session.scalars(select(Person).where(Person.id.in_(list(person_ids)))))

    def names_and_emails(self, person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        rows = self._session.execute(select(Person.id, Person.name, Person.email).where(Person.id.in_(list(person_ids))))
        return {pid: (name, email) for pid, name, email in rows}

    def directory(self) -> list[tuple[int, str, str]]:
        """(id, name, email) of every active person: what a typed name is matched against."""
        rows = self._session.execute(select(Person.id, Person.name, Person.email).where(Person.active.is_(True)).order_by(Person.id))
        return [(pid, name, email) for pid, name, email in rows]

    def email_of(self, person_id: int) -> str | None:
        return self._session.scalar(select(Person.email).where(Person.id == person_id))

    def hr_admins(self) -> list[Person]:
        """Active people in HR (the ``hr`` or the combined ``hr_admin`` access role), oldest record first."""
        return self.with_access_roles((AccessRole.hr, AccessRole.hr_admin))

    def with_access_roles(self, roles: Iterable[AccessRole]) -> list[Person]:
        """Active people holding one of these access roles, oldest record first."""
        return list(self._session.scalars(select(Person).where(
            Person.access_role.in_(list(roles)), Person.active.is_(True)).order_by(Person.id)))

    def set_access_role(self, person_id: int, role: AccessRole) -> AccessRole | None:
        """Give a person an access role; returns the one they had (``None``: no such person)."""
        person = self._session.get(Person, person_id)
        if person is None:
            return None
        before = person.access_role
        person.access_role = role
        self._session.flush()
        return before

    def in_scope(self, person_ids: Iterable[int], scope: Scope) -> dict[int, Person]:
        """The people with these ids whom ``scope`` covers, by id: the filter is in the query, not after it."""
        ids = list(person_ids)
        if not ids:
            return {}
        query = select(Person).where(Person.id.in_(ids))
        condition = where_person(Person.id, scope)
        if condition is not None:
            query = query.where(condition)
        return {p.id: p for p in self._session.scalars(query)}

    def team(self, manager_id: int, scope: Scope, *, surfaced_only: bool = False) -> list[int]:
        """Everyone below ``manager_id`` whom ``scope`` covers (filtered in SQL), by id; with ``surfaced_only``,
        without those who opted out of being shown to others (readiness lists)."""
        query = self._below(manager_id)
        condition = where_person(Person.id, scope)
        if condition is not None:
            query = query.where(condition)
        if surfaced_only:
            query = query.where(surfaced_people_filter(Person.id))
        return sorted(r[0] for r in self._session.execute(query))

    @staticmethod
    def _below(manager_id: int):
        """Active people below ``manager_id`` in the reporting line (direct and indirect): a recursive query."""
        return _BELOW.params(manager_id=manager_id)

    def away_delegators(self, delegate_id: int, today: dt.date) -> list[int]:
        """People away until today or later who handed their decisions to ``delegate_id``."""
        return list(self._session.scalars(select(Person.id).where(Person.delegate_id == delegate_id,
                                                                  Person.away_until >= today)))

    def by_email(self, email: str) -> Person | None:
        """The active person with this email, compared without regard to case."""
        # The exact match uses the unique index; the case-insensitive one scans, so it only runs as a fallback.
        exact = self._session.scalar(_BY_EMAIL, {"email": email.strip()})
        if exact is not None:
            return exact
        return self._session.scalar(_BY_EMAIL_ANY_CASE, {"email": email.strip().lower()})

    def by_identity(self, channel: str, external_id: str) -> Person | None:
        """The active person behind a chat account (Slack user id, Teams AAD object id)."""
        return self._session.scalar(
            select(Person).join(ChatIdentity, ChatIdentity.person_id == Person.id)
            .where(ChatIdentity.channel == channel, ChatIdentity.external_id == external_id, Person.active.is_(True))
        )

    def report_ids(self, manager_id: int, *, surfaced_only: bool = False) -> list[int]:
        """Everyone below ``manager_id`` in the reporting line (direct and indirect), active only; with
        ``surfaced_only``, without those who opted out of being shown to others (readiness lists)."""
        query = self._below(manager_id)
        if surfaced_only:
            query = query.where(surfaced_people_filter(Person.id))
        return sorted(r[0] for r in self._session.execute(query))

    def is_in_reporting_line(self, manager_id: int, person_id: int) -> bool:
        """Walks up from the person (bounded, cycle-safe): is ``manager_id`` above them?"""
        seen: set[int] = set()
        current = self._manager_of(person_id)
        while current is not None and current not in seen and len(seen) < MAX_CHAIN:
            if current == manager_id:
                return True
            seen.add(current)
            current = self._manager_of(current)
        return False

    def _manager_of(self, person_id: int) -> int | None:
        return self._session.scalar(select(Person.manager_id).where(Person.id == person_id))

"""Repository: named leases — one holder at a time across processes, on SQLite and PostgreSQL alike.

A lease is a row (name, holder, expiry). Taking it is one conditional UPDATE (the row is free, expired, or
already ours) or, when there is no row yet, one INSERT that a concurrent taker loses on the primary key.
Both databases serialise the two writers on the row (PostgreSQL re-checks the WHERE after the winner
commits; SQLite has one writer at a time), so exactly one of two processes that try together wins.
A holder that crashed stops renewing and its lease expires by itself.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import AgentLease
from storage.repository import Repository


class Leases(Repository):
    def take(self, name: str, holder: str, *, now: dt.datetime, until: dt.datetime) -> bool:
        """Take (or renew) ``name`` for ``holder`` until ``until``; False if someone else holds it unexpired."""
        taken = self._session.execute(
            update(AgentLease)
            .where(AgentLease.name == name, or_(AgentLease.expires_at <= now, AgentLease.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=until)
            .execution_options(synchronize_session=False))
        if taken.rowcount:
            return True
        if self._session.get(AgentLease, name) is not None:
            return False  # held by someone else, unexpired
        try:
            with self._session.begin_nested():
                self._session.add(AgentLease(name=name, holder=holder, acquired_at=now, expires_at=until))
        except IntegrityError:
            return False  # a concurrent taker inserted it first
        return True

    def release(self, name: str, holder: str) -> bool:
        """Give ``name`` up, if ``holder`` still holds it (an expired lease someone else took stays theirs)."""
        return bool(self._session.execute(
            delete(AgentLease).where(AgentLease.name == name, AgentLease.holder == holder)
            .execution_options(synchronize_session=False)).rowcount)

    def held(self, name: str) -> tuple[str, dt.datetime] | None:
        """(holder, expiry) of ``name`` as stored, expired or not; None when nobody has taken it."""
        row = self._session.execute(select(AgentLease.holder, AgentLease.expires_at).where(AgentLease.name == name)).first()
        return None if row is None else (row[0], row[1])

"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder, or a PostgreSQL database made for
one run and dropped after it."""

from __future__ import annotations

import uuid
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_url(backend: str, tmp: Path, prefix: str) -> tuple[str, str | None]:
    """A URL for an empty database, and the PostgreSQL database's name to ``drop`` afterwards (None for SQLite)."""
    tag = uuid.uuid4().hex[:8]
    if backend == "sqlite":
        return f"sqlite:///{(tmp / f'{prefix}-{tag}.db').as_posix()}", None
    import psycopg

    name = f"ladder_{prefix.replace('-', '_')}_{tag}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}", name


def drop(name: str | None) -> None:
    if name is None:
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

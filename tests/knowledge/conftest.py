"""Fixtures for the knowledge base: real files of every type, real Chroma, real databases.

Every test that touches the database takes ``kb_db``, which runs it on SQLite and on PostgreSQL
(127.0.0.1:5432, user postgres; a database ``ladder_kb_test_<random>`` is created and dropped).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb_helpers import write_handbook
from settings import load_settings
from storage import Database

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def kb_db(request, tmp_path, test_cipher) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{(tmp_path / 't.db').as_posix()}", cipher=test_cipher)
        db.migrate()
        yield db
        db.dispose()
        return
    import psycopg

    name = f"ladder_kb_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:  # pragma: no cover - depends on the machine
        # Every database test runs on both databases: a missing PostgreSQL is a failure, not a skip.
        pytest.fail(f"PostgreSQL not reachable: {exc}")
    db = Database(f"postgresql://postgres@127.0.0.1:5432/{name}", cipher=test_cipher)
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path, shared_model_dir):
    return load_settings(data_dir=tmp_path / "var", hr_contact="people-ops@kestrel.example", embedding_model_dir=shared_model_dir)


@pytest.fixture
def handbook(tmp_path) -> Path:
    """A folder with one good file of each type, restricted folders, and three bad files."""
    return write_handbook(tmp_path)

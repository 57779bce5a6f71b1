"""HR data tests: imports and SCIM against the seeded demo, with the approvals tests' clock and notifier."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "approvals"))

import approvals_helpers  # noqa: E402


@pytest.fixture(autouse=True)
def _release_connections():
    yield
    while approvals_helpers.USED:
        approvals_helpers.USED.pop().db.dispose()


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "teams"))


@pytest.fixture
def empty_ladder(db_factory, tmp_path):
    """An unseeded application of its own (migrated database, no people)."""
    ladder = db_factory.ladder(tmp_path)
    yield ladder
    db_factory.release(ladder.db)

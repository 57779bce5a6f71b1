"""Approvals tests: give back every database connection a test opened as soon as it ends.

The concurrency tests open up to 20 pooled connections per database; kept until the session ends,
a few dozen PostgreSQL test databases would exhaust the server's max_connections for everyone.
"""

from __future__ import annotations

import pytest

import approvals_helpers


@pytest.fixture(autouse=True)
def _release_connections():
    yield
    while approvals_helpers.USED:
        approvals_helpers.USED.pop().db.dispose()

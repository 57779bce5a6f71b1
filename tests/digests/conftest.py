"""Digest tests: give back every database connection a test opened as soon as it ends (as the approvals tests do)."""

from __future__ import annotations

import pytest

from tests.approvals import approvals_helpers


@pytest.fixture(autouse=True)
def _release_connections():
    yield
    while approvals_helpers.USED:
        approvals_helpers.USED.pop().db.dispose()

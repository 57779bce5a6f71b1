"""Authoring tests: they chat through the real router with the approvals tests' clock and notifier."""

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

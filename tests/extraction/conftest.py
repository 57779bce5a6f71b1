"""Skill extraction tests: the chat flow goes through the real router with the approvals tests' clock and notifier."""

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


@pytest.fixture(scope="session")
def vectors_dir(tmp_path_factory) -> Path:
    """One folder of embedded labels for every ladder of these tests: the demo taxonomy is embedded once."""
    return tmp_path_factory.mktemp("skill-vectors")


@pytest.fixture
def ladder(fresh_demo, vectors_dir):
    fresh_demo.settings.skill_vectors_dir = vectors_dir
    return fresh_demo


@pytest.fixture
def reader(demo, vectors_dir):
    demo.settings.skill_vectors_dir = vectors_dir
    return demo

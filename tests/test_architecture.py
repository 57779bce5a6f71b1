"""The layers of docs/architecture.md hold, and the check that guards them would catch a break.

`lint-imports` reads the contracts in pyproject.toml. These tests run it on the real tree and on a copy
with one violation planted, so a contract that silently stopped checking anything would fail here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), str(root / "pyproject.toml"), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copy(ROOT / "settings.py", copy / "settings.py")
    return copy


def test_the_tree_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


PLANTS = {
    # where, what is planted, what lint-imports must then say
    "storage reaching up into a handler": (
        "storage/planted.py", "import handlers.router\n", "storage is not allowed to import handlers"),
    "the domain importing a channel SDK": (
        "approvals/planted.py", "import slack_sdk\n", "approvals is not allowed to import slack_sdk"),
    "SQL written outside storage": (
        "handlers/planted.py", "from sqlalchemy import select\n", "handlers is not allowed to import sqlalchemy"),
    "Slack importing Teams": (
        "bot/slack/planted.py", "import bot.teams.cards\n", "bot.slack is not allowed to import bot.teams"),
    "conversation importing the project": (
        "conversation/planted.py", "import storage\n", "conversation is not allowed to import storage"),
    "a recommendation reading demographics": (
        "skills_engine/planted.py", "import storage.demographics\n", "skills_engine is not allowed to import storage.demographics"),
    "a circle between sibling modules": (
        "conversation/planted.py", "import conversation.messages\n", "No cycles are allowed in conversation"),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_violation_breaks_the_build(tree_copy, plant):
    where, code, complaint = PLANTS[plant]
    target = tree_copy / where
    extra = None
    if plant == "a circle between sibling modules":
        # messages -> planted -> messages
        extra = tree_copy / "conversation" / "messages.py"
        original = extra.read_text()
        extra.write_text(original + "\nfrom conversation import planted  # noqa: E402,F401\n")
    target.write_text(code)
    try:
        result = lint(tree_copy)
    finally:
        target.unlink()
        if extra is not None:
            extra.write_text(original)
    assert result.returncode != 0
    assert complaint in result.stdout, result.stdout[-3000:]


def test_no_code_outside_storage_opens_a_raw_session():
    """`Database.session()` hands out SQLAlchemy itself (tests use it to set up data). Product code asks the unit of
    work's repositories instead; the import contract stops SQL being written outside storage/, and this stops a raw
    session being carried out of it."""
    import ast

    offenders = []
    files = [ROOT / "app.py", ROOT / "settings.py"] + [p for pkg in PACKAGES if pkg != "storage" for p in (ROOT / pkg).rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "session" \
                    and not node.args and not node.keywords:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []

"""Dashboard tests: a real `serve` HTTP server (in a thread) over a seeded demo on both databases, the approvals
tests' clock, and — for the end-to-end tests — Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "approvals"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "teams"))

import approvals_helpers  # noqa: E402
from teams_standins import ServerThread  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("LADDER_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))


@pytest.fixture
def screenshots() -> Path:
    """Where the end-to-end tests save what the browser showed (kept after the run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _release_connections():
    yield
    while approvals_helpers.USED:
        approvals_helpers.USED.pop().db.dispose()


class Served:
    def __init__(self, ladder, server: ServerThread) -> None:
        self.ladder, self.server = ladder, server
        self.base = server.url


@pytest.fixture
def served(fresh_demo) -> Iterator[Served]:
    """The demo company behind the real HTTP server (health, dashboard), on a port of its own."""
    from bot.server import build_app

    ladder = fresh_demo
    approvals_helpers.prepare(ladder)
    for name in ("agent_interval_seconds", "onboarding_interval_seconds", "retention_interval_seconds",
                 "audit_seal_interval_seconds", "digest_interval_seconds"):
        setattr(ladder.settings, name, 0)  # no background loops: the test drives time
    server = ServerThread(build_app(ladder, channels=()))
    ladder.settings.public_url = server.url  # the links Ladder sends point at this server
    server.start()
    try:
        yield Served(ladder, server)
    finally:
        server.stop()


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through Playwright (never a downloaded browser), for this module only: Playwright's
    sync API keeps an event loop running on the main thread while it is open, and later tests use asyncio.run. In CI it must be there
    (`scripts/ensure-chromium.sh` installs it); on a developer's machine without it, these tests say so and skip."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `bash scripts/ensure-chromium.sh` installs Debian's package")
        pytest.skip("chromium is not installed (bash scripts/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()

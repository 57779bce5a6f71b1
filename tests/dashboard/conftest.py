"""Dashboard tests: a real `serve` HTTP server (in a thread) over a seeded demo on both databases, the approvals
tests' clock, and — for the end-to-end tests — Debian's chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "approvals"))

import approvals_helpers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("LADDER_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))


@pytest.fixture(autouse=True)
def _release_connections():
    yield
    while approvals_helpers.USED:
        approvals_helpers.USED.pop().db.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, ladder, port: int) -> None:
        self.ladder, self.port = ladder, port
        self.base = f"http://127.0.0.1:{port}"


@pytest.fixture
def served(fresh_demo) -> Iterator[Served]:
    """The demo company behind the real HTTP server (health, dashboard), on a port of its own."""
    from aiohttp import web

    from bot.server import build_app

    ladder = fresh_demo
    approvals_helpers.prepare(ladder)
    for name in ("agent_interval_seconds", "onboarding_interval_seconds", "retention_interval_seconds",
                 "audit_seal_interval_seconds", "digest_interval_seconds"):
        setattr(ladder.settings, name, 0)  # no background loops: the test drives time
    port = _free_port()
    ladder.settings.public_url = f"http://127.0.0.1:{port}"
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    async def start() -> None:
        runner = web.AppRunner(build_app(ladder, channels=()), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        holder["runner"] = runner
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert ready.wait(30), "the server did not start"
    try:
        yield Served(ladder, port)
    finally:
        asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium through Playwright (never a downloaded browser). In CI it must be there
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

"""The agent's scheduler inside `serve`: it runs passes on the interval and stops with the server."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import func, select

from approvals_helpers import prepare
from bot.server import build_app
from storage.models import Proposal


def test_serve_runs_the_agent_on_its_interval(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    ladder.settings.agent_interval_seconds = 1

    async def scenario() -> int:
        runner = web.AppRunner(build_app(ladder))
        await runner.setup()  # starts the cleanup_ctx hooks, the scheduler among them
        try:
            for _ in range(100):
                await asyncio.sleep(0.1)
                with ladder.db.session() as s, s.begin():
                    if s.scalar(select(func.count()).select_from(Proposal)):
                        break
        finally:
            await runner.cleanup()  # cancels the scheduler
        with ladder.db.session() as s, s.begin():
            return s.scalar(select(func.count()).select_from(Proposal))

    assert asyncio.run(scenario()) > 0

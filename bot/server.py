"""The one HTTP server: health and readiness now; the Slack and Teams endpoints mount here."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

from handlers.context import Ladder

log = logging.getLogger(__name__)

LADDER_KEY = web.AppKey("ladder", Ladder)
# Channel adapters register a function that adds their routes (Slack: /slack/events, Teams: /api/messages).
MOUNTS: list[Callable[[web.Application, Ladder], None]] = []


def _mount_teams(app: web.Application, ladder: Ladder) -> None:
    from bot.teams import mount  # botbuilder is imported only inside bot/teams, and only when mounting

    mount(app, ladder)


MOUNTS.append(_mount_teams)  # POST /api/messages (Microsoft Teams, Bot Framework)


def _mount_slack(app: web.Application, ladder: Ladder) -> None:
    from bot.slack import mount  # slack_bolt is imported only inside bot/slack, and only when mounting

    mount(app, ladder)


MOUNTS.append(_mount_slack)  # POST /slack/events (Slack Bolt) and Socket Mode


@web.middleware
async def access_log(request: web.Request, handler):
    started = time.perf_counter()
    try:
        response = await handler(request)
        return response
    finally:
        log.info("http request", extra={"method": request.method, "path": request.path,
                                         "ms": round((time.perf_counter() - started) * 1000, 2)})


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    ladder = request.app[LADDER_KEY]
    ok = await _in_thread(ladder.db.ping)
    return web.json_response({"status": "ready" if ok else "unavailable", "database": ok}, status=200 if ok else 503)


async def _in_thread(fn, *args):
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def build_app(ladder: Ladder) -> web.Application:
    app = web.Application(middlewares=[access_log], client_max_size=5 * 1024 * 1024)
    app[LADDER_KEY] = ladder
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for mount in MOUNTS:
        mount(app, ladder)
    if ladder.settings.agent_interval_seconds > 0:  # the agent's scheduler runs inside `serve`
        from agent.scheduler import scheduler_ctx

        app.cleanup_ctx.append(scheduler_ctx(ladder))
    app.on_startup.append(_freeze_start_up_objects)  # runs after every adapter's start-up (cleanup_ctx runs first)
    return app


async def _freeze_start_up_objects(_app: web.Application) -> None:
    """What start-up built (modules, SDK clients, caches) lives as long as the server: move it out of the
    garbage collector's sight. A full collection then scans only what requests created, instead of pausing
    the event loop ~100 ms mid-request (measured in bench/slack_ack_bench.py)."""
    import gc

    gc.collect()
    gc.freeze()


def run(ladder: Ladder, host: str, port: int) -> None:
    log.info("serving", extra={"host": host, "port": port, "database": ladder.db.dialect})
    web.run_app(build_app(ladder), host=host, port=port, print=None, access_log=None)

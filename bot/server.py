"""The one HTTP server: health and readiness, the web dashboard, and the channels the composition root passes in
(Slack, Teams)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from aiohttp import web

from bot.blocking import in_thread
from bot import slack, teams  # light: each imports its SDK only when it mounts
from handlers.context import Ladder

log = logging.getLogger(__name__)

LADDER_KEY = web.AppKey("ladder", Ladder)
# A channel adds its routes (and start-up work) to the server: Slack /slack/events, Teams /api/messages.
MountChannel = Callable[[web.Application, Ladder], None]


# What ``build_app`` mounts when its caller names no channels (each stays off unless its settings are there).
ALL_CHANNELS: tuple[MountChannel, ...] = (teams.mount, slack.mount)


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


async def readyz(_request: web.Request) -> web.Response:
    """Ready when the database answers (a load balancer sends traffic to this process from then on)."""
    ladder = _request.app[LADDER_KEY]
    ok = await in_thread(ladder.db.ping)
    return web.json_response({"status": "ready" if ok else "unavailable", "database": ok}, status=200 if ok else 503)


def build_app(ladder: Ladder, channels: Sequence[MountChannel] = ALL_CHANNELS) -> web.Application:
    """The server: health checks, the given channels, and (without a broker) the scheduled jobs that have an
    interval."""
    app = web.Application(middlewares=[access_log], client_max_size=5 * 1024 * 1024)
    app[LADDER_KEY] = ladder
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    from bot.web import dashboard  # the web dashboard for HR and leaders: sign-in by a link sent in chat

    dashboard.mount(app, ladder)
    from bot.tasks import app as tasks_app  # TASK_BROKER_URL: the channels' tasks go to worker processes

    tasks_app.mount(app, ladder.settings)
    for mount in channels:
        mount(app, ladder)
    from bot.web import xapi as xapi_web  # the Learning Record Store: /xapi/statements, LMS clients' Basic auth

    xapi_web.mount(app, ladder)
    from bot.web import scim

    scim.mount(app, ladder)  # SCIM 2.0 /scim/v2/Users, off without SCIM_TOKEN
    if ladder.settings.task_broker_url:  # scaled out: `python app.py scheduler` queues the scheduled jobs, once
        app.on_startup.append(_freeze_start_up_objects)
        return app
    # No broker: `serve` runs the scheduled jobs itself (agent pass, onboarding, retention, audit sealing, digests),
    # each on its interval setting, with the same job functions a worker runs for the scheduler.
    from bot.tasks.embedded import jobs_ctx

    app.cleanup_ctx.append(jobs_ctx(ladder))
    app.on_startup.append(_freeze_start_up_objects)  # runs after every adapter's start-up (cleanup_ctx runs first)
    return app


async def _freeze_start_up_objects(_app: web.Application) -> None:
    """What start-up built (modules, SDK clients, caches) lives as long as the server: move it out of the
    garbage collector's sight. A full collection then scans only what requests created, instead of pausing
    the event loop ~100 ms mid-request (measured in bench/slack_ack_bench.py)."""
    import gc

    gc.collect()
    gc.freeze()


def run(ladder: Ladder, host: str, port: int, channels: Sequence[MountChannel] = ALL_CHANNELS) -> None:
    log.info("serving", extra={"host": host, "port": port, "database": ladder.db.dialect})
    web.run_app(build_app(ladder, channels), host=host, port=port, print=None, access_log=None)

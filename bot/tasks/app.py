"""The task queue on the HTTP server: without TASK_BROKER_URL each channel runs its tasks in this process; with
it, one ``BrokerQueue`` is shared by the channels (``app[TASK_QUEUE_KEY]``) and closed with the server."""

from __future__ import annotations

import logging

from aiohttp import web

from settings import Settings

log = logging.getLogger(__name__)

TASK_QUEUE_KEY: web.AppKey = web.AppKey("task_queue", object)


def broker_queue(settings: Settings):
    """A ``BrokerQueue`` to TASK_BROKER_URL (to send tasks; this process runs none)."""
    from bot.tasks.broker import BrokerQueue, declare_actor, make_broker

    broker = make_broker(settings.task_broker_url)
    return BrokerQueue(broker, declare_actor(broker, settings))


def mount(app: web.Application, settings: Settings) -> None:
    if not settings.task_broker_url:
        log.info("tasks run in this process (TASK_BROKER_URL is not set)")
        return
    queue = app[TASK_QUEUE_KEY] = broker_queue(settings)
    log.info("tasks go to the broker", extra={"broker": settings.task_broker_url.split("://")[0], "queue": settings.task_queue})

    async def lifecycle(_app: web.Application):
        yield
        await queue.close()

    app.cleanup_ctx.append(lifecycle)

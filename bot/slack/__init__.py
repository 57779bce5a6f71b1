"""Slack channel: Bolt on the ``serve`` HTTP server at /slack/events, Socket Mode when SLACK_APP_TOKEN is set.

``mount(app, ladder)`` adds it to the server (the composition root passes it to ``bot.server.build_app``);
``register_notifier(ladder)`` lets use cases reach people in Slack without them writing first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.slack.channel import SlackChannel
    from bot.tasks.queue import TaskQueue
    from handlers.context import Ladder
    from settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def _secret(value) -> str:
    return value.get_secret_value() if value is not None else ""


def disabled_reason(settings: "Settings") -> str | None:
    """Why Slack can't run with these settings (None when it can)."""
    if settings.slack_bot_token is None:
        return "SLACK_BOT_TOKEN is not set"
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        return "neither SLACK_SIGNING_SECRET (HTTP events) nor SLACK_APP_TOKEN (Socket Mode) is set"
    return None


def register_notifier(ladder: "Ladder") -> bool:
    """Add the Slack notifier to ``ladder.notifiers`` once, when Slack is configured."""
    from bot.slack.notifier import SlackNotifier

    settings = ladder.settings
    if settings.slack_bot_token is None:
        return False
    if not any(isinstance(n, SlackNotifier) for n in ladder.notifiers):
        ladder.notifiers.put(SlackNotifier(_secret(settings.slack_bot_token), settings.slack_api_url))
    return True


def build_channel(ladder: "Ladder", queue: "TaskQueue | None" = None, threads: int = 2) -> "SlackChannel":
    """The Slack channel for ``ladder``: its work after the ack goes to ``queue`` (a broker's), or runs in this
    process when None; ``threads`` is how many threads run its synchronous work (the router, the database)."""
    from bot.slack.channel import SlackChannel

    s = ladder.settings
    return SlackChannel(ladder, token=_secret(s.slack_bot_token), signing_secret=_secret(s.slack_signing_secret),
                        api_url=s.slack_api_url, queue=queue, workers=threads)


# Slack wants an ack within 3 s, and Ladder promises far less. Whatever still runs in threads of the serving
# process (Slack's work without a broker, Teams turns, notifications) holds the GIL the event loop
# needs: with CPython's default 5 ms switch interval every socket call of the loop can wait 5 ms behind a busy
# thread (the "convoy effect"), which multiplied p99 ack time by ~10 under load in bench/slack_ack_bench.py.
# A shorter interval hands the loop the GIL sooner at a small throughput cost.
GIL_SWITCH_INTERVAL_SECONDS = 0.001


def _favour_the_event_loop() -> None:
    import sys

    if sys.getswitchinterval() > GIL_SWITCH_INTERVAL_SECONDS:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)


SLACK_CHANNEL_KEY: web.AppKey = web.AppKey("slack_channel", object)


def mount(app: web.Application, ladder: "Ladder") -> None:
    """Add /slack/events (and Socket Mode) to the server — or log one line saying why Slack is off."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response

    reason = disabled_reason(ladder.settings)
    if reason:
        log.info(f"Slack is disabled: {reason}.")
        return
    _favour_the_event_loop()
    from bot.tasks.app import TASK_QUEUE_KEY

    channel = build_channel(ladder, queue=app.get(TASK_QUEUE_KEY))
    register_notifier(ladder)
    app[SLACK_CHANNEL_KEY] = channel

    if ladder.settings.slack_signing_secret is not None:
        from bot.slack.ack import ACK_HOLD, AckHold
        from bot.slack.guard import checked_request, unanswerable

        signing_secret = _secret(ladder.settings.slack_signing_secret)

        async def slack_events(request: web.Request) -> web.StreamResponse:
            bolt_request = await checked_request(request, signing_secret)
            if isinstance(bolt_request, web.Response):
                return bolt_request
            hold = AckHold()
            token = ACK_HOLD.set(hold)
            try:
                bolt_response = await channel.bolt.async_dispatch(bolt_request)
                response = unanswerable(bolt_response) or await to_aiohttp_response(bolt_response)
                await response.prepare(request)  # the ack goes out first ...
                await response.write_eof()
                return response
            finally:
                ACK_HOLD.reset(token)
                hold.release()  # ... then the work it promised starts

        app.router.add_post(EVENTS_PATH, slack_events)
        log.info("Slack HTTP endpoint mounted", extra={
            "path": EVENTS_PATH, "tasks": "in process" if app.get(TASK_QUEUE_KEY) is None else "broker"})
    else:
        log.info("Slack HTTP endpoint not mounted: SLACK_SIGNING_SECRET is not set (Socket Mode only).")

    app_token = ladder.settings.slack_app_token

    async def lifecycle(_app: web.Application):
        await channel.start()
        handler, connecting = None, None
        if app_token is not None:
            import asyncio

            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(channel.bolt, _secret(app_token), web_client=channel.client)
            # In the background: the HTTP server (health checks) must come up even while Slack is unreachable;
            # the client keeps retrying on its own.
            connecting = asyncio.ensure_future(handler.connect_async())
            log.info("Slack Socket Mode starting")
        yield
        if handler is not None:
            if connecting is not None and not connecting.done():
                connecting.cancel()
            await handler.close_async()
        await channel.close()

    app.cleanup_ctx.append(lifecycle)

"""The Microsoft Teams channel (Bot Framework). Every botbuilder / botframework import stays in this package.

``mount(app, ladder)`` adds ``POST /api/messages`` to the server and registers the Teams notifier on
``ladder.notifiers``. The SDK is imported on first use, so importing ``bot.teams`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from handlers.context import Ladder

ENDPOINT_KEY = web.AppKey("teams_endpoint", Any)


def mount(app: web.Application, ladder: "Ladder") -> None:
    from bot.tasks.app import TASK_QUEUE_KEY
    from bot.teams.endpoint import TeamsEndpoint

    endpoint = TeamsEndpoint(ladder, queue=app.get(TASK_QUEUE_KEY))
    endpoint.mount(app)
    # One Teams notifier per Ladder, even if several apps are built for it (tests, reloads).
    ladder.notifiers.put(endpoint.notifier)
    app[ENDPOINT_KEY] = endpoint

"""Ladder's real server for Teams tests, started on 127.0.0.1 in a background thread."""

from __future__ import annotations

import dataclasses
import json

import requests
from teams_standins import ServerThread

from bot.server import build_app
from conversation import Notifiers
from handlers.context import Ladder

APP_ID = "9b8e7e32-3c4f-4d1a-9d55-5b0c6f7a1e11"
APP_PASSWORD = "k3stRel~Bot.Secret-4e1c9a"


class LadderServer:
    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder
        self.thread = ServerThread(build_app(ladder)).start()
        self.session = requests.Session()

    @property
    def url(self) -> str:
        return self.thread.url

    def post(self, activity: dict | None = None, *, token: str | None = None, data: bytes | None = None,
             content_type: str = "application/json") -> requests.Response:
        headers = {"Content-Type": content_type}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if data is None:
            data = json.dumps(activity).encode()
        return self.session.post(f"{self.url}/api/messages", data=data, headers=headers, timeout=30)

    def stop(self) -> None:
        self.session.close()
        self.thread.stop()


def with_settings(ladder: Ladder, **overrides) -> Ladder:
    """The same database and caches, other settings (and its own notifier list)."""
    settings = ladder.settings.model_copy(update=overrides)
    return dataclasses.replace(ladder, settings=settings, notifiers=Notifiers())


def echo(message) -> "Reply":
    """A stand-in for the router that does no domain work (timing the channel alone)."""
    from conversation import Reply

    if message.action is not None:
        return Reply(text=f"You pressed {message.action.encode()}.")
    return Reply(text=f"You said: {message.text}")


class EndpointServer(LadderServer):
    """Only /api/messages, with the router swapped for ``handle`` (e.g. ``echo``)."""

    def __init__(self, ladder: Ladder, handle, **endpoint_options) -> None:
        from aiohttp import web

        from bot.teams.endpoint import TeamsEndpoint

        self.ladder = ladder
        app = web.Application()
        self.endpoint = TeamsEndpoint(ladder, handle=handle, **endpoint_options)
        self.endpoint.mount(app)
        self.thread = ServerThread(app).start()
        self.session = requests.Session()

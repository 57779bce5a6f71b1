"""What the fuzz tests share: the tally of inputs, the live servers, and what counts as leaking a Python failure.

The servers are the real ones (``bot.server.build_app``: Slack's /slack/events, Teams' /api/messages, /healthz,
/readyz), each on its own thread and loop, with the same stand-ins the Slack and Teams tests use: the Slack Web
API, the Bot Connector at a local serviceUrl and the Bot Framework's token service.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
from pydantic import SecretStr

from bot import teams
from bot.server import build_app
from handlers.context import Ladder

from slack_harness import directory_of, slack_settings
from slack_standin import SIGNING_SECRET, SlackStandIn
from teams_harness import APP_ID, APP_PASSWORD
from teams_standins import ServerThread, StandInConnector, TokenIssuer


@dataclass
class Tally:
    tried: Counter = field(default_factory=Counter)
    failed_tests: list[str] = field(default_factory=list)
    started: float = 0.0

    def count(self, door: str) -> None:
        self.tried[door] += 1


TALLY = Tally()  # one per test session: what the summary at the end reports

# A Python failure shown to a person: a traceback, a frame line, an exception's class name, an object's repr.
_LEAKS = [re.compile(p) for p in (
    r"Traceback \(most recent call last\)", r'File "[^"]+", line \d+', r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b",
    r"<(?:class|function|object|module) ", r"\bNoneType\b", r"sqlalchemy\.", r"psycopg", r"\bat 0x[0-9a-f]{6,}",
)]


def leaks(text: str, sent: str = "") -> list[str]:
    """The failure patterns in ``text`` that were not in what was sent (echoing a person's words is fine)."""
    return [m.group(0) for p in _LEAKS for m in p.finditer(text or "") if m.group(0) not in sent]


class LoopThread:
    """An asyncio loop of its own on a background thread (the Slack stand-in lives on one)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


class LiveServers:
    """Ladder with Slack and (emulator-mode) Teams, Ladder with Teams credentials, and every stand-in."""

    def __init__(self, ladder: Ladder) -> None:
        self.base = ladder
        self.http = requests.Session()

    def start(self) -> "LiveServers":
        self.slack_loop = LoopThread()
        self.slack_api = SlackStandIn(directory_of(self.base))
        self.slack_loop.run(self.slack_api.start())
        self.connector = StandInConnector()
        self.connector_thread = ServerThread(self.connector.app()).start()
        self.connector.url = self.connector_thread.url + "/"
        self.issuer = TokenIssuer()
        self.issuer_thread = ServerThread(self.issuer.app()).start()
        self.issuer.base_url = self.issuer_thread.url

        settings = slack_settings(self.base, self.slack_api, microsoft_app_id=None, microsoft_app_password=None)
        self.ladder = Ladder(settings=settings, db=self.base.db, indexes=self.base.indexes, now=self.base.now)
        self.server = ServerThread(build_app(self.ladder)).start()
        secured = self.base.settings.model_copy(update={
            "microsoft_app_id": APP_ID, "microsoft_app_password": SecretStr(APP_PASSWORD),
            "teams_openid_metadata_url": self.issuer.metadata_url, "slack_bot_token": None})
        self.secured_ladder = Ladder(settings=secured, db=self.base.db, indexes=self.base.indexes, now=self.base.now)
        self.secured = ServerThread(build_app(self.secured_ladder, channels=(teams.mount,))).start()
        return self

    def stop(self) -> None:
        self.http.close()
        for thread in (self.server, self.secured, self.connector_thread, self.issuer_thread):
            thread.stop()
        self.slack_loop.run(self.slack_api.stop())
        self.slack_loop.stop()
        self.base.db.engine.dispose()

    # ------------------------------------------------------------------ requests

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
                secured: bool = False, params: dict[str, str] | None = None) -> requests.Response:
        url = (self.secured.url if secured else self.server.url) + path
        return self.http.request(method, url, data=data, headers=headers or {}, params=params, timeout=60)

    def slack(self, body: str | bytes, content_type: str, *, signed: bool = True, timestamp: int | None = None,
              secret: str = SIGNING_SECRET, headers: dict[str, str] | None = None) -> requests.Response:
        raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        h = {"Content-Type": content_type}
        if signed:
            h.update(sign_bytes(raw, secret, timestamp))
        h.update(headers or {})
        return self.request("POST", "/slack/events", data=raw, headers=h)

    def teams(self, body: bytes, content_type: str = "application/json", *, token: str | None = None,
              secured: bool = False) -> requests.Response:
        h = {"Content-Type": content_type}
        if token is not None:
            h["Authorization"] = token
        return self.request("POST", "/api/messages", data=body, headers=h, secured=secured)

    # ------------------------------------------------------------------ what the stand-ins were sent

    def slack_calls(self) -> int:
        return len(self.slack_api.calls)

    def slack_sent_since(self, start: int) -> list[dict[str, Any]]:
        return [c.args for c in self.slack_api.calls[start:]]

    def teams_sent_since(self, start: int) -> list[Any]:
        return [r.body for r in self.connector.requests[start:]]

    def wait_slack(self, predicate, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c.args for c in list(self.slack_api.calls) if predicate(c.method, c.args)]
            if found:
                return found
            time.sleep(0.02)
        return []

    def settle_slack(self, quiet: float = 0.4) -> None:
        while True:
            n = len(self.slack_api.calls)
            time.sleep(quiet)
            if len(self.slack_api.calls) == n:
                return


def sign_bytes(raw: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over the exact bytes sent (which need not be UTF-8)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def visible_text(value: Any) -> str:
    """Every string inside a posted payload (text, blocks, cards), joined: what a person could read."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(value)
    return "\n".join(out)

"""Local stand-ins for what Teams talks to: the Bot Connector (serviceUrl) and the Bot Framework's
OpenID metadata / signing keys. Real aiohttp servers on 127.0.0.1, each on its own thread and loop
(botframework-connector fetches signing keys with blocking ``requests`` calls, so the stand-in must not
share the bot server's loop).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import itertools
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

BOT_ID = "28:f5d48856-5b42-41a0-8c3a-c5f944b679b0"
BOT_NAME = "Ladder"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ISSUER = "https://api.botframework.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """Runs one aiohttp application on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            self._runner = web.AppRunner(self.app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        self.loop.run_until_complete(start())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> "ServerThread":
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("server did not start")
        return self

    def stop(self) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(15)


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived (the load test's answer times)


@dataclass
class Shown:
    """A message the bot posted, as the conversation shows it: each version of it (a post, then its updates) with
    the time it arrived."""

    id: str
    reply_to: str | None
    versions: list[tuple[float, Any]]
    deleted: bool = False

    @property
    def body(self) -> Any:
        return self.versions[-1][1]


@dataclass
class StandInConnector:
    """The Bot Connector service at an activity's serviceUrl: records what the bot sends, returns ids, and keeps
    what the conversation would show (messages posted, updated in place, deleted)."""

    url: str = ""  # the serviceUrl activities carry, once started
    members: dict[str, dict] = field(default_factory=dict)  # Teams user id -> TeamsChannelAccount JSON
    requests: list[Recorded] = field(default_factory=list)
    messages: dict[str, Shown] = field(default_factory=dict)  # activity id -> what the conversation shows
    fail_updates: bool = False  # every update is refused (as for a message the person deleted)
    fail_sends: bool = False  # every new message is refused (the connector failing)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self.send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self.send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self.update)
        app.router.add_delete("/v3/conversations/{cid}/activities/{aid}", self.delete)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self.member)
        return app

    async def _record(self, request: web.Request) -> Any:
        text = await request.text()
        body = json.loads(text) if text else None
        self.requests.append(Recorded(request.method, request.path, body, dict(request.headers)))
        return body

    async def create_conversation(self, request: web.Request) -> web.Response:
        await self._record(request)
        n = next(self._ids)
        return web.json_response({"id": f"a:created-{n}", "activityId": f"created-activity-{n}"}, status=201)

    async def send(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if self.fail_sends:
            return web.json_response({"error": {"code": "ServiceError"}}, status=503)
        activity_id = f"1700000000{next(self._ids):03d}"
        reply_to = (body or {}).get("replyToId") or request.match_info.get("aid")
        self.messages[activity_id] = Shown(activity_id, reply_to, [(self.requests[-1].at, body)])
        return web.json_response({"id": activity_id}, status=201)

    async def update(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        shown = self.messages.get(request.match_info["aid"])
        if self.fail_updates or (shown is not None and shown.deleted):
            return web.json_response({"error": {"code": "ActivityNotFoundInConversation"}}, status=404)
        if shown is not None:  # (a card posted before this stand-in started is updated without being kept)
            shown.versions.append((self.requests[-1].at, body))
        return web.json_response({"id": request.match_info["aid"]})

    async def delete(self, request: web.Request) -> web.Response:
        await self._record(request)
        shown = self.messages.get(request.match_info["aid"])
        if shown is None:
            return web.json_response({"error": {"code": "ActivityNotFoundInConversation"}}, status=404)
        shown.deleted = True
        return web.Response(status=200)

    def shown(self, reply_to: str | None = None) -> list[Shown]:
        """The messages the conversation shows now (deleted ones gone), those replying to ``reply_to`` if given."""
        return [m for m in self.messages.values() if not m.deleted and (reply_to is None or m.reply_to == reply_to)]

    async def member(self, request: web.Request) -> web.Response:
        await self._record(request)
        member = self.members.get(request.match_info["mid"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    def posts(self) -> list[Recorded]:
        """Messages the bot sent (new ones and replies in a reply chain)."""
        return [r for r in self.requests if r.method == "POST" and "/activities" in r.path]

    def wait_for(self, count: int, method: str | None = None, timeout: float = 10.0) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in self.requests if method is None or r.method == method]
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} {method or ''} requests, got {self.requests}")


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class TokenIssuer:
    """Plays the Bot Framework token service: an RSA key, its OpenID metadata and JWKS, signed tokens."""

    def __init__(self, kid: str = "ladder-test-key") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.base_url = ""

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "kid": self.kid, "alg": "RS256", "n": _b64(numbers.n),
                          "e": _b64(numbers.e), "endorsements": ["msteams"]}]}

    def app(self) -> web.Application:
        app = web.Application()

        async def metadata(_request: web.Request) -> web.Response:
            return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base_url}/keys",
                                      "id_token_signing_alg_values_supported": ["RS256"]})

        async def keys(_request: web.Request) -> web.Response:
            return web.json_response(self.jwks())

        app.router.add_get("/.well-known/openid-configuration", metadata)
        app.router.add_get("/keys", keys)
        return app

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def token(self, *, audience: str, service_url: str, issuer: str = ISSUER, expires_in: int = 3600,
              key: rsa.RSAPrivateKey | None = None, kid: str | None = None) -> str:
        now = dt.datetime.now(dt.timezone.utc)
        claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - dt.timedelta(minutes=1),
                  "iat": now - dt.timedelta(minutes=1), "exp": now + dt.timedelta(seconds=expires_in),
                  "jti": uuid.uuid4().hex}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

"""A local stand-in for the Slack Web API (and response_url hooks), plus request signing as Slack does it.

Real HTTP on loopback: Ladder's real slack_sdk clients talk to it through SLACK_API_URL. It records
every call and checks the Block Kit it receives against Slack's limits (parsing it back with
``slack_sdk.models.blocks.Block.parse``); a bad payload is answered the way Slack answers it
(``ok: false, error: invalid_blocks``) and listed in ``problems``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, web
from slack_sdk.models.blocks import Block

WAIT_SECONDS = 60.0  # how long a test waits for a call it expects before failing

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-111-222-standin0token"
BOT_USER_ID = "UBOT00001"
BOT_ID = "BBOT00001"
TEAM_ID = "T111"

LIMITS = {"message_blocks": 50, "home_blocks": 100, "modal_blocks": 100, "section_text": 3000, "field_text": 2000,
          "fields": 10, "actions_elements": 25, "context_elements": 10, "button_text": 75, "button_value": 2000,
          "overflow_options": 5, "message_text": 40000}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers exactly as Slack sends them: v0 HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def block_problems(blocks: Any, max_blocks: int) -> list[str]:
    """What Slack would reject in ``blocks``."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    problems: list[str] = []
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks > {max_blocks}")
    for i, b in enumerate(blocks):
        parsed = Block.parse(b)
        if parsed is None:
            problems.append(f"block {i} does not parse: {b}")
            continue
        kind = b.get("type")
        if kind == "section":
            if "text" in b and len(b["text"]["text"]) > LIMITS["section_text"]:
                problems.append(f"block {i}: section text {len(b['text']['text'])} chars")
            if len(b.get("fields", [])) > LIMITS["fields"]:
                problems.append(f"block {i}: {len(b['fields'])} fields")
            for f in b.get("fields", []):
                if len(f["text"]) > LIMITS["field_text"]:
                    problems.append(f"block {i}: field text {len(f['text'])} chars")
            if "text" not in b and not b.get("fields"):
                problems.append(f"block {i}: section without text or fields")
        elif kind == "actions":
            elements = b.get("elements", [])
            if not elements or len(elements) > LIMITS["actions_elements"]:
                problems.append(f"block {i}: {len(elements)} action elements")
            ids = [e.get("action_id") for e in elements]
            if len(ids) != len(set(ids)):
                problems.append(f"block {i}: duplicate action ids {ids}")
            for e in elements:
                if e.get("type") == "button":
                    if len(e["text"]["text"]) > LIMITS["button_text"]:
                        problems.append(f"block {i}: button text {len(e['text']['text'])} chars")
                    if len(e.get("value", "")) > LIMITS["button_value"]:
                        problems.append(f"block {i}: button value too long")
                elif e.get("type") == "overflow":
                    if not 2 <= len(e.get("options", [])) <= LIMITS["overflow_options"]:
                        problems.append(f"block {i}: overflow with {len(e.get('options', []))} options")
        elif kind == "context":
            if not 1 <= len(b.get("elements", [])) <= LIMITS["context_elements"]:
                problems.append(f"block {i}: context with {len(b.get('elements', []))} elements")
        try:
            parsed.validate_json()
        except Exception as exc:  # noqa: BLE001 - slack_sdk's own limit checks
            problems.append(f"block {i}: {exc}")
    return problems


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def _as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class SlackStandIn:
    """The Slack Web API on 127.0.0.1. ``directory`` maps Slack user id → email (users.info, users.lookupByEmail)."""

    def __init__(self, directory: dict[str, str] | None = None, *, validate: bool = True, port: int | None = None) -> None:
        self.directory = dict(directory or {})
        self.validate = validate
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.port = port or free_port()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self.files: dict[str, bytes] = {}  # url_private_download content, served to the bot token only
        self.uploads: dict[str, dict[str, Any]] = {}  # files_upload_v2: file id -> filename, length, data, channel
        self._file_ids = itertools.count(1)
        self.failing: set[str] = set()  # methods that answer ok:false (to test fallbacks)
        self.delay: dict[str, float] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.socket_outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()  # envelopes to push over Socket Mode
        self.socket_acks: list[dict[str, Any]] = []
        self.socket_connected = asyncio.Event()  # views.open / views.publish, by the id the stand-in gave them

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    async def start(self) -> "SlackStandIn":
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_post("/upload/{file_id}", self._upload)  # files_upload_v2's step 2 (files.slack.com/upload/v1/…)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "SlackStandIn":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # ------------------------------------------------------------------ inspection

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = WAIT_SECONDS) -> list[Call]:
        """Poll the recorded calls until ``count`` calls of ``method`` arrived (deterministic waiting: the timeout only
        bounds how long a failing test takes to say so, and is generous because a loaded 2-core machine is slow)."""
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"waited {timeout}s for {count} {method}; saw {[c.method for c in self.calls]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 0.2))
            except asyncio.TimeoutError:
                pass
        return self.of(method)

    async def final(self, method: str, timeout: float = WAIT_SECONDS) -> Call:
        """The first call of ``method`` that is an answer: a command slower than the ack's grace time first posts
        "Working on it…" (a freshly started worker process may be, on a loaded machine), and the answer follows."""
        count = 1
        while True:
            calls = await self.wait_for(method, count, timeout)
            answers = [c for c in calls if c.args.get("text") != "Working on it…"]
            if answers:
                return answers[0]
            count = len(calls) + 1

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no call arrived for ``quiet`` seconds (to prove something did NOT happen)."""
        while True:
            n = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == n:
                return

    # ------------------------------------------------------------------ handlers

    def _record(self, method: str, args: dict[str, Any]) -> None:
        self.calls.append(Call(method, args))
        self._changed.set()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        body = await request.text()
        if body:
            if request.content_type == "application/json":
                args.update(json.loads(body))
            else:
                args.update(dict(parse_qsl(body, keep_blank_values=True)))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token_prefix = "Bearer xapp" if method == "apps.connections.open" else "Bearer xox"
        if not request.headers.get("Authorization", "").startswith(token_prefix):
            return web.json_response({"ok": False, "error": "not_authed"})
        self._record(method, args)
        if method in self.delay:
            await asyncio.sleep(self.delay[method])
        if method in self.failing:
            return web.json_response({"ok": False, "error": "fatal_error"})
        problems = self._check(method, args) if self.validate else []
        if problems:
            self.problems.extend(f"{method}: {p}" for p in problems)
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": problems})
        return web.json_response(self._answer(method, args))

    def file_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/files/{name}"

    async def _file(self, request: web.Request) -> web.Response:
        self._record("files.download", {"name": request.match_info["name"]})
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.Response(status=403)
        body = self.files.get(request.match_info["name"])
        return web.Response(status=404) if body is None else web.Response(body=body)

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404)
        data = await request.read()
        self._record("files.upload_data", {"file_id": file_id, "size": len(data)})
        self.uploads[file_id]["data"] = data
        return web.Response(text="OK - " + str(len(data)))

    async def _response(self, request: web.Request) -> web.Response:
        args = await self._args(request)
        self._record(f"response_url:{request.match_info['name']}", args)
        problems = self._check("response_url", args)
        if problems:
            self.problems.extend(f"response_url: {p}" for p in problems)
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: hello, then the queued envelopes; the app answers each with its envelope_id."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A111"},
                            "debug_info": {"host": "standin", "approximate_connection_time": 18060}})
        self.socket_connected.set()

        async def pump() -> None:
            while True:
                await ws.send_json(await self.socket_outbox.get())

        sender = asyncio.ensure_future(pump())
        try:
            async for msg in ws:
                if msg.type.name == "TEXT":
                    self.socket_acks.append(json.loads(msg.data))
                    self._changed.set()
        finally:
            sender.cancel()
        return ws

    async def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ack in self.socket_acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            await asyncio.sleep(0.02)
        raise AssertionError(f"no Socket Mode ack for {envelope_id}")

    def _check(self, method: str, args: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        if "blocks" in args and args["blocks"] is not None:
            problems += block_problems(args["blocks"], LIMITS["message_blocks"])
        if "view" in args:
            view = args["view"]
            limit = LIMITS["home_blocks"] if view.get("type") == "home" else LIMITS["modal_blocks"]
            problems += block_problems(view.get("blocks", []), limit)
            if view.get("type") == "modal" and len(view.get("title", {}).get("text", "")) > 24:
                problems.append("modal title > 24 chars")
            if len(view.get("private_metadata", "")) > 3000:
                problems.append("private_metadata > 3000 chars")
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"):
            if not args.get("text") and not args.get("blocks"):
                problems.append("neither text nor blocks")
            if len(args.get("text") or "") > LIMITS["message_text"]:
                problems.append("text too long")
        return problems

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://kestrel.slack.com/", "team": "Kestrel", "user": "ladder",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "users.info":
            user = args.get("user", "")
            email = self.directory.get(user)
            if email is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "team_id": TEAM_ID, "is_bot": False,
                                         "profile": {"email": email, "real_name": email.split("@")[0]}}}
        if method == "users.lookupByEmail":
            for user, email in self.directory.items():
                if email.lower() == str(args.get("email", "")).lower():
                    return {"ok": True, "user": {"id": user, "profile": {"email": email}}}
            return {"ok": False, "error": "users_not_found"}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
        if method == "conversations.replies":  # the thread as Slack keeps it: the messages posted in it
            metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            found = [{"type": "message", "text": c.args.get("text"), "bot_id": BOT_ID,
                      **({"metadata": _as_json(c.args["metadata"])} if metadata and c.args.get("metadata") else {})}
                     for c in self.of("chat.postMessage")
                     if c.args.get("channel") == args.get("channel") and c.args.get("thread_ts") == args.get("ts")]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": {"text": args.get("text"), "ts": ts, "thread_ts": args.get("thread_ts")}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000001.{next(self._ts):06d}"}
        if method == "files.getUploadURLExternal":
            if not args.get("filename") or not str(args.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._file_ids):08d}"
            self.uploads[file_id] = {"filename": args["filename"], "length": int(args["length"]), "data": None}
            return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            done = []
            for f in files:
                upload = self.uploads.get(f.get("id"))
                if upload is None or upload["data"] is None or len(upload["data"]) != upload["length"]:
                    return {"ok": False, "error": "file_not_found"}
                upload.update(channel=args.get("channel_id"), title=f.get("title"), thread_ts=args.get("thread_ts"))
                done.append({"id": f["id"], "name": upload["filename"], "title": f.get("title")})
            return {"ok": True, "files": done}
        if method in ("views.open", "views.publish"):
            view = dict(args.get("view") or {})
            view.update({"id": f"V{next(self._views):06d}", "hash": "h1"})
            self.views[view["id"]] = view
            return {"ok": True, "view": view}
        return {"ok": True}


class SignedClient:
    """Sends requests to Ladder's /slack/events exactly as Slack does."""

    def __init__(self, url: str, session: ClientSession, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.session = session
        self.secret = secret

    async def send(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
                   timestamp: int | None = None, secret: str | None = None, signed: bool = True):
        h = {"Content-Type": content_type}
        if signed:
            h.update(sign(body, secret or self.secret, timestamp))
        h.update(headers or {})
        async with self.session.post(self.url, data=body.encode(), headers=h) as resp:
            return resp.status, await resp.text()

    async def event(self, payload: dict[str, Any], **kw):
        return await self.send(json.dumps(payload), "application/json", **kw)

    async def form(self, fields: dict[str, str], **kw):
        return await self.send(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    async def interaction(self, payload: dict[str, Any], **kw):
        return await self.form({"payload": json.dumps(payload)}, **kw)

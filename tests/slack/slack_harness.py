"""Slack test harness: the real ``serve`` app (bot.server.build_app with Slack mounted) on loopback, a
stand-in Slack Web API, and payloads shaped like Slack's own (../shared/fixtures/slack)."""

from __future__ import annotations

import copy
import asyncio
import itertools
import json
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import ClientSession, web
from pydantic import SecretStr
from sqlalchemy import select

from handlers.context import Ladder
from storage.models import Person

from slack_standin import BOT_TOKEN, SIGNING_SECRET, SignedClient, SlackStandIn, free_port

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "slack"
BOLT = FIXTURES / "bolt-python-tests"
JAVA = FIXTURES / "java-slack-sdk-schema-samples"
STRANGER = "UOUTSIDER1"

_seq = itertools.count(1)


def slack_id(person_id: int) -> str:
    return f"UKS{person_id:06d}"


def directory_of(ladder: Ladder) -> dict[str, str]:
    with ladder.db.session() as s:
        people = {slack_id(p.id): p.email for p in s.scalars(select(Person))}
    people[STRANGER] = "someone@elsewhere.example"
    return people


def person_id(ladder: Ladder, email: str) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(Person.id).where(Person.email == email))


def next_ts() -> str:
    return f"{int(time.time())}.{next(_seq):06d}"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


# ---------------------------------------------------------------- payloads, from Slack's own samples


def app_mention(user: str, text: str, *, channel: str = "C0LADDER1", ts: str | None = None, thread_ts: str | None = None,
                event_id: str | None = None) -> dict[str, Any]:
    payload = _load(BOLT / "events_api_app_mention.json")
    ts = ts or next_ts()
    payload["event"].update({"user": user, "text": f"<@UBOT00001> {text}", "channel": channel, "ts": ts, "event_ts": ts})
    if thread_ts:
        payload["event"]["thread_ts"] = thread_ts
    payload["event_id"] = event_id or f"Ev{next(_seq):08d}"
    payload["event_time"] = int(time.time())
    return payload


def direct_message(user: str, text: str, *, channel: str = "D0LADDER1", ts: str | None = None, thread_ts: str | None = None,
                   event_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """message.im: the app_mention envelope with the event fields of Slack's message payload."""
    sample = _load(JAVA / "MessagePayload.json")["event"]
    payload = app_mention(user, text, channel=channel, ts=ts, thread_ts=thread_ts, event_id=event_id)
    event = {k: payload["event"][k] for k in ("client_msg_id", "user", "ts", "team", "channel", "event_ts")}
    assert set(event) <= set(sample) | {"event_ts"}
    event.update({"type": "message", "text": text, "channel_type": "im"})
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    payload["event"] = event
    return payload


def channel_message(user: str, text: str, *, thread_ts: str, channel: str = "C0LADDER1", event_id: str | None = None) -> dict[str, Any]:
    """message.channels: a reply in a channel thread, with no @mention."""
    return direct_message(user, text, channel=channel, thread_ts=thread_ts, event_id=event_id, channel_type="channel")


def app_home_opened(user: str, tab: str = "home") -> dict[str, Any]:
    payload = _load(JAVA / "AppHomeOpenedPayload.json")
    payload.update({"token": "verification_token", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                    "event_id": f"Ev{next(_seq):08d}", "event_time": int(time.time()), "enterprise_id": None,
                    "authed_users": [], "authed_teams": [], "authorizations": [], "event_context": ""})
    payload["event"].update({"user": user, "channel": "D0LADDER1", "tab": tab, "event_ts": next_ts()})
    payload["event"]["view"] = None if tab == "home" else payload["event"]["view"]
    return payload


def slash_command(user: str, text: str, response_url: str) -> dict[str, str]:
    fields = dict(parse_qsl((BOLT / "slash_command.form-urlencoded.txt").read_text().strip()))
    fields.update({"command": "/ladder", "text": text, "user_id": user, "channel_id": "C0LADDER1",
                   "response_url": response_url, "trigger_id": f"{next(_seq)}.111.xxx"})
    return fields


def block_actions(user: str, *, value: str, action_id: str, message: dict[str, Any], channel: str,
                  response_url: str, block_id: str = "b1", label: str = "Button") -> dict[str, Any]:
    payload = _load(BOLT / "block_actions.json")
    payload["user"].update({"id": user, "username": user.lower(), "name": user.lower()})
    payload["container"] = {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False}
    payload["channel"] = {"id": channel, "name": "directmessage"}
    payload["message"] = message
    payload["response_url"] = response_url
    payload["trigger_id"] = f"{next(_seq)}.222.valid"
    payload["actions"] = [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                           "text": {"type": "plain_text", "text": label, "emoji": True}, "action_ts": next_ts()}]
    return payload


def view_submission(user: str, view: dict[str, Any], values: dict[str, dict[str, str]], view_id: str) -> dict[str, Any]:
    payload = _load(BOLT / "view_submission.json")
    payload["user"].update({"id": user})
    sent = copy.deepcopy(view)
    sent.update({"id": view_id, "team_id": "T111", "hash": f"{next(_seq)}.abc", "root_view_id": view_id,
                 "state": {"values": {block: {action: {"type": "plain_text_input", "value": v} for action, v in inputs.items()}
                                      for block, inputs in values.items()}}})
    payload["view"] = {**payload["view"], **sent}
    return payload


# ---------------------------------------------------------------- the running server


@dataclass
class Harness:
    api: SlackStandIn
    slack: SignedClient
    ladder: Ladder
    app: web.Application
    base_url: str


BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"  # the RabbitMQ of the machine (tests, CI)


def slack_settings(ladder: Ladder, api: SlackStandIn, **extra: Any):
    # Tasks in process by default (one process per test keeps the suite fast); tests that take ``slack_tasks`` also
    # run with a broker and a worker, as a scaled-out deployment does. Retries wait 50 ms, not the default 500 ms.
    return ladder.settings.model_copy(update={
        "slack_bot_token": SecretStr(BOT_TOKEN), "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_api_url": api.api_url, "task_min_backoff_ms": 50, "task_max_backoff_ms": 400, **extra})


WORKERS_START_SECONDS = 60.0


async def wait_until_ready(session: ClientSession, base: str, timeout: float = WORKERS_START_SECONDS) -> dict:
    """Poll /readyz as a load balancer would, until the server is ready."""
    deadline = time.monotonic() + timeout
    while True:
        async with session.get(f"{base}/readyz") as response:
            body = await response.json()
            if response.status == 200:
                return body
        if time.monotonic() > deadline:
            raise AssertionError(f"the server was not ready after {timeout}s: {body}")
        await asyncio.sleep(0.1)


@asynccontextmanager
async def running_worker(ladder: Ladder, threads: int = 2):
    """A worker (``python app.py worker``'s code) on its own thread of this process, on the real broker."""
    import threading

    from bot.worker import run_worker

    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(ladder,), kwargs={"threads": threads, "stop": stop},
                              name="test-worker", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)


@asynccontextmanager
async def serving(ladder: Ladder, directory: dict[str, str] | None = None, *, wait_ready: bool = True,
                  tasks: str = "in_process", **settings_extra: Any):
    """Ladder's server on a free port, Slack pointed at a stand-in Web API. ``tasks="broker"``: its tasks go through
    RabbitMQ (a queue of the test's own) to a worker."""
    import uuid
    from contextlib import AsyncExitStack

    from bot.server import build_app

    async with SlackStandIn(directory if directory is not None else directory_of(ladder)) as api:
        if tasks == "broker":
            settings_extra = {"task_broker_url": BROKER_URL, "task_queue": f"test-{uuid.uuid4().hex[:12]}", **settings_extra}
        slack_ladder = Ladder(settings=slack_settings(ladder, api, **settings_extra), db=ladder.db, indexes=ladder.indexes,
                              now=ladder.now)
        stack = AsyncExitStack()
        if tasks == "broker":
            # The worker's own Ladder (its own notifiers and caches, as another process has), the same database.
            worker_ladder = Ladder(settings=slack_ladder.settings, db=ladder.db, indexes=ladder.indexes, now=ladder.now)
            await stack.enter_async_context(running_worker(worker_ladder))
        app = build_app(slack_ladder)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with ClientSession() as session:
                base = f"http://127.0.0.1:{port}"
                if wait_ready:  # with worker processes: once each of them takes calls
                    await wait_until_ready(session, base)
                yield Harness(api, SignedClient(f"{base}/slack/events", session), slack_ladder, app, base)
        finally:
            await runner.cleanup()
            await stack.aclose()
            ladder.db.engine.dispose()  # hand pooled connections back (a shared PostgreSQL has a client limit)

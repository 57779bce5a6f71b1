"""Every HTTP request must carry Slack's signature: bad, stale or missing → 401 and nothing happens."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from aiohttp import web

from bot.server import build_app
from handlers.context import Ladder

from slack_harness import app_mention, serving
from slack_standin import sign


def test_url_verification_is_answered(database, tmp_path):
    ladder = Ladder(settings=_settings(database, tmp_path), db=database)

    async def scenario():
        async with serving(ladder, directory={}) as h:
            body = {"token": "verification_token", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                    "type": "url_verification"}
            status, text = await h.slack.event(body)
            assert status == 200 and json.loads(text) == {"challenge": body["challenge"]}

    asyncio.run(scenario())


def test_tampered_stale_and_unsigned_requests_get_401_and_nothing_runs(database, tmp_path):
    ladder = Ladder(settings=_settings(database, tmp_path), db=database)

    async def scenario():
        async with serving(ladder, directory={}) as h:
            payload = app_mention("UKS000001", "what's my path to data scientist?")
            body = json.dumps(payload)
            headers = {"Content-Type": "application/json"}
            tampered = body.replace("data scientist", "database administrator")
            cases = {
                "tampered body": (tampered, {**headers, **sign(body)}),
                "stale timestamp": (body, {**headers, **sign(body, timestamp=int(time.time()) - 6 * 60)}),
                "future timestamp": (body, {**headers, **sign(body, timestamp=int(time.time()) + 6 * 60)}),
                "wrong secret": (body, {**headers, **sign(body, secret="0" * 32)}),
                "missing signature": (body, {**headers, "X-Slack-Request-Timestamp": str(int(time.time()))}),
                "missing timestamp": (body, {**headers, "X-Slack-Signature": sign(body)["X-Slack-Signature"]}),
                "no headers": (body, headers),
            }
            for name, (sent, hdrs) in cases.items():
                async with h.slack.session.post(h.slack.url, data=sent.encode(), headers=hdrs) as resp:
                    assert resp.status == 401, name
            # A slash command and a click without valid signatures are refused too.
            status, _ = await h.slack.form({"command": "/ladder", "text": "status"}, signed=False)
            assert status == 401
            status, _ = await h.slack.interaction({"type": "block_actions"}, secret="1" * 32)
            assert status == 401
            await h.api.settle()
            assert h.api.calls == []  # not even auth.test: nothing was processed

    asyncio.run(scenario())


def test_slack_is_not_mounted_without_tokens(database, tmp_path, caplog):
    ladder = Ladder(settings=_settings(database, tmp_path), db=database)

    async def scenario():
        with caplog.at_level(logging.INFO, logger="bot.slack"):
            app = build_app(ladder)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            assert not [r for r in app.router.routes() if r.resource.canonical == "/slack/events"]
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.slack"]
    assert lines == ["Slack is disabled: SLACK_BOT_TOKEN is not set."]


def _settings(database, tmp_path):
    from settings import Settings

    return Settings(data_dir=tmp_path, database_url=database.url, _env_file=None, slack_bot_token=None,
                    slack_signing_secret=None, slack_app_token=None)


def test_the_server_mounts_only_the_channels_it_is_given(database, tmp_path):
    from pydantic import SecretStr

    from bot import slack, teams

    settings = _settings(database, tmp_path).model_copy(update={
        "slack_bot_token": SecretStr("xoxb-1-standin"), "slack_signing_secret": SecretStr("s" * 32)})
    ladder = Ladder(settings=settings, db=database)

    def paths(app: web.Application) -> set[str]:
        return {r.resource.canonical for r in app.router.routes()}

    assert {"/slack/events", "/api/messages"} <= paths(build_app(ladder))  # the default: every channel
    assert "/slack/events" not in paths(build_app(ladder, channels=[teams.mount]))
    only_slack = paths(build_app(ladder, channels=[slack.mount]))
    assert "/slack/events" in only_slack and "/api/messages" not in only_slack
    # No channel: health, and the web entry points that are no channel (dashboard, xAPI, SCIM) — nothing of Slack or Teams.
    bare = paths(build_app(ladder, channels=[]))
    assert {"/healthz", "/readyz"} <= bare
    assert all(p in ("/healthz", "/readyz") or p.split("/")[1] in ("dashboard", "xapi", "scim") for p in bare), bare

"""What the fuzzing found at Slack's door, kept as plain regression tests: Bolt parsed bodies before checking their
signature, and read payload fields without checking their type — both answered 500."""

from __future__ import annotations

import asyncio
import json

from handlers.context import Ladder
from settings import Settings

from slack_harness import app_mention, block_actions, serving
from slack_standin import sign


def _ladder(database, tmp_path) -> Ladder:
    return Ladder(settings=Settings(data_dir=tmp_path, database_url=database.url, _env_file=None), db=database)


def test_an_unsigned_broken_body_is_refused_before_anything_parses_it(database, tmp_path):
    async def scenario():
        async with serving(_ladder(database, tmp_path), directory={}) as h:
            broken = '{"type": "event_callback", "event": '
            for headers in ({}, {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}):
                async with h.slack.session.post(h.slack.url, data=broken.encode(),
                                                headers={"Content-Type": "application/json", **headers}) as resp:
                    assert resp.status == 401 and "Traceback" not in await resp.text()
            await h.api.settle()
            assert h.api.calls == []

    asyncio.run(scenario())


def test_signed_payloads_of_the_wrong_shape_are_a_400_and_nothing_runs(database, tmp_path):
    async def scenario():
        async with serving(_ladder(database, tmp_path), directory={}) as h:
            no_event = {**app_mention("UKS000001", "hi"), "event": None}
            typed_wrong = app_mention("UKS000001", "hi")
            typed_wrong["event"]["channel"] = 12
            message = {"type": "message", "ts": "1700000000.000100", "text": "x", "blocks": []}
            no_actions = {**block_actions("UKS000001", value="x", action_id="ladder.show_path", message=message,
                                          channel="D1", response_url=h.api.response_url()), "actions": []}
            for payload in (no_event, typed_wrong, [1, 2], "text"):
                status, body = await h.slack.event(payload)
                assert status == 400 and json.loads(body) == {"error": "bad request"}, payload
            status, _ = await h.slack.interaction(no_actions)
            assert status == 400
            signed_broken = '{"type": '
            async with h.slack.session.post(h.slack.url, data=signed_broken.encode(),
                                            headers={"Content-Type": "application/json", **sign(signed_broken)}) as resp:
                assert resp.status == 400
            await h.api.settle()
            assert h.api.calls == []

    asyncio.run(scenario())

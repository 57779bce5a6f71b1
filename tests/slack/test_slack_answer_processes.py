"""SLACK_ANSWER_PROCESSES: answers computed in worker processes read the same as in-process ones,
duplicates are still answered once, and notifications the domain sends are delivered by the server."""

from __future__ import annotations

import asyncio

from bot.messages import Channel, Message
from bot.router import Router
from slack_harness import direct_message, person_id, serving, slack_id

MAYA = "maya.patel@kestrel.example"


def test_answers_from_worker_processes(fresh_demo):
    maya = slack_id(person_id(fresh_demo, MAYA))
    question = "what's my path to data scientist?"
    expected = Router(fresh_demo).handle(Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="t", text=question))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=1) as h:
            dm = direct_message(maya, question)
            await h.slack.event(dm)
            await h.slack.event(dm, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
            [post] = await h.api.wait_for("chat.postMessage", timeout=90)
            assert post.args["text"].splitlines()[0] == expected.text.splitlines()[0].strip("*")
            assert "query languages" in post.args["text"]
            await h.slack.event(direct_message(maya, "ask my manager to validate statistics"))
            await h.api.wait_for("chat.postMessage", 3, timeout=90)  # Maya's confirmation + the card for Daniel
            await h.api.settle()
            looked_up = [c.args.get("email") for c in h.api.of("users.lookupByEmail")]
            assert "daniel.okafor@kestrel.example" in looked_up
            assert len([c for c in h.api.of("chat.postMessage") if c.args.get("thread_ts") == dm["event"]["ts"]]) == 1

    asyncio.run(scenario())

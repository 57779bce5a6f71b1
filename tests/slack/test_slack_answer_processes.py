"""SLACK_ANSWER_PROCESSES (the default for `serve`): the work after the ack runs in worker processes.

The flows themselves (threads, follow-ups, clicks, modals, commands, App Home, Socket Mode, failures) run in
both modes in test_slack_conversations.py and test_slack_interactivity.py; this file covers what only worker
processes have: their CPU priority, notifications handed back to the serving process, a worker process
that dies, a call too big to write from the event loop at once, a failure inside a worker.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time

import pytest
from aiohttp import ClientSession

from bot.slack import SLACK_CHANNEL_KEY
from bot.slack.workers import WORKER_NICENESS
from handlers.context import Ladder
from slack_harness import app_mention, direct_message, person_id, serving, slack_id

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"


def test_notifications_from_a_worker_are_delivered_by_the_server(fresh_demo):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=1) as h:
            dm = direct_message(maya, "ask my manager to validate statistics")
            await h.slack.event(dm)
            await h.api.wait_for("chat.postMessage", 2, timeout=90)  # Maya's confirmation + the card for Daniel
            await h.api.settle()
            # The worker process has no channel clients of its own for proactive messages: the server looked
            # Daniel up by email and sent the card.
            assert [c.args.get("email") for c in h.api.of("users.lookupByEmail")] == [DANIEL]
            posts = h.api.of("chat.postMessage")
            assert [p.args.get("thread_ts") for p in posts].count(dm["event"]["ts"]) == 1
            card = next(p for p in posts if p.args.get("thread_ts") != dm["event"]["ts"])
            assert card.args["channel"] == "D" + slack_id(person_id(fresh_demo, DANIEL))
            assert "validate" in card.args["text"] and "statistics" in json.dumps(card.args["blocks"])

    asyncio.run(scenario())


def _workers() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.is_alive()]


@pytest.mark.skipif(not hasattr(os, "sched_getscheduler"), reason="SCHED_IDLE is Linux's")
def test_by_default_workers_only_take_cpu_the_server_does_not_want(fresh_demo):
    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=1, slack_worker_priority="idle", wait_ready=False) as h:
            [pid] = h.app[SLACK_CHANNEL_KEY].workers.pids()
            deadline = time.monotonic() + 30
            while os.sched_getscheduler(pid) != os.SCHED_IDLE and time.monotonic() < deadline:
                await asyncio.sleep(0.05)  # the worker sets it first thing, before loading anything
            assert os.sched_getscheduler(pid) == os.SCHED_IDLE
            assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the serving process is untouched

    asyncio.run(scenario())


def _kill(workers: list[multiprocessing.Process]) -> None:
    for worker in workers:
        os.kill(worker.pid, signal.SIGKILL)


def test_a_worker_that_dies_before_taking_a_call_is_replaced_and_the_call_still_answered(fresh_demo):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=2, slack_worker_priority="low") as h:
            await h.slack.event(direct_message(maya, "who am i?"))
            await h.api.wait_for("chat.postMessage", 1, timeout=90)
            await h.app[SLACK_CHANNEL_KEY].drain()
            before = _workers()
            assert len(before) == 2
            assert all(os.getpriority(os.PRIO_PROCESS, w.pid) == WORKER_NICENESS for w in before)  # "low" priority

            # Both workers freeze, a question arrives (acked at once by the server), then both are killed
            # before either could read it: nothing had happened yet, so new workers answer it.
            for worker in before:
                os.kill(worker.pid, signal.SIGSTOP)
            question = direct_message(maya, "what's my path to data scientist?")
            started = time.perf_counter()
            status, _ = await h.slack.event(question)
            assert status == 200 and time.perf_counter() - started < 3
            _kill(before)
            posts = await h.api.wait_for("chat.postMessage", 2, timeout=90)
            assert posts[1].args["thread_ts"] == question["event"]["ts"]
            assert "data scientist" in posts[1].args["text"] and "error id" not in posts[1].args["text"]
            after = _workers()
            assert after and not {w.pid for w in after} & {w.pid for w in before}

    asyncio.run(scenario())


def test_readiness_counts_the_workers_taking_calls_and_a_dead_one_is_replaced_by_the_next_call(fresh_demo):
    from slack_harness import wait_until_ready

    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=1) as h:
            async with ClientSession() as session:
                body = await wait_until_ready(session, h.base_url, timeout=5)  # serving() waited for it already
                assert body == {"status": "ready", "database": True, "slack_workers": {"ready": 1, "wanted": 1}}
                _kill(_workers())
                deadline = time.monotonic() + 30
                while True:  # the server reads the dead worker's end of file
                    async with session.get(f"{h.base_url}/readyz") as r:
                        if r.status == 503:
                            assert (await r.json())["slack_workers"] == {"ready": 0, "wanted": 1}
                            break
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.05)
                await h.slack.event(direct_message(maya, "who am i?"))
                [post] = await h.api.wait_for("chat.postMessage", 1, timeout=90)
                assert "Maya" in post.args["text"]
                await wait_until_ready(session, h.base_url)

    asyncio.run(scenario())


def test_a_worker_that_dies_during_a_call_is_replaced_and_the_person_told(fresh_demo):
    daniel = slack_id(person_id(fresh_demo, DANIEL))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=2) as h:
            h.api.delay["users.info"] = 8  # the worker will be mid-call, waiting on Slack, when it is killed
            question = direct_message(daniel, "who am i?", channel="D0DANIEL1")
            await h.slack.event(question)
            await h.api.wait_for("users.info", 1, timeout=90)
            _kill(_workers())
            [post] = await h.api.wait_for("chat.postMessage", 1, timeout=90)
            assert post.args["thread_ts"] == question["event"]["ts"] and "error id" in post.args["text"]

            h.api.delay.clear()
            again = direct_message(daniel, "who am i?", channel="D0DANIEL1")
            await h.slack.event(again)
            posts = await h.api.wait_for("chat.postMessage", 2, timeout=90)
            assert posts[1].args["thread_ts"] == again["event"]["ts"] and "Daniel Okafor" in posts[1].args["text"]

    asyncio.run(scenario())


def test_unset_means_one_worker_per_cpu_but_one(fresh_demo):
    from bot.slack import build_channel
    from bot.slack.workers import default_processes
    from pydantic import SecretStr

    settings = fresh_demo.settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-1-standin"),
                                                      "slack_signing_secret": SecretStr("s" * 32),
                                                      "slack_answer_processes": None})
    channel = build_channel(Ladder(settings=settings, db=fresh_demo.db))
    assert channel.workers is not None and channel.workers.processes == default_processes()
    assert default_processes() == max(1, (os.cpu_count() or 2) - 1)
    threads = build_channel(Ladder(settings=settings.model_copy(update={"slack_answer_processes": 0}), db=fresh_demo.db))
    assert threads.workers is None


def test_a_click_on_a_very_long_message_crosses_to_the_worker_whole(fresh_demo):
    """A block_actions payload carries the whole message it came from (here over 128 KB): more than is written
    to a worker's pipe from the event loop at once; it still arrives whole, and the ack stays quick."""
    from bot.slack.action_ids import ActionId
    from bot.slack.workers import SEND_INLINE_BYTES
    from slack_harness import block_actions

    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=1) as h:
            mention = app_mention(maya, "what's my path to data scientist?")
            await h.slack.event(mention)
            [post] = await h.api.wait_for("chat.postMessage", timeout=90)
            own = [{**b, "block_id": f"blk{i}"} for i, b in enumerate(post.args["blocks"])]
            filler = [{"type": "section", "block_id": f"long{i}", "text": {"type": "mrkdwn", "text": "x" * 2900}}
                      for i in range(50 - len(own))]  # Slack's 50 blocks, nearly full
            blocks = filler + own
            posted = {"type": "message", "ts": "1700000000.000777", "thread_ts": mention["event"]["ts"],
                      "text": post.args["text"] + "\n" + "y" * 30000, "blocks": blocks}
            actions = next(b for b in blocks if b["type"] == "actions")
            button = next(e for e in actions["elements"] if e["value"].startswith("set_target:"))
            assert ActionId.parse(button["action_id"]) is ActionId.set_target
            click = block_actions(maya, value=button["value"], action_id=button["action_id"], block_id=actions["block_id"],
                                  message=posted, channel="C0LADDER1", response_url=h.api.response_url("big"),
                                  label=button["text"]["text"])
            assert len(json.dumps(click)) > 2 * SEND_INLINE_BYTES
            started = time.perf_counter()
            status, _ = await h.slack.interaction(click)
            assert status == 200 and time.perf_counter() - started < 3
            [update] = await h.api.wait_for("chat.update", timeout=90)
            assert update.args["ts"] == posted["ts"] and len(update.args["blocks"]) >= len(filler)
            posts = await h.api.wait_for("chat.postMessage", 2, timeout=90)
            assert "is now your target role" in posts[1].args["text"]

    asyncio.run(scenario())


def test_a_failure_inside_a_worker_is_reported_in_the_thread_with_an_error_id(fresh_demo):
    """The domain breaks under the worker (its skills table is gone): the person still hears back, in the thread."""
    from sqlalchemy import text

    maya = slack_id(person_id(fresh_demo, MAYA))
    with fresh_demo.db.session() as s, s.begin():
        s.execute(text("ALTER TABLE role_skills RENAME TO role_skills_gone"))

    async def scenario():
        async with serving(fresh_demo, slack_answer_processes=1) as h:
            mention = app_mention(maya, "what's my path to data scientist?")
            assert (await h.slack.event(mention))[0] == 200
            [post] = await h.api.wait_for("chat.postMessage", timeout=90)
            assert post.args["thread_ts"] == mention["event"]["ts"]
            assert "something went wrong" in post.args["text"] and "error id" in post.args["text"]
            assert "role_skills" not in str(post.args)  # never an internal message in chat

    asyncio.run(scenario())


def test_with_several_calls_per_worker_one_slow_call_does_not_hold_up_the_next(fresh_demo):
    """One worker running up to four calls at once (SLACK_CALLS_PER_WORKER=4): Maya's App Home waits on a slow
    Slack (views.publish takes 20 s); Daniel's question, sent after it, is answered meanwhile."""
    maya, daniel = (slack_id(person_id(fresh_demo, e)) for e in (MAYA, DANIEL))

    async def scenario():
        from slack_harness import app_home_opened

        async with serving(fresh_demo, slack_answer_processes=1, slack_calls_per_worker=4) as h:
            h.api.delay["views.publish"] = 20
            await h.slack.event(app_home_opened(maya))
            await h.api.wait_for("views.publish", timeout=90)  # the slow call is under way in the worker
            started = time.perf_counter()
            question = direct_message(daniel, "who am i?", channel="D0DANIEL1")
            await h.slack.event(question)
            [post] = await h.api.wait_for("chat.postMessage", timeout=90)
            assert "Daniel Okafor" in post.args["text"]
            assert time.perf_counter() - started < 15  # answered well before the slow call could have finished
            await h.app[SLACK_CHANNEL_KEY].drain(60)

    asyncio.run(scenario())

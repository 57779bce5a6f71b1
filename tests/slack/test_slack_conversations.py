"""Mentions and DMs over the real server: answers in the thread, same content as the terminal, no
double answers, no silence."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from conversation import Channel, Message
from handlers.router import Router
from bot.slack.blocks import unescape
from handlers import admin
from storage.models import ChatIdentity

from slack_harness import STRANGER, app_mention, channel_message, direct_message, person_id, serving, slack_id, slash_command

MAYA = "maya.patel@kestrel.example"
PRIYA = "priya.raman@kestrel.example"


def _text_of(blocks: list[dict]) -> str:
    """The reply's text as Slack shows it: the sections before the first card divider."""
    out = []
    for b in blocks:
        if b["type"] == "divider":
            break
        if b["type"] == "section" and "text" in b:
            out.append(unescape(b["text"]["text"]))
    return "\n".join(out)


def _card_values(blocks: list[dict]) -> list[str]:
    return [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"]


def test_path_question_in_a_channel_matches_the_terminal_and_follow_ups_keep_the_thread(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))
    terminal = Router(fresh_demo)
    expected = terminal.handle(Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="t1",
                                       text="what's my path to data scientist?"))
    follow_expected = terminal.handle(Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="t1",
                                              text="and for database administrator?"))
    assert expected.data["status"] == "found"

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            mention = app_mention(maya, "what's my path to data scientist?")
            status, body = await h.slack.event(mention)
            assert status == 200 and body == ""
            [post] = await h.api.wait_for("chat.postMessage")
            ts = mention["event"]["ts"]
            assert post.args["channel"] == "C0LADDER1" and post.args["thread_ts"] == ts
            assert _text_of(post.args["blocks"]) == expected.text
            assert _card_values(post.args["blocks"]) == [b.ref for b in expected.actions()]
            fields = [f["text"] for b in post.args["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
            assert fields == [f"*{f.title}*\n{f.value}" for c in expected.cards for f in c.facts]
            assert [c.args["user"] for c in h.api.of("users.info")] == [maya]

            # A follow-up in the thread is answered in the same thread, as the terminal answers it.
            follow = app_mention(maya, "and for database administrator?", ts=None, thread_ts=ts)
            await h.slack.event(follow)
            posts = await h.api.wait_for("chat.postMessage", 2)
            assert posts[1].args["thread_ts"] == ts
            assert _text_of(posts[1].args["blocks"]) == follow_expected.text
            assert len(h.api.of("users.info")) <= 1  # cached (by whichever process does the work)
            assert h.api.problems == []

    asyncio.run(scenario())
    with fresh_demo.db.session() as s:
        assert s.scalar(select(ChatIdentity.person_id).where(ChatIdentity.channel == "slack", ChatIdentity.external_id == maya)) \
            == person_id(fresh_demo, MAYA)


def test_a_reply_in_a_thread_ladder_answers_needs_no_mention(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            mention = app_mention(maya, "what's my path to data scientist?")
            await h.slack.event(mention)
            await h.api.wait_for("chat.postMessage")
            ts = mention["event"]["ts"]
            # Chatter in a thread Ladder was never asked into stays unanswered, and so does a thumbs-up in its own...
            await h.slack.event(channel_message(maya, "lunch at noon?", thread_ts="1700000000.000001"))
            await h.slack.event(channel_message(maya, "👍 🙏", thread_ts=ts))
            # ...but a follow-up in Ladder's own thread is answered there, with the thread's context.
            status, _ = await h.slack.event(channel_message(maya, "and for database administrator?", thread_ts=ts))
            assert status == 200
            posts = await h.api.wait_for("chat.postMessage", 2)
            assert posts[1].args["thread_ts"] == ts and "database administrator" in _text_of(posts[1].args["blocks"])
            await asyncio.sleep(0.5)
            assert len(h.api.of("chat.postMessage")) == 2  # the chatter and the thumbs-up got no reply
            assert h.api.problems == []

    asyncio.run(scenario())


def test_direct_messages_answer_in_thread_and_ignore_bots_edits_and_self(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            await h.slack.event(direct_message(maya, "bot says hi", bot_id="B999", subtype="bot_message"))
            await h.slack.event(direct_message(maya, "edited", subtype="message_changed"))
            await h.slack.event(direct_message("UBOT00001", "my own echo"))
            dm = direct_message(maya, "who am i?")
            assert (await h.slack.event(dm))[0] == 200
            [post] = await h.api.wait_for("chat.postMessage")
            assert post.args["channel"] == "D0LADDER1" and post.args["thread_ts"] == dm["event"]["ts"]
            assert "Maya Patel" in post.args["text"]
            await h.api.settle()
            assert len(h.api.of("chat.postMessage")) == 1

    asyncio.run(scenario())


def test_duplicates_and_retries_yield_exactly_one_answer(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            event = app_mention(maya, "hello")
            await h.slack.event(event)
            await h.slack.event(event)  # the same delivery twice
            await h.slack.event(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
            # The same post seen as message.im and app_mention (different event ids, same channel + ts).
            twin = direct_message(maya, "hello again")
            await h.slack.event(twin)
            mention_twin = app_mention(maya, "hello again", channel=twin["event"]["channel"], ts=twin["event"]["ts"])
            await h.slack.event(mention_twin)
            await h.api.wait_for("chat.postMessage", 2)
            await h.api.settle(0.5)
            assert len(h.api.of("chat.postMessage")) == 2

    asyncio.run(scenario())


def test_someone_outside_the_directory_is_told_who_to_contact(fresh_demo, slack_tasks):
    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            await h.slack.event(direct_message(STRANGER, "what's my path to data scientist?"))
            [post] = await h.api.wait_for("chat.postMessage")
            assert "can't find you in the directory" in post.args["text"]
            assert fresh_demo.settings.hr_contact in post.args["text"]

    asyncio.run(scenario())


def test_when_users_info_fails_the_stored_slack_identity_still_works(fresh_demo):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo) as h:
            h.api.failing.add("users.info")
            await h.slack.event(direct_message(maya, "who am i?"))
            [post] = await h.api.wait_for("chat.postMessage")
            assert "Maya Patel" in post.args["text"]

    asyncio.run(scenario())


def test_a_handler_that_raises_still_answers_in_the_thread_with_an_error_id(fresh_demo, monkeypatch):
    def explode(ladder, uow, actor, args):
        raise RuntimeError("boom: the HRIS connector fell over")

    monkeypatch.setitem(admin.ADMIN_COMMANDS, "explode", admin.AdminCommand(admin.Capability.admin_status, explode, ""))
    priya = slack_id(person_id(fresh_demo, PRIYA))

    async def scenario():
        async with serving(fresh_demo) as h:
            dm = direct_message(priya, "/ladder explode")
            await h.slack.event(dm)
            [post] = await h.api.wait_for("chat.postMessage")
            assert post.args["thread_ts"] == dm["event"]["ts"]
            assert "something went wrong" in post.args["text"] and "error id" in post.args["text"]
            assert "boom" not in str(post.args)  # never a stack trace or internal message in chat

            await h.slack.form(slash_command(priya, "explode", h.api.response_url("cmd")))
            [answer] = await h.api.wait_for("response_url:cmd")
            assert "error id" in answer.args["text"] and answer.args["response_type"] == "ephemeral"

    asyncio.run(scenario())


def test_a_failure_in_slack_itself_is_logged_with_an_error_id_and_reported(fresh_demo, caplog, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            h.api.failing.add("chat.postEphemeral")  # the private answer can't be delivered
            await h.slack.event(app_mention(maya, "/ladder status"))
            await h.api.wait_for("chat.postEphemeral", 1)
            [post] = await h.api.wait_for("chat.postMessage")  # so the failure is said in the thread instead
            assert "error id" in post.args["text"]

    import logging

    with caplog.at_level(logging.ERROR, logger="bot.slack.outbox"):
        asyncio.run(scenario())
    assert any(getattr(r, "error_id", None) for r in caplog.records if r.name == "bot.slack.outbox")


def test_a_task_redelivered_after_its_reply_went_out_finds_it_in_the_thread_and_posts_nothing(fresh_demo):
    """A worker killed between Slack accepting the reply and the claim marked done: the broker redelivers the same
    task. Its claim is still its own, so it would answer again — but the reply carries the task id in Slack's
    message metadata, and the redelivery finds it there. Without the reply in the thread, it answers."""
    from sqlalchemy import update

    from bot.slack import SLACK_CHANNEL_KEY
    from bot.tasks.payloads import SlackCall, Task
    from storage.models import ProcessedEvent

    maya = slack_id(person_id(fresh_demo, MAYA))

    def cut_off_before_done() -> None:  # what a SIGKILL right after the post leaves behind
        with fresh_demo.db.session() as session:
            session.execute(update(ProcessedEvent).values(done_at=None))
            session.commit()

    async def scenario():
        async with serving(fresh_demo) as h:
            channel = h.app[SLACK_CHANNEL_KEY]
            event = direct_message(maya, "hello")
            task = Task(payload=SlackCall(work="converse", args=[event["event"], event["event_id"], None]))
            channel.queue.submit(task)
            [post] = await h.api.wait_for("chat.postMessage")
            assert post.args["metadata"]["event_payload"]["task_id"] == task.id
            await channel.drain()

            await asyncio.to_thread(cut_off_before_done)
            channel.queue.submit(task)  # the same task, redelivered
            await channel.drain()
            await h.api.wait_for("conversations.replies")
            assert len(h.api.of("chat.postMessage")) == 1

            await asyncio.to_thread(cut_off_before_done)
            h.api.calls.remove(post)  # this time the reply never reached Slack
            channel.queue.submit(task)
            await h.api.wait_for("chat.postMessage")
            await channel.drain()
            assert len(h.api.of("chat.postMessage")) == 1

            other = Task(payload=SlackCall(work="converse", args=[event["event"], event["event_id"], None]))
            channel.queue.submit(other)  # the same event in another task: a duplicate, whatever the thread holds
            await channel.drain()
            assert len(h.api.of("chat.postMessage")) == 1

    asyncio.run(scenario())


def test_tasks_also_go_through_redis_as_the_broker(fresh_demo):
    """TASK_BROKER_URL=redis://…: Dramatiq's Redis broker carries the same tasks to the worker."""
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks="broker", task_broker_url="redis://127.0.0.1:6379/0") as h:
            await h.slack.event(direct_message(maya, "what's my path to data scientist?"))
            [post] = await h.api.wait_for("chat.postMessage")
            assert "data scientist" in post.args["text"].lower()

    asyncio.run(scenario())


def test_a_message_the_broker_refuses_is_answered_with_an_error_id_not_silence(fresh_demo):
    """RabbitMQ is down: the DM is acknowledged (Slack would retry otherwise), its task cannot be queued, and the
    person is told so, with an error id, from the web process."""
    from slack_standin import free_port

    maya = slack_id(person_id(fresh_demo, MAYA))
    nothing_listens = f"amqp://guest:guest@127.0.0.1:{free_port()}/"

    async def scenario():
        async with serving(fresh_demo, task_broker_url=nothing_listens) as h:
            await h.slack.event(direct_message(maya, "what's my path to data scientist?"))
            [post] = await h.api.wait_for("chat.postMessage")
            assert "error id" in post.args["text"].lower()

    asyncio.run(scenario())

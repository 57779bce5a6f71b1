"""/ladder, card clicks, modals, App Home and proactive messages over the real server."""

from __future__ import annotations

import asyncio
import json
import time

from sqlalchemy import select

from conversation import ActionKind, ActionRef, Reply
from bot.slack.action_ids import ActionId, CallbackId
from bot.slack.modals import field_block_id
from bot.slack.notifier import SlackNotifier
from storage.models import Occupation, Person, Proposal
from tests.channel_helpers import make_proposal

from slack_harness import (
    app_home_opened,
    app_mention,
    block_actions,
    person_id,
    serving,
    slack_id,
    slash_command,
    view_submission,
)
from slack_standin import BOT_TOKEN

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"


def _proposal(ladder, subject: str, approver: str, code: str = "DS101") -> tuple[int, int]:
    """A proposal made the way the agent makes them (approvals.service.create)."""
    return make_proposal(ladder, subject, approver, code, source="slack-test")


def test_ladder_command_help_refusal_and_admin_status(fresh_demo, slack_tasks):
    maya, priya = (slack_id(person_id(fresh_demo, e)) for e in (MAYA, PRIYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            started = time.perf_counter()
            status, body = await h.slack.form(slash_command(maya, "status", h.api.response_url("maya")))
            assert status == 200 and body == "" and time.perf_counter() - started < 3
            refusal = await h.api.final("response_url:maya")
            assert refusal.args["response_type"] == "ephemeral"
            assert "To see Ladder's status you need to be in HR or in L&D or an admin" in refusal.args["text"]
            assert "Who can grant it" in refusal.args["text"]

            await h.slack.form(slash_command(priya, "status", h.api.response_url("priya")))
            answer = await h.api.final("response_url:priya")
            assert answer.args["response_type"] == "ephemeral" and "Ladder status" in answer.args["text"]
            assert "people: 60" in json.dumps(answer.args["blocks"])

            await h.slack.form(slash_command(maya, "help", h.api.response_url("help")))
            helped = await h.api.final("response_url:help")
            assert "/ladder help" in helped.args["text"]
            assert h.api.problems == [] and not h.api.of("chat.postMessage")

    asyncio.run(scenario())


def test_a_slow_command_says_working_on_it_then_answers(fresh_demo, monkeypatch):
    from handlers import admin

    def slow(ladder, uow, actor, args):
        time.sleep(2.5)
        return Reply(text="Slow report ready.", ephemeral=True)

    monkeypatch.setitem(admin.ADMIN_COMMANDS, "slowreport", admin.AdminCommand(admin.Capability.admin_status, slow, ""))
    priya = slack_id(person_id(fresh_demo, PRIYA))

    async def scenario():
        async with serving(fresh_demo) as h:
            started = time.perf_counter()
            status, _ = await h.slack.form(slash_command(priya, "slowreport", h.api.response_url("slow")))
            assert status == 200 and time.perf_counter() - started < 1.0  # acked long before the work ends
            answers = await h.api.wait_for("response_url:slow", 2)
            assert [a.args["text"] for a in answers] == ["Working on it…", "Slow report ready."]

    asyncio.run(scenario())


def test_clicking_a_card_button_updates_the_original_message_and_answers_in_thread(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            mention = app_mention(maya, "what's my path to data scientist?")
            await h.slack.event(mention)
            [post] = await h.api.wait_for("chat.postMessage")
            posted = {"type": "message", "ts": "1700000000.000001", "thread_ts": mention["event"]["ts"], "text": post.args["text"],
                      "blocks": [{**b, "block_id": f"blk{i}"} for i, b in enumerate(post.args["blocks"])]}
            actions = next(b for b in posted["blocks"] if b["type"] == "actions")
            button = next(e for e in actions["elements"] if e["value"].startswith("set_target:"))
            assert ActionId.parse(button["action_id"]) is ActionId.set_target
            click = block_actions(maya, value=button["value"], action_id=button["action_id"], block_id=actions["block_id"],
                                  message=posted, channel="C0LADDER1", response_url=h.api.response_url("click"),
                                  label=button["text"]["text"])
            started = time.perf_counter()
            status, _ = await h.slack.interaction(click)
            assert status == 200 and time.perf_counter() - started < 3
            [update] = await h.api.wait_for("chat.update")
            assert update.args["channel"] == "C0LADDER1" and update.args["ts"] == posted["ts"]
            remaining = [e["value"] for b in update.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
            assert button["value"] not in remaining and remaining  # the other buttons stay usable
            assert "chose" in update.args["blocks"][-1]["elements"][0]["text"]
            posts = await h.api.wait_for("chat.postMessage", 2)
            assert posts[1].args["thread_ts"] == mention["event"]["ts"]
            assert "is now your target role" in posts[1].args["text"]

            await h.slack.interaction(click)  # the same click delivered twice changes nothing twice
            await h.api.settle()
            assert len(h.api.of("chat.update")) == 1 and len(h.api.of("chat.postMessage")) == 2
            assert h.api.problems == []
            return int(button["value"].split(":")[1])

    role_id = asyncio.run(scenario())
    with fresh_demo.db.session() as s:
        assert s.scalar(select(Person.target_role_id).where(Person.email == MAYA)) == role_id
        assert s.get(Occupation, role_id).label.lower() == "data scientist"


def _decision_message(home_blocks: list[dict], proposal_id: int, ts: str) -> tuple[dict, dict]:
    """The proposal card from the home page, as a DM message (how approval cards are delivered), with its row of buttons."""
    row = next(b for b in home_blocks if b["type"] == "actions" and any(e["value"].startswith(f"approve:{proposal_id}:") for e in b["elements"]))
    blocks = [{**b, "block_id": "decide"} if b is row else b for b in home_blocks]
    return {"type": "message", "ts": ts, "text": "Waiting for your decision", "blocks": blocks}, {**row, "block_id": "decide"}


def _status(ladder, proposal_id: int) -> str:
    with ladder.db.session() as s:
        return s.get(Proposal, proposal_id).status.value


def test_override_asks_the_use_case_for_its_form_and_the_submission_decides(fresh_demo, slack_tasks):
    daniel = slack_id(person_id(fresh_demo, DANIEL))
    proposal_id, version = _proposal(fresh_demo, MAYA, DANIEL)

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            await h.slack.event(app_home_opened(daniel))
            [home] = await h.api.wait_for("views.publish")
            message, row = _decision_message(home.args["view"]["blocks"], proposal_id, "1700000000.000777")
            assert [e["value"] for e in row["elements"]] == [f"approve:{proposal_id}:{version}", f"reject:{proposal_id}:{version}",
                                                              f"override:{proposal_id}:{version}"]
            override = row["elements"][2]
            click = block_actions(daniel, value=override["value"], action_id=override["action_id"], block_id="decide",
                                  message=message, channel="D0DANIEL1", response_url=h.api.response_url("o"), label="Override")
            assert (await h.slack.interaction(click))[0] == 200
            [opened] = await h.api.wait_for("views.open")
            view = opened.args["view"]
            assert opened.args["trigger_id"] == click["trigger_id"] and view["callback_id"] == CallbackId.form_modal.value
            inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
            assert set(inputs) == {field_block_id("change"), field_block_id("reason")}
            change = inputs[field_block_id("change")]["element"]
            assert change["type"] == "static_select" and change["options"]  # the courses the override can switch to
            assert _status(fresh_demo, proposal_id) == "proposed"  # opening the form decided nothing
            view_id = next(iter(h.api.views))

            # Submitting without the required inputs is refused in the modal itself, and nothing runs.
            empty = view_submission(daniel, view, {field_block_id("reason"): {"reason": ""}}, view_id)
            status, body = await h.slack.interaction(empty)
            assert status == 200 and json.loads(body)["response_action"] == "errors"
            assert set(json.loads(body)["errors"]) == {field_block_id("reason"), field_block_id("change")}

            choice = change["options"][0]["value"]
            filled = view_submission(daniel, view, {field_block_id("reason"): {"reason": "Maya starts a data project"}}, view_id)
            filled["view"]["state"]["values"][field_block_id("change")] = {
                "change": {"type": "static_select", "selected_option": {"value": choice, "text": change["options"][0]["text"]}}}
            status, body = await h.slack.interaction(filled)
            assert status == 200 and body == ""  # closes the modal
            [update] = await h.api.wait_for("chat.update")
            assert update.args["channel"] == "D0DANIEL1" and update.args["ts"] == message["ts"]
            assert not [b for b in update.args["blocks"] if b["type"] == "actions"
                        and any(e["value"].startswith("override:") for e in b["elements"])]  # decided: no more buttons
            assert h.api.problems == []

    asyncio.run(scenario())
    assert _status(fresh_demo, proposal_id) in ("overridden", "executed")


def test_reject_opens_a_modal_with_an_optional_reason_and_approve_updates_in_place(fresh_demo, slack_tasks):
    daniel = slack_id(person_id(fresh_demo, DANIEL))
    rejected_id, version = _proposal(fresh_demo, MAYA, DANIEL)
    approved_id, approved_version = _proposal(fresh_demo, MAYA, DANIEL, code="DS110")
    ref = ActionRef(kind=ActionKind.reject, target=str(rejected_id), version=version)

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            message = {"type": "message", "ts": "1700000000.000900", "text": "decide", "blocks": []}
            click = block_actions(daniel, value=ref.encode(), action_id=ActionId.reject.numbered(2), message=message,
                                  channel="D0DANIEL1", response_url=h.api.response_url("r"), label="Reject")
            await h.slack.interaction(click)
            [opened] = await h.api.wait_for("views.open")
            inputs = [b for b in opened.args["view"]["blocks"] if b["type"] == "input"]
            assert [(b["block_id"], b["optional"]) for b in inputs] == [(field_block_id("reason"), True)]
            view_id = next(iter(h.api.views))
            await h.slack.interaction(view_submission(daniel, opened.args["view"], {}, view_id))
            [update] = await h.api.wait_for("chat.update")
            assert update.args["ts"] == message["ts"]

            approve = ActionRef(kind=ActionKind.approve, target=str(approved_id), version=approved_version)
            message2 = {"type": "message", "ts": "1700000000.000901", "text": "decide", "blocks": []}
            await h.slack.interaction(block_actions(daniel, value=approve.encode(), action_id=ActionId.approve.numbered(1),
                                                    message=message2, channel="D0DANIEL1", response_url=h.api.response_url("a"),
                                                    label="Approve"))
            updates = await h.api.wait_for("chat.update", 2)
            assert updates[1].args["ts"] == message2["ts"]
            assert len(h.api.of("views.open")) == 1  # approving needs no modal

    asyncio.run(scenario())
    assert _status(fresh_demo, rejected_id) == "rejected"
    assert _status(fresh_demo, approved_id) in ("approved", "executed")


def test_a_decision_that_is_not_yours_gets_a_refusal_not_a_modal(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))
    proposal_id, version = _proposal(fresh_demo, MAYA, DANIEL)
    ref = ActionRef(kind=ActionKind.override, target=str(proposal_id), version=version)

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            message = {"type": "message", "ts": "1700000000.000950", "text": "card", "blocks": []}
            await h.slack.interaction(block_actions(maya, value=ref.encode(), action_id=ActionId.override.numbered(3),
                                                    message=message, channel="C0LADDER1", response_url=h.api.response_url("m"),
                                                    label="Override"))
            [refusal] = await h.api.wait_for("chat.postEphemeral")
            assert refusal.args["user"] == maya and refusal.args["thread_ts"] == message["ts"]
            await h.api.settle()
            assert not h.api.of("views.open")

    asyncio.run(scenario())
    assert _status(fresh_demo, proposal_id) == "proposed"


async def _thread_answer(h, channel: str):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [c for c in h.api.calls if c.method in ("chat.postMessage", "chat.postEphemeral") and c.args.get("channel") == channel]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answer in {channel}: {[c.method for c in h.api.calls]}")


def test_app_home_shows_skills_target_and_pending_decisions(fresh_demo, slack_tasks):
    maya, daniel = (slack_id(person_id(fresh_demo, e)) for e in (MAYA, DANIEL))
    _proposal(fresh_demo, MAYA, DANIEL)

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            await h.slack.event(app_home_opened(maya, tab="messages"))  # the Messages tab needs no page
            await h.slack.event(app_home_opened(maya))
            [home] = await h.api.wait_for("views.publish")
            assert home.args["user_id"] == maya and home.args["view"]["type"] == "home"
            text = json.dumps(home.args["view"]["blocks"])
            assert "Your verified skills" in text and ("Your target role" in text or "Target role:" in text)
            assert "approve:" not in text

            await h.slack.event(app_home_opened(daniel))
            homes = await h.api.wait_for("views.publish", 2)
            text = json.dumps(homes[1].args["view"]["blocks"])
            assert "Waiting for your decision" in text and "Maya Patel" in text
            assert h.api.problems == []

    asyncio.run(scenario())


def test_notifier_reaches_a_person_by_email(fresh_demo):
    from slack_harness import directory_of
    from slack_standin import SlackStandIn

    async def scenario():
        async with SlackStandIn(directory_of(fresh_demo)) as api:
            notifier = SlackNotifier(BOT_TOKEN, api.api_url)
            loop = asyncio.get_running_loop()
            reply = Reply(text="*A decision waits for you*", cards=[])
            assert await loop.run_in_executor(None, notifier.notify, DANIEL, reply) is True
            assert await loop.run_in_executor(None, notifier.notify, "nobody@kestrel.example", reply) is False
            assert [c.method for c in api.calls] == ["users.lookupByEmail", "conversations.open", "chat.postMessage",
                                                      "users.lookupByEmail"]
            assert api.of("chat.postMessage")[0].args["channel"] == "D" + slack_id(person_id(fresh_demo, DANIEL))

    asyncio.run(scenario())


def test_socket_mode_delivers_events_and_commands_without_a_public_url(fresh_demo, slack_tasks):
    from pydantic import SecretStr

    from slack_harness import app_mention as mention_payload

    maya, priya = (slack_id(person_id(fresh_demo, e)) for e in (MAYA, PRIYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks, slack_app_token=SecretStr("xapp-1-A111-1-standin0app0token")) as h:
            await asyncio.wait_for(h.api.socket_connected.wait(), 10)
            event = mention_payload(maya, "who am i?")
            await h.api.socket_outbox.put({"envelope_id": "env-1", "type": "events_api", "payload": event,
                                           "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""})
            await h.api.wait_for_ack("env-1")
            [post] = await h.api.wait_for("chat.postMessage")
            assert post.args["thread_ts"] == event["event"]["ts"] and "Maya Patel" in post.args["text"]

            command = slash_command(priya, "status", h.api.response_url("sock"))
            await h.api.socket_outbox.put({"envelope_id": "env-2", "type": "slash_commands", "payload": command,
                                           "accepts_response_payload": True})
            await h.api.wait_for_ack("env-2")
            answer = await h.api.final("response_url:sock")
            assert "Ladder status" in answer.args["text"]

    asyncio.run(scenario())

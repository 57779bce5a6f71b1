"""Bolt's listeners: each acknowledges (Bolt acks events itself), hands the payload to work that runs after
the ack (``dispatch``), and nothing else — the ack must never wait for Ladder."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.async_app import AsyncApp

from bot.slack.action_ids import ACTION_PATTERN, CallbackId
from bot.slack.command import COMMAND
from bot.slack.messages import is_conversational, mentions
from bot.slack.modals import field_block_id, metadata, submitted_values
from conversation import ActionRef

# dispatch(work, *payload, what=...): run the named work after the ack (see SlackChannel.dispatch).
Dispatch = Callable[..., None]
PLEASE_FILL_IN = "Please fill this in."


def register(bolt: AsyncApp, dispatch: Dispatch) -> None:
    def accept_message(event: dict, body: dict, request, bot_user_id: str | None) -> None:
        if not is_conversational(event, bot_user_id):
            return
        retry = request.headers.get("x-slack-retry-num", [None])[0] if request is not None else None
        dispatch("converse", event, body.get("event_id"), retry, what="message")

    @bolt.event("app_mention")
    async def on_mention(event: dict, body: dict, request, context) -> None:
        accept_message(event, body, request, context.bot_user_id)

    @bolt.event("message")
    async def on_message(event: dict, body: dict, request, context) -> None:
        if event.get("channel_type") in (None, "im"):
            accept_message(event, body, request, context.bot_user_id)
            return
        # In a channel, Ladder hears a message without an @mention only as a reply in a thread; whether it is a
        # thread Ladder is answering is looked up after the ack. Anything else is channel chatter.
        thread_ts = event.get("thread_ts")
        if thread_ts and thread_ts != event.get("ts") and is_conversational(event, context.bot_user_id) \
                and not mentions(event, context.bot_user_id):
            retry = request.headers.get("x-slack-retry-num", [None])[0] if request is not None else None
            dispatch("converse_in_thread", event, body.get("event_id"), retry, what="message")

    @bolt.event("app_home_opened")
    async def on_home_opened(event: dict) -> None:
        if event.get("tab", "home") != "home":
            return
        dispatch("publish_home", event["user"], what="app_home")

    @bolt.command(COMMAND)
    async def on_command(ack, command: dict) -> None:
        await ack()
        dispatch("run_command", command, what="command")

    @bolt.action(ACTION_PATTERN)
    async def on_click(ack, body: dict, action: dict) -> None:
        await ack()
        dispatch("click", body, action, what="block_actions")

    @bolt.view(CallbackId.form_modal.value)
    async def on_form_submitted(ack, body: dict, view: dict) -> None:
        meta = metadata(view)
        values = submitted_values(view.get("state", {}).get("values", {}))
        try:
            ref = ActionRef.decode(meta.get("ref", ""))
        except ValueError:
            await ack()
            return
        missing = [name for name in meta.get("required", []) if not values.get(name)]
        if missing:  # Slack enforces required inputs in its clients; this guards hand-made submissions
            await ack(response_action="errors", errors={field_block_id(n): PLEASE_FILL_IN for n in missing})
            return
        await ack()
        dispatch("submit_form", body, view, ref.encode(), values, meta, what="view_submission")

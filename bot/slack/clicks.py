"""Clicks on Ladder's buttons, and the modals they open.

A click is routed like any message. When the reply asks for inputs (``Reply.form``: a reason, a change) it
opens a modal with the click's trigger_id instead of being posted; the modal's submission is routed as the
same action with the values (``form_submitted``). Either way the message clicked on is updated afterwards:
its outcome in place, or a note saying who chose what (the used-up buttons gone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.delivery import TASK_HOLDER, claim_for_task, claim_once, delivery_key, mark_done
from bot.slack import blocks as bk
from bot.slack.home import AppHome
from bot.slack.modals import modal_view
from bot.slack.outbox import post_response_url
from bot.slack.services import SlackServices
from conversation import ActionKind, ActionRef, Channel, Form, Reply

log = logging.getLogger(__name__)

DECISION_KINDS = frozenset({ActionKind.approve, ActionKind.reject, ActionKind.override})
OUT_OF_DATE = "That button is out of date — ask me again and use the new one."


@dataclass(frozen=True)
class ClickPlace:
    """Where a click happened, to answer there."""

    channel: str | None
    thread_ts: str | None  # the thread to answer in
    message_ts: str | None  # the message clicked on
    in_view: bool = False  # on App Home (or in a modal): answered in a DM, and the page refreshed
    ephemeral_url: str | None = None  # an ephemeral message can only be changed through its response_url

    @classmethod
    def of_click(cls, body: dict) -> "ClickPlace":
        container = body.get("container") or {}
        message = body.get("message") or {}
        message_ts = container.get("message_ts") or message.get("ts")
        return cls(channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
                   thread_ts=message.get("thread_ts") or container.get("thread_ts") or message_ts,
                   message_ts=message_ts, in_view=container.get("type") == "view",
                   ephemeral_url=body.get("response_url") if container.get("is_ephemeral") else None)

    def as_metadata(self) -> dict[str, Any]:
        """For a modal's private_metadata: its submission is answered where the click was."""
        return {"channel": self.channel, "ts": self.message_ts, "thread_ts": self.thread_ts,
                "surface": "view" if self.in_view else "message"}

    @classmethod
    def of_metadata(cls, meta: dict[str, Any]) -> "ClickPlace":
        return cls(channel=meta.get("channel"), thread_ts=meta.get("thread_ts"), message_ts=meta.get("ts"),
                   in_view=meta.get("surface") == "view")


@dataclass(frozen=True)
class Chosen:
    """What was chosen on the message clicked on: to note who chose what there, and take the used-up buttons away."""

    message: dict[str, Any]  # the original message: its blocks and text
    label: str
    action_id: str
    whole_block: bool  # a decision: its whole row of buttons goes
    block_id: str | None = None


class Clicks:
    def __init__(self, services: SlackServices, home: AppHome) -> None:
        self.services = services
        self.home = home

    async def click(self, body: dict, action: dict) -> None:
        s = self.services
        user = body["user"]["id"]
        place = ClickPlace.of_click(body)
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        label = (action.get("text") or action.get("selected_option", {}).get("text") or {}).get("text", "")
        key = delivery_key(Channel.slack, "click", user, action.get("action_ts", ""), action.get("action_id", ""))
        holder = TASK_HOLDER.get()
        state = await s.in_thread(claim_for_task, s.ladder.db, [key], holder)
        if state == "duplicate":
            return
        if state == "resumed" and not place.in_view and await s.outbox.posted_by(place.channel, place.thread_ts, holder):
            await s.in_thread(mark_done, s.ladder.db, [key])  # a redelivered task whose answer is already there
            return
        try:
            ref = ActionRef.decode(value)
        except ValueError:
            await self._answer(user, Reply(text=OUT_OF_DATE, ephemeral=True), place)
            return
        email = await s.identify(user)
        clicked = s.message(user, email, conversation_id=place.channel or f"home:{user}", thread_id=place.thread_ts,
                            action=ref)
        reply = await s.route(clicked)
        if reply.form is None:
            chosen = Chosen(body.get("message") or {}, label, action.get("action_id", ""),
                            whole_block=ref.kind in DECISION_KINDS)
            await self._answer(user, reply, place, chosen)
        else:
            await self._open_form(body, action, label, place, reply.form)
        await s.in_thread(mark_done, s.ladder.db, [key])

    async def _open_form(self, body: dict, action: dict, label: str, place: ClickPlace, form: Form) -> None:
        s = self.services
        where = {**place.as_metadata(), "label": label, "block_id": action.get("block_id")}
        opened = await s.client.views_open(trigger_id=body["trigger_id"], view=modal_view(form, where))
        message = body.get("message") or {}
        view_id = (opened.get("view") or {}).get("id")
        if message.get("blocks") and view_id:
            # The submission won't carry the original message; keep it to update it afterwards.
            await s.in_thread(self._keep_original, view_id, {"blocks": message["blocks"], "text": message.get("text") or ""})

    async def submit_form(self, body: dict, view: dict, ref: ActionRef, values: dict[str, str], meta: dict) -> None:
        s = self.services
        user = body["user"]["id"]
        place = ClickPlace.of_metadata(meta)
        key = delivery_key(Channel.slack, "view", view.get("id", ""), view.get("hash", ""))
        if not await s.in_thread(claim_once, s.ladder.db, [key], TASK_HOLDER.get()):
            return
        email = await s.identify(user)
        reply = await s.route(s.message(user, email, conversation_id=place.channel or f"home:{user}",
                                        thread_id=place.thread_ts, action=ref, form=values, form_submitted=True))
        original = await s.in_thread(self._take_original, view.get("id"))
        chosen = None
        if original:
            chosen = Chosen(original, meta.get("label") or ref.kind.value, action_id="", whole_block=True,
                            block_id=meta.get("block_id"))
        await self._answer(user, reply, place, chosen)
        await s.in_thread(mark_done, s.ladder.db, [key])

    async def report_failure(self, body: dict, meta: dict | None = None, error_id: str | None = None) -> None:
        """A click (or, with ``meta``, a modal's submission) failed: say so where it was made."""
        place = ClickPlace.of_click(body) if meta is None else ClickPlace.of_metadata(meta)
        await self.services.outbox.report_failure(place.channel, thread_ts=place.thread_ts, user=body["user"]["id"],
                                                  what="click" if meta is None else "view_submission", error_id=error_id)

    async def _answer(self, user: str, reply: Reply, place: ClickPlace, chosen: Chosen | None = None) -> None:
        outbox = self.services.outbox
        if place.in_view or not place.channel:
            await outbox.dm(user, reply)
            await self.home.publish(user)
            return
        if place.ephemeral_url:
            for i, part in enumerate(bk.render(reply)):
                await post_response_url(place.ephemeral_url, {"text": part.text, "blocks": part.blocks,
                                                              "replace_original": i == 0, "response_type": "ephemeral"})
            return
        if reply.replace_original and place.message_ts:
            await outbox.replace(place.channel, place.message_ts, reply, thread_ts=place.thread_ts)
            return
        if chosen is not None and place.message_ts and chosen.message.get("blocks") and not reply.error_id and not reply.ephemeral:
            blocks = bk.clicked_blocks(chosen.message["blocks"], f"<@{user}>", chosen.label, action_id=chosen.action_id,
                                       whole_block=chosen.whole_block, block_id=chosen.block_id)
            await outbox.mark(place.channel, place.message_ts, text=chosen.message.get("text") or "Ladder", blocks=blocks)
        await outbox.post(place.channel, reply, thread_ts=place.thread_ts, user=user, private_ok=not place.channel.startswith("D"))

    def _keep_original(self, view_id: str, message: dict[str, Any]) -> None:
        with self.services.ladder.db.unit_of_work() as uow:
            uow.chat.keep(_modal_key(view_id), message)

    def _take_original(self, view_id: str | None) -> dict[str, Any] | None:
        if not view_id:
            return None
        with self.services.ladder.db.unit_of_work() as uow:
            return uow.chat.take(_modal_key(view_id))


def _modal_key(view_id: str) -> str:
    return f"slack:modal:{view_id}"

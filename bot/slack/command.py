"""``/ladder …``: acked at once; the answer (always private: admin data, someone's plans) follows through the
command's response_url, after a "working on it" when it takes a while."""

from __future__ import annotations

import asyncio

from bot.delivery import TASK_HOLDER, claim_once, delivery_key, mark_done
from bot.slack import blocks as bk
from bot.slack.outbox import post_response_url
from bot.slack.services import SlackServices
from conversation import Channel

COMMAND = "/ladder"
SLOW_COMMAND_SECONDS = 2.0  # a slash command still running after this gets a private "working on it"
WORKING_ON_IT = "Working on it…"


class Responder:
    """Answers a slash command through its response_url, or privately in the channel when there is none."""

    def __init__(self, services: SlackServices, command: dict) -> None:
        self.services = services
        self.command = command

    async def __call__(self, *, text: str, blocks: list | None = None, response_type: str = "ephemeral") -> None:
        url = self.command.get("response_url")
        if url:
            await post_response_url(url, {"text": text, "blocks": blocks or [], "response_type": response_type})
            return
        await self.services.client.chat_postEphemeral(channel=self.command["channel_id"], user=self.command["user_id"],
                                                      text=text, blocks=blocks or None)


class SlashCommand:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    async def run(self, command: dict) -> None:
        s = self.services
        respond = Responder(s, command)
        user = command["user_id"]
        key = delivery_key(Channel.slack, "command", command.get("trigger_id") or "")
        if command.get("trigger_id") and not await s.in_thread(claim_once, s.ladder.db, [key], TASK_HOLDER.get()):
            return  # this very command, run already (its task delivered twice)
        email = await s.identify(user)
        message = s.message(user, email, conversation_id=command.get("channel_id") or f"command:{user}",
                            text=f"{COMMAND} {command.get('text') or ''}".strip())
        work = asyncio.ensure_future(s.route(message))
        done, _ = await asyncio.wait({work}, timeout=SLOW_COMMAND_SECONDS)
        if not done:
            await respond(text=WORKING_ON_IT, response_type="ephemeral")
        reply = await work
        for part in bk.render(reply):
            await respond(text=part.text, blocks=part.blocks, response_type="ephemeral")
        if command.get("trigger_id"):
            await s.in_thread(mark_done, s.ladder.db, [key])

    async def report_failure(self, command: dict, error_id: str | None = None) -> None:
        await self.services.outbox.report_failure(command.get("channel_id"), user=command.get("user_id"), what="command",
                                                  respond=Responder(self.services, command), error_id=error_id)

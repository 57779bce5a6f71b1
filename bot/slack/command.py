"""``/ladder …``: acked at once; the answer (always private: admin data, someone's plans) follows through the
command's response_url, after a "working on it" when it takes a while."""

from __future__ import annotations

import asyncio

from bot.slack import blocks as bk
from bot.slack.outbox import post_response_url
from bot.slack.services import SlackServices

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
        try:
            user = command["user_id"]
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
        except Exception:  # noqa: BLE001 - after the ack the person must still hear back
            await self.report_failure(command)

    async def report_failure(self, command: dict) -> None:
        await self.services.outbox.report_failure(command.get("channel_id"), user=command.get("user_id"), what="command",
                                                  respond=Responder(self.services, command))

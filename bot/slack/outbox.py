"""Everything Ladder says in Slack goes out here: replies in a conversation, DMs, a message replaced by its
outcome, answers through a response_url — and, when something failed, the plain-language report with its id."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import TASK_HOLDER
from bot.slack import blocks as bk
from conversation import Reply, log_failure, sorry_text

log = logging.getLogger(__name__)

# Answers a slash command or an ephemeral message (its response_url, or the channel as a fallback).
Respond = Callable[..., Awaitable[None]]
REPLY_EVENT = "ladder_reply"  # the metadata event type of a reply posted for a task


class SlackOutbox:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, channel: str, reply: Reply, *, thread_ts: str | None, user: str, private_ok: bool = True,
                   parts: list[bk.SlackMessage] | None = None) -> None:
        # A reply posted for a task carries the task's id in Slack's message metadata: a redelivery of the task
        # (its worker killed just after posting) finds it there and does not post again (``posted_by``).
        task_id = TASK_HOLDER.get()
        metadata = {"event_type": REPLY_EVENT, "event_payload": {"task_id": task_id}} if task_id else None
        for part in parts if parts is not None else bk.render(reply):
            if reply.ephemeral and private_ok:
                await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=part.text,
                                                     blocks=part.blocks)
            else:
                await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=part.text, blocks=part.blocks,
                                                   metadata=metadata)
        if reply.attachments:
            # A file cannot be ephemeral in Slack: a private reply's files (a chart, a data export) go to the person's
            # DM instead, never to the channel the request came from.
            private = reply.ephemeral and private_ok and not channel.startswith("D")
            where = (await self.client.conversations_open(users=user))["channel"]["id"] if private else channel
            await self.upload(where, reply, thread_ts=None if private else thread_ts)

    async def posted_by(self, channel: str | None, thread_ts: str | None, task_id: str | None) -> bool:
        """Whether the thread already holds a reply posted for ``task_id`` (read from Slack, with its metadata).
        Only a redelivered task asks; an ephemeral reply leaves nothing to find and is posted again."""
        if not (channel and thread_ts and task_id):
            return False
        found = await self.client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True, limit=100)
        return any(((m.get("metadata") or {}).get("event_payload") or {}).get("task_id") == task_id
                   for m in found.get("messages") or [])

    async def upload(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> None:
        """The reply's files with their alt text, in one files_upload_v2 call."""
        await self.client.files_upload_v2(
            channel=channel, thread_ts=thread_ts,
            initial_comment="Your files from Ladder" if len(reply.attachments) > 1 else None,
            file_uploads=[{"content": a.data, "filename": a.filename, "title": a.filename, "alt_txt": a.alt_text}
                          for a in reply.attachments])

    async def dm(self, user: str, reply: Reply) -> None:
        channel = (await self.client.conversations_open(users=user))["channel"]["id"]
        await self.post(channel, reply.model_copy(update={"attachments": []}), thread_ts=None, user=user, private_ok=False)
        if reply.attachments:
            await self.upload(channel, reply)

    async def replace(self, channel: str, ts: str, reply: Reply, *, thread_ts: str | None) -> None:
        """The message at ``ts`` becomes the reply (a long reply continues in the thread)."""
        first, *rest = bk.render(reply)
        await self.client.chat_update(channel=channel, ts=ts, text=first.text, blocks=first.blocks)
        for part in rest:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=part.text, blocks=part.blocks)

    async def mark(self, channel: str, ts: str, *, text: str, blocks: list[dict[str, Any]]) -> None:
        """Rewrite the message at ``ts`` (e.g. the buttons a click used up, and who clicked)."""
        await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    async def report_failure(self, channel: str | None, *, thread_ts: str | None = None, user: str | None = None,
                             what: str, respond: Respond | None = None, error_id: str | None = None) -> None:
        """Log the exception being handled with an error id (``error_id``: the one it was logged under already), and
        tell the person where they asked."""
        error_id = log_failure(log, "slack reply failed", work=what, error_id=error_id)
        text = sorry_text(error_id)
        # Most private first; if Slack refuses one way (often the very failure we report), try the next.
        attempts = []
        if respond is not None:
            attempts.append(lambda: respond(text=text, response_type="ephemeral"))
        if channel and user and not channel.startswith("D"):
            attempts.append(lambda: self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text))
        if channel:
            attempts.append(lambda: self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text))
        for attempt in attempts:
            try:
                await attempt()
                return
            except Exception:  # noqa: BLE001 - Slack itself is failing; the log has the error id
                log.warning("could not report the failure this way", extra={"error_id": error_id}, exc_info=True)
        log.error("could not report the failure to the person", extra={"error_id": error_id})


async def post_response_url(url: str, payload: dict[str, Any]) -> None:
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    response = await AsyncWebhookClient(url).send_dict(payload)
    if response.status_code >= 300:
        raise RuntimeError(f"response_url answered {response.status_code}")

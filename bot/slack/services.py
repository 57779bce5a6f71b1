"""What every piece of Slack's work after the ack uses: the Ladder and its router, the Web API client, the
threads that run synchronous work (the router, the database), who Slack users are, and the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.identity import ChatUsers
from bot.slack.directory import SlackDirectory
from bot.slack.outbox import SlackOutbox
from conversation import Channel, Message, Reply
from handlers.context import Ladder
from handlers.router import Router


def _lower_priority() -> None:
    """Worker threads yield the CPU to the event loop thread that acks Slack (Linux: per-thread nice)."""
    import os
    import threading

    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: acks are still fast, just less so under load
        pass


class SlackServices:
    def __init__(self, ladder: Ladder, *, token: str, api_url: str, threads: int) -> None:
        self.ladder = ladder
        self.router = Router(ladder)
        self.client = AsyncWebClient(token=token, base_url=api_url)
        self.directory = SlackDirectory(self.client)
        self.users = ChatUsers(ladder.db, Channel.slack)
        self.outbox = SlackOutbox(self.client)
        # An erasure run in this process clears what this process remembers about the person.
        ladder.caches.append(lambda ids, email: self.directory.forget_person(ids, email) + self.users.forget(ids, email))
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="slack-work", initializer=_lower_priority)

    async def in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def identify(self, user: str) -> str | None:
        """The Slack user's directory email (None when Slack won't say), linked to their person on first sight."""
        email = await self.directory.email(user)
        if email and not self.users.remembered(user, email):
            await self.in_thread(self.users.remember, user, email)
        return email

    def message(self, user: str, email: str | None, *, conversation_id: str, **fields: Any) -> Message:
        return Message(channel=Channel.slack, sender_email=email, sender_external_id=user,
                       conversation_id=conversation_id, **fields)

    async def route(self, message: Message) -> Reply:
        return await self.in_thread(self.router.handle, message)

    async def open_session(self) -> None:
        """One HTTP connection pool for all Web API calls (a new connection per call costs the event loop time)."""
        import aiohttp

        if self.client.session is None:
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))

    async def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.client.session is not None:
            await self.client.session.close()
            self.client.session = None

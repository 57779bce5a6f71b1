"""Proactive messages in Teams: ``ladder.notify(email, reply)`` reaches a person without them writing first.

Uses the conversation reference stored on first contact / install. A personal-chat reference is
continued directly; from a channel reference a 1:1 chat is created first (POST /v3/conversations) and
its reference stored for next time.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from botbuilder.core import TurnContext
from botbuilder.schema import ConversationParameters, ConversationReference

from bot.identity import ChatUsers
from bot.teams import contacts
from bot.teams.bot import reply_activity
from conversation import Channel, Reply
from handlers.context import Ladder

log = logging.getLogger(__name__)


class TeamsNotifier:
    def __init__(self, ladder: Ladder, adapter, app_id: str) -> None:
        self.ladder = ladder
        self.users = ChatUsers(ladder.db, Channel.teams)
        self.adapter = adapter
        self.app_id = app_id
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's loop, set when it starts
        self._loop_thread: int | None = None
        self.timeout_seconds = 30.0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._loop_thread = threading.get_ident()

    def notify(self, person_email: str, reply: Reply) -> bool:
        """Synchronous, as the domain calls it. Safe from worker threads and from plain scripts."""
        found = contacts.reference_for(self.users, person_email)
        if found is None:
            return False
        identity_id, ref_json = found
        coro = self.send(identity_id, ref_json, reply)
        loop = self.loop
        if loop is not None and loop.is_running():
            if threading.get_ident() == self._loop_thread:  # called on the loop itself: don't block it
                task = loop.create_task(coro)
                task.add_done_callback(_log_failure)
                return True
            return asyncio.run_coroutine_threadsafe(coro, loop).result(self.timeout_seconds)
        return asyncio.run(coro)

    async def send(self, identity_id: int, ref_json: dict, reply: Reply) -> bool:
        reference = ConversationReference().deserialize(ref_json)
        conversation_type = (ref_json.get("conversation") or {}).get("conversationType") or "personal"
        activity = reply_activity(reply)

        async def deliver(turn_context: TurnContext) -> None:
            # The continuation activity has a made-up id; without this the SDK would "reply" to it.
            turn_context.activity.id = None
            await turn_context.send_activity(activity)

        if conversation_type == "personal":
            await self.adapter.continue_conversation(reference, deliver, self.app_id)
            return True

        tenant_id = reference.conversation.tenant_id if reference.conversation else None
        created: dict = {}

        async def deliver_and_remember(turn_context: TurnContext) -> None:
            new_ref = TurnContext.get_conversation_reference(turn_context.activity)
            new_ref.user = reference.user
            created.update(new_ref.serialize())
            created.setdefault("conversation", {})["conversationType"] = "personal"
            created.pop("activityId", None)
            turn_context.activity.id = None
            await turn_context.send_activity(activity)

        params = ConversationParameters(
            is_group=False, bot=reference.bot, members=[reference.user], tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
        )
        await self.adapter.create_conversation(self.app_id, deliver_and_remember, params,
                                               reference.channel_id or "msteams", reference.service_url, None)
        if created:
            # Not awaited: the caller may be inside a unit of work that holds SQLite's write lock while it
            # waits for this send; remembering the new chat must not wait for that transaction.
            saving = asyncio.get_running_loop().run_in_executor(
                None, self.users.set_reference, identity_id, created)
            saving.add_done_callback(_log_failure)
        return True


def _log_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("teams notification failed", exc_info=task.exception())

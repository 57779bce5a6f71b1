"""Someone wrote to Ladder (a DM, an @mention in a channel, a document shared in a DM): claim the delivery once,
route it, answer in the thread. A failure propagates: the task queue retries it, and tells the person when it
finally fails (``report_failure``)."""

from __future__ import annotations

import logging
import re

from bot.delivery import TASK_HOLDER, claim_for_task, delivery_key, mark_done
from bot.slack import blocks as bk
from bot.slack.services import SlackServices
from conversation import Channel, Message, Reply
from understanding.understand import has_words

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Message subtypes that are a person saying something new; edits, deletions, joins, bot posts are not.
CONVERSATIONAL_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def is_conversational(event: dict, bot_user_id: str | None) -> bool:
    """A person said something new (not a bot — ourselves included —, an edit, a deletion, a join)."""
    if event.get("bot_id") or event.get("subtype") not in CONVERSATIONAL_SUBTYPES or not event.get("user"):
        return False
    return not (bot_user_id and event.get("user") == bot_user_id)


def mentions(event: dict, bot_user_id: str | None) -> bool:
    """The message @mentions Ladder (it then also arrives as ``app_mention``, which answers it)."""
    return bool(bot_user_id) and f"<@{bot_user_id}>" in (event.get("text") or "")


def message_place(event: dict) -> tuple[str, str, str | None]:
    """Where a message is answered: (channel, thread, who may get a private reply — None in a DM)."""
    channel = event["channel"]
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    return channel, event.get("thread_ts") or event["ts"], None if is_dm else event["user"]


class Conversations:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    async def converse(self, event: dict, event_id: str | None, retry: str | None) -> None:
        s = self.services
        ts, user = event["ts"], event["user"]
        channel, thread_ts, private_to = message_place(event)
        # One post can arrive as two events (message.im and app_mention): the channel and ts name it too.
        keys = [delivery_key(Channel.slack, "msg", channel, ts)]
        if event_id:
            keys.append(delivery_key(Channel.slack, "event", event_id))
        is_dm = private_to is None
        holder = TASK_HOLDER.get()
        email = await s.identify(user)
        message = s.message(user, email, conversation_id=channel, thread_id=thread_ts, text=event.get("text") or "")
        if is_dm and event.get("files"):
            # A document shared in a DM (file_share): fetch it; the router decides whether it may be ingested.
            message.form["files"] = "\n".join(await self.download_files(event["files"]))
        answered = await s.in_thread(self._claim_and_answer, keys, message, holder)
        if answered is None:
            log.info("duplicate slack event skipped", extra={"event_id": event_id, "retry": retry})
            return
        reply, parts, resumed = answered
        if resumed and await s.outbox.posted_by(channel, thread_ts, holder):
            log.info("redelivered task: its reply was already posted", extra={"task_id": holder})
            await s.in_thread(mark_done, s.ladder.db, keys)
            return
        await s.outbox.post(channel, reply, thread_ts=thread_ts, user=user, private_ok=not is_dm, parts=parts)
        await s.in_thread(mark_done, s.ladder.db, keys)

    async def converse_in_thread(self, event: dict, event_id: str | None, retry: str | None) -> None:
        """A reply in a channel thread without an @mention: answered when Ladder is already answering that thread."""
        if not event.get("files") and not has_words(event.get("text") or ""):
            return  # a "👍" or "🙏" in the thread is for the people in it, not a question for Ladder
        channel, thread_ts, _private_to = message_place(event)
        key = self.services.message("", None, conversation_id=channel, thread_id=thread_ts).context_key
        if not await self.services.in_thread(self._in_conversation, key):
            return  # people talking among themselves in a thread Ladder has not been asked into
        await self.converse(event, event_id, retry)

    def _in_conversation(self, key: str) -> bool:
        with self.services.ladder.db.read_only() as uow:
            return bool(uow.conversations.context(key))

    async def report_failure(self, event: dict, error_id: str | None = None) -> None:
        channel, thread_ts, private_to = message_place(event)
        await self.services.outbox.report_failure(channel, thread_ts=thread_ts, user=private_to, what="message",
                                                  error_id=error_id)

    def _claim_and_answer(self, keys: list[str], message: Message,
                          holder: str | None) -> tuple[Reply, list[bk.SlackMessage], bool] | None:
        """In a worker thread, in one hop: claim the delivery, route, render (keeps CPU off the event loop).
        The flag says the task had claimed it before (a redelivery)."""
        state = claim_for_task(self.services.ladder.db, keys, holder)
        if state == "duplicate":
            return None
        reply = self.services.router.handle(message)
        return reply, bk.render(reply), state == "resumed"

    async def download_files(self, files: list[dict]) -> list[str]:
        """Save shared files under data_dir/uploads (authenticated with the bot token), at most 20 MB each."""
        s = self.services
        folder = s.ladder.settings.data_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for f in files:
            url = f.get("url_private_download") or f.get("url_private")
            if not url or (f.get("size") or 0) > MAX_UPLOAD_BYTES:
                continue
            name = re.sub(r"[^A-Za-z0-9._-]+", "_", f.get("name") or "document")[:120]
            target = folder / f"{f.get('id', 'F')}-{name}"
            await s.open_session()
            async with s.client.session.get(url, headers={"Authorization": f"Bearer {s.client.token}"}) as response:
                if response.status != 200:
                    log.warning("slack file download failed", extra={"status": response.status, "file": f.get("id")})
                    continue
                body = await response.read()
            if len(body) <= MAX_UPLOAD_BYTES:
                target.write_bytes(body)
                saved.append(str(target))
        return saved

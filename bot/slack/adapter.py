"""The Slack channel: a Bolt AsyncApp whose listeners ack first and then hand a channel-neutral
``Message`` to the router, rendering the ``Reply`` as Block Kit. The work after the ack runs in worker
processes (``SLACK_ANSWER_PROCESSES``, see ``bot/slack/workers.py``) or, with 0, in threads of this process.

Transport only: parse → Message → Router(ladder).handle → render → Web API call. No use-case logic here.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from conversation import ActionKind, ActionRef, Channel, Message, Reply
from handlers.router import NOT_IN_DIRECTORY, Router
from bot.slack import blocks as bk
from bot.slack import dedupe
from bot.slack.action_ids import ACTION_PATTERN, ASKS_FOR_FORM, NEEDS_REASON, CallbackId
from bot.slack.identity import SlackDirectory, remember_identity
from handlers import home as home_handler
from handlers.context import Ladder
from storage import queries
from storage.models import ConversationState

log = logging.getLogger(__name__)

COMMAND = "/ladder"
SLOW_COMMAND_SECONDS = 2.0  # a slash command still running after this gets a private "working on it"
WORKING_ON_IT = "Working on it…"
DECISION_KINDS = frozenset({ActionKind.approve, ActionKind.reject, ActionKind.override})
# Message subtypes that are a person saying something new; edits, deletions, joins, bot posts are not.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CONVERSATIONAL_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def _lower_priority() -> None:
    """Worker threads yield the CPU to the event loop thread that acks Slack (Linux: per-thread nice)."""
    import os
    import threading

    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: acks are still fast, just less so under load
        pass


class _SameTokenWarning(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and, given our client (built from the same
    setting), warns that the token "will be unused" — a warning nobody can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt")
    if not any(isinstance(f, _SameTokenWarning) for f in logger.filters):
        logger.addFilter(_SameTokenWarning())
    return logger


def _error_text(error_id: str) -> str:
    return (f"Sorry, something went wrong on my side and I couldn't finish that. "
            f"Please try again in a minute; if it keeps happening, give HR this error id: {error_id}.")


def _new_error_id() -> str:
    return uuid.uuid4().hex[:10]


class AckHold:
    """Work spawned while an HTTP request is being acknowledged waits until the ack is on the wire.

    Bolt runs listeners as tasks next to the response; started at once, a listener's work (in threads, holding
    the GIL) would delay the very ack Slack is waiting for.
    """

    def __init__(self) -> None:
        self.released = False
        self.waiting: list[Callable[[], None]] = []

    def defer(self, start: Callable[[], None]) -> bool:
        if self.released:
            return False
        self.waiting.append(start)
        return True

    def release(self) -> None:
        self.released = True
        waiting, self.waiting = self.waiting, []
        for start in waiting:
            start()


ACK_HOLD: contextvars.ContextVar[AckHold | None] = contextvars.ContextVar("slack_ack_hold", default=None)


class SlackChannel:
    """One Bolt app bound to one Ladder. ``bolt`` serves HTTP (mounted by ``mount``) and Socket Mode alike."""

    def __init__(self, ladder: Ladder, *, token: str, signing_secret: str, api_url: str, workers: int = 2,
                 answer_processes: int = 0) -> None:
        self.ladder = ladder
        self.router = Router(ladder)
        self.client = AsyncWebClient(token=token, base_url=api_url)
        self.directory = SlackDirectory(self.client)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-work", initializer=_lower_priority)
        self.workers = None
        if answer_processes > 0:
            from bot.slack.workers import WorkerPool

            self.workers = WorkerPool(ladder.settings, answer_processes, deliver=self._deliver, report_lost=self._report_lost)
        self._tasks: set[asyncio.Task] = set()
        self._known_identities: set[str] = set()
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            process_before_response=False,
            request_verification_enabled=True,
            logger=_bolt_logger(),
        )
        self._register()

    # ------------------------------------------------------------------ plumbing

    def dispatch(self, method: str, *args: Any, what: str) -> None:
        """Run ``self.<method>(*args)`` after the ack: in this process, or in a worker process when there are some.

        The arguments are plain data (Slack payload dicts, strings), so the call can cross a process boundary.
        """
        if self.workers is None:
            self.spawn(getattr(self, method)(*args), what)
            return
        hold = ACK_HOLD.get()
        if hold is None or not hold.defer(lambda: self.workers.submit(method, args)):
            self.workers.submit(method, args)

    async def _deliver(self, email: str, reply: dict) -> None:
        """A proactive message a worker's domain work asked for (this process owns the channels that reach people)."""
        await self.in_thread(self.ladder.notify, email, Reply.model_validate(reply))

    async def _report_lost(self, method: str, args: tuple) -> None:
        """A worker died during this call: tell the person where they asked, as a failure in the call itself would."""
        if method == "converse":
            channel, thread_ts, private_to = _message_place(args[0])
            await self.report_failure(channel, thread_ts=thread_ts, user=private_to, what="message")
        elif method == "run_command":
            command = args[0]
            await self.report_failure(command.get("channel_id"), user=command.get("user_id"), what="command",
                                      respond=_Responder(self, command))
        elif method == "click":
            channel, thread_ts, _ = _click_place(args[0])
            await self.report_failure(channel, thread_ts=thread_ts, user=args[0]["user"]["id"], what="click")
        elif method == "submit_reason":
            meta = args[4]
            await self.report_failure(meta.get("channel"), thread_ts=meta.get("thread_ts"), user=args[0]["user"]["id"],
                                      what="view_submission")
        else:
            log.error("slack work lost with a worker process", extra={"error_id": _new_error_id(), "work": method})

    def spawn(self, coro: Awaitable[None], what: str) -> None:
        """Run work after the ack. Failures are logged with an error id (the coroutine reports to the person).

        Inside an HTTP request the work starts only once the ack is written (see ``AckHold``).
        """
        async def guarded() -> None:
            try:
                await coro
            except Exception:  # noqa: BLE001 - last line of defence: never an unlogged failure
                log.exception("slack background work failed", extra={"error_id": _new_error_id(), "work": what})

        loop = asyncio.get_running_loop()

        def start() -> None:
            task = loop.create_task(guarded())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        hold = ACK_HOLD.get()
        if hold is not None and hold.defer(start):
            return
        start()

    def pending(self) -> int:
        """Calls accepted and not yet finished (threads or worker processes)."""
        return len(self._tasks) + (self.workers.pending() if self.workers is not None else 0)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background work (shutdown, tests)."""
        if self.workers is not None:
            await self.workers.drain(timeout)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def start(self) -> None:
        """One HTTP connection pool for all Web API calls (a new connection per call costs the event loop time)."""
        import aiohttp

        if self.client.session is None:
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))
        if self.workers is not None:
            self.workers.start()

    async def close(self) -> None:
        await self.drain()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.workers is not None:
            await self.workers.close()
        if self.client.session is not None:
            await self.client.session.close()
            self.client.session = None

    async def in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def identify(self, user_id: str) -> str | None:
        email = await self.directory.email(user_id)
        if email and user_id not in self._known_identities:
            await self.in_thread(remember_identity, self.ladder.db, email, user_id)
            self._known_identities.add(user_id)
        return email

    async def route(self, message: Message) -> Reply:
        return await self.in_thread(self.router.handle, message)

    # ------------------------------------------------------------------ listeners

    def _register(self) -> None:
        bolt = self.bolt

        @bolt.event("app_mention")
        async def on_mention(event: dict, body: dict, request, context) -> None:
            self._accept_message(event, body, request, context.bot_user_id)

        @bolt.event("message")
        async def on_message(event: dict, body: dict, request, context) -> None:
            if event.get("channel_type") not in (None, "im"):
                return  # channel chatter reaches Ladder only as app_mention
            self._accept_message(event, body, request, context.bot_user_id)

        @bolt.event("app_home_opened")
        async def on_home_opened(event: dict) -> None:
            if event.get("tab", "home") != "home":
                return
            self.dispatch("publish_home", event["user"], what="app_home")

        @bolt.command(COMMAND)
        async def on_command(ack, command: dict) -> None:
            await ack()
            self.dispatch("run_command", command, what="command")

        @bolt.action(ACTION_PATTERN)
        async def on_click(ack, body: dict, action: dict) -> None:
            await ack()
            self.dispatch("click", body, action, what="block_actions")

        @bolt.view(CallbackId.reason_modal.value)
        async def on_reason(ack, body: dict, view: dict) -> None:
            meta = _metadata(view)
            form = bk.modal_inputs(view.get("state", {}).get("values", {}))
            try:
                ref = ActionRef.decode(meta.get("ref", ""))
            except ValueError:
                await ack()
                return
            missing = [name for name in meta.get("required", []) if not form.get(name)]
            if missing:  # Slack enforces required inputs in its clients; this guards hand-made submissions
                await ack(response_action="errors", errors={bk.field_block_id(n): "Please fill this in." for n in missing})
                return
            await ack()
            self.dispatch("submit_reason", body, view, ref, form, meta, what="view_submission")

    def _accept_message(self, event: dict, body: dict, request, bot_user_id: str | None) -> None:
        if event.get("bot_id") or event.get("subtype") not in CONVERSATIONAL_SUBTYPES or not event.get("user"):
            return  # bots (ourselves included), edits, deletions, joins
        if bot_user_id and event.get("user") == bot_user_id:
            return
        retry = request.headers.get("x-slack-retry-num", [None])[0] if request is not None else None
        self.dispatch("converse", event, body.get("event_id"), retry, what="message")

    # ------------------------------------------------------------------ conversations

    async def converse(self, event: dict, event_id: str | None, retry: str | None) -> None:
        ts, user = event["ts"], event["user"]
        channel, thread_ts, private_to = _message_place(event)
        keys = [dedupe.message_key(channel, ts)] + ([dedupe.event_key(event_id)] if event_id else [])
        is_dm = private_to is None
        try:
            email = await self.identify(user)
            message = Message(channel=Channel.slack, sender_email=email, sender_external_id=user,
                              conversation_id=channel, thread_id=thread_ts, text=event.get("text") or "")
            if is_dm and event.get("files"):
                # A document shared in a DM (file_share): fetch it; the router decides whether it may be ingested.
                message.form["files"] = "\n".join(await self.download_files(event["files"]))
            answered = await self.in_thread(self._claim_and_answer, keys, message)
            if answered is None:
                log.info("duplicate slack event skipped", extra={"event_id": event_id, "retry": retry})
                return
            reply, parts = answered
            await self.post(channel, reply, thread_ts=thread_ts, user=user, private_ok=not is_dm, parts=parts)
        except Exception:  # noqa: BLE001 - after the ack the person must still hear back
            await self.report_failure(channel, thread_ts=thread_ts, user=private_to, what="message")

    async def download_files(self, files: list[dict]) -> list[str]:
        """Save shared files under data_dir/uploads (authenticated with the bot token), at most 20 MB each."""
        import re

        folder = self.ladder.settings.data_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for f in files:
            url = f.get("url_private_download") or f.get("url_private")
            if not url or (f.get("size") or 0) > MAX_UPLOAD_BYTES:
                continue
            name = re.sub(r"[^A-Za-z0-9._-]+", "_", f.get("name") or "document")[:120]
            target = folder / f"{f.get('id', 'F')}-{name}"
            await self.start()
            async with self.client.session.get(url, headers={"Authorization": f"Bearer {self.client.token}"}) as response:
                if response.status != 200:
                    log.warning("slack file download failed", extra={"status": response.status, "file": f.get("id")})
                    continue
                body = await response.read()
            if len(body) <= MAX_UPLOAD_BYTES:
                target.write_bytes(body)
                saved.append(str(target))
        return saved

    def _claim_and_answer(self, keys: list[str], message: Message) -> tuple[Reply, list[bk.SlackMessage]] | None:
        """In a worker thread, in one hop: claim the delivery, route, render (keeps CPU off the event loop)."""
        if not dedupe.claim(self.ladder.db, keys):
            return None
        reply = self.router.handle(message)
        return reply, bk.render(reply)

    async def post(self, channel: str, reply: Reply, *, thread_ts: str | None, user: str, private_ok: bool = True,
                   parts: list[bk.SlackMessage] | None = None) -> None:
        for part in parts if parts is not None else bk.render(reply):
            if reply.ephemeral and private_ok:
                await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=part.text, blocks=part.blocks)
            else:
                await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=part.text, blocks=part.blocks)

    async def report_failure(self, channel: str | None, *, thread_ts: str | None = None, user: str | None = None,
                             what: str, respond=None) -> None:
        error_id = _new_error_id()
        log.exception("slack reply failed", extra={"error_id": error_id, "work": what})
        text = _error_text(error_id)
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

    async def dm(self, user: str, reply: Reply) -> None:
        channel = (await self.client.conversations_open(users=user))["channel"]["id"]
        await self.post(channel, reply, thread_ts=None, user=user, private_ok=False)

    # ------------------------------------------------------------------ App Home

    async def publish_home(self, user: str) -> None:
        try:
            email = await self.identify(user)
            reply = await self.in_thread(self._home_reply, email, user)
        except Exception:  # noqa: BLE001
            error_id = _new_error_id()
            log.exception("app home failed", extra={"error_id": error_id})
            reply = Reply(text=_error_text(error_id), error_id=error_id)
        await self.client.views_publish(user_id=user, view=bk.home_view(reply))

    def _home_reply(self, email: str | None, user: str) -> Reply:
        try:
            with self.ladder.db.unit_of_work() as session:
                person = queries.person_by_email(session, email) if email else None
                person = person or queries.person_by_identity(session, Channel.slack.value, user)
                if person is None:
                    return Reply(text=NOT_IN_DIRECTORY.format(contact=self.ladder.settings.hr_contact),
                                 data={"intent": "not_in_directory"})
                return home_handler.home(self.ladder, session, person)
        except Exception:  # noqa: BLE001 - same contract as the router: a reply with an error id
            error_id = _new_error_id()
            log.exception("home handler failed", extra={"error_id": error_id})
            return Reply(text=_error_text(error_id), error_id=error_id)

    # ------------------------------------------------------------------ /ladder

    async def run_command(self, command: dict) -> None:
        respond = _Responder(self, command)
        try:
            user = command["user_id"]
            email = await self.identify(user)
            message = Message(channel=Channel.slack, sender_email=email, sender_external_id=user,
                              conversation_id=command.get("channel_id") or f"command:{user}",
                              text=f"{COMMAND} {command.get('text') or ''}".strip())
            work = asyncio.ensure_future(self.route(message))
            done, _ = await asyncio.wait({work}, timeout=SLOW_COMMAND_SECONDS)
            if not done:
                await respond(text=WORKING_ON_IT, response_type="ephemeral")
            reply = await work
            # Slash-command answers stay private: they may be admin data or someone's career plans.
            for part in bk.render(reply):
                await respond(text=part.text, blocks=part.blocks, response_type="ephemeral")
        except Exception:  # noqa: BLE001
            await self.report_failure(command.get("channel_id"), user=command.get("user_id"), what="command", respond=respond)

    # ------------------------------------------------------------------ clicks and modals

    async def click(self, body: dict, action: dict) -> None:
        user = body["user"]["id"]
        channel, thread_ts, message_ts = _click_place(body)
        try:
            value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
            label = (action.get("text") or action.get("selected_option", {}).get("text") or {}).get("text", "")
            if not await self.in_thread(dedupe.claim, self.ladder.db,
                                        [dedupe.click_key(user, action.get("action_ts", ""), action.get("action_id", ""))]):
                return
            try:
                ref = ActionRef.decode(value)
            except ValueError:
                await self._answer_click(body, Reply(text="That button is out of date — ask me again and use the new one.",
                                                     ephemeral=True), channel, thread_ts, user)
                return
            email = await self.identify(user)
            clicked = Message(channel=Channel.slack, sender_email=email, sender_external_id=user,
                              conversation_id=channel or f"home:{user}", thread_id=thread_ts, action=ref)
            if ref.kind in NEEDS_REASON:
                await self._open_form(body, clicked, ref, label, action, channel, message_ts, thread_ts, user)
                return
            reply = await self.route(clicked)
            await self._answer_click(body, reply, channel, thread_ts, user, clicked=(action, label, ref))
        except Exception:  # noqa: BLE001
            await self.report_failure(channel, thread_ts=thread_ts, user=user, what="click")

    async def _open_form(self, body: dict, clicked: Message, ref: ActionRef, label: str, action: dict, channel: str | None,
                         message_ts: str | None, thread_ts: str | None, user: str) -> None:
        """Reject / override / challenge: ask for the inputs in a modal, then route the click with them.

        Override and challenge ask their use case first: it may describe the form (e.g. the courses an override
        can switch to) or refuse outright (not your decision) — then the refusal is the answer, and no modal.
        """
        fields, intro = None, None
        if ref.kind in ASKS_FOR_FORM:
            probe = await self.route(clicked)
            fields = probe.data.get("form") if isinstance(probe.data.get("form"), list) else None
            if not fields:
                await self._answer_click(body, probe, channel, thread_ts, user)
                return
            intro = probe.text
        container = body.get("container") or {}
        meta = {"channel": channel, "ts": message_ts, "thread_ts": thread_ts, "label": label,
                "block_id": action.get("block_id"), "surface": container.get("type")}
        opened = await self.client.views_open(trigger_id=body["trigger_id"], view=bk.form_modal(ref, meta, fields=fields, intro=intro))
        message = body.get("message") or {}
        if message.get("blocks"):
            # The submission won't carry the original message; keep it to update it afterwards.
            await self.in_thread(self._keep_original, (opened.get("view") or {}).get("id"), message)

    async def _answer_click(self, body: dict, reply: Reply, channel: str | None, thread_ts: str | None, user: str,
                            clicked: tuple[dict, str, ActionRef] | None = None) -> None:
        container = body.get("container") or {}
        if container.get("type") == "view" or not channel:
            # App Home (or a modal): answer in the DM, then refresh the home page.
            await self.dm(user, reply)
            await self.publish_home(user)
            return
        original = (body.get("message") or {}).get("blocks") or []
        message_ts = container.get("message_ts")
        if container.get("is_ephemeral") and body.get("response_url"):
            for i, part in enumerate(bk.render(reply)):
                await _post_response_url(body["response_url"], {"text": part.text, "blocks": part.blocks,
                                                                 "replace_original": i == 0, "response_type": "ephemeral"})
            return
        if reply.replace_original and message_ts:
            parts = bk.render(reply)
            await self.client.chat_update(channel=channel, ts=message_ts, text=parts[0].text, blocks=parts[0].blocks)
            for part in parts[1:]:
                await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=part.text, blocks=part.blocks)
            return
        if clicked is not None and message_ts and original and not reply.error_id and not reply.ephemeral:
            action, label, ref = clicked
            updated = bk.clicked_blocks(original, f"<@{user}>", label, action_id=action.get("action_id", ""),
                                        whole_block=ref.kind in DECISION_KINDS)
            await self.client.chat_update(channel=channel, ts=message_ts, text=(body.get("message") or {}).get("text") or "Ladder",
                                          blocks=updated)
        await self.post(channel, reply, thread_ts=thread_ts, user=user, private_ok=not channel.startswith("D"))

    async def submit_reason(self, body: dict, view: dict, ref: ActionRef, form: dict[str, str], meta: dict) -> None:
        user = body["user"]["id"]
        channel, message_ts, thread_ts = meta.get("channel"), meta.get("ts"), meta.get("thread_ts")
        try:
            if not await self.in_thread(dedupe.claim, self.ladder.db, [dedupe.view_key(view.get("id", ""), view.get("hash", ""))]):
                return
            email = await self.identify(user)
            reply = await self.route(Message(channel=Channel.slack, sender_email=email, sender_external_id=user,
                                             conversation_id=channel or f"home:{user}", thread_id=thread_ts, action=ref, form=form))
            if meta.get("surface") == "view" or not channel:
                await self.dm(user, reply)
                await self.publish_home(user)
                return
            original = await self.in_thread(self._take_original, view.get("id"))
            if reply.replace_original and message_ts:
                parts = bk.render(reply)
                await self.client.chat_update(channel=channel, ts=message_ts, text=parts[0].text, blocks=parts[0].blocks)
                for part in parts[1:]:
                    await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=part.text, blocks=part.blocks)
                return
            if message_ts and original and not reply.error_id and not reply.ephemeral:
                updated = bk.clicked_blocks(original.get("blocks") or [], f"<@{user}>", meta.get("label") or ref.kind.value,
                                            action_id="", whole_block=True, block_id=meta.get("block_id"))
                await self.client.chat_update(channel=channel, ts=message_ts, text=original.get("text") or "Ladder", blocks=updated)
            await self.post(channel, reply, thread_ts=thread_ts, user=user, private_ok=not channel.startswith("D"))
        except Exception:  # noqa: BLE001
            await self.report_failure(channel, thread_ts=thread_ts, user=user, what="view_submission")

    def _keep_original(self, view_id: str | None, message: dict) -> None:
        if not view_id:
            return
        with self.ladder.db.unit_of_work() as session:
            session.merge(ConversationState(key=_modal_key(view_id),
                                            data={"blocks": message.get("blocks") or [], "text": message.get("text") or ""}))

    def _take_original(self, view_id: str | None) -> dict | None:
        if not view_id:
            return None
        with self.ladder.db.unit_of_work() as session:
            state = session.get(ConversationState, _modal_key(view_id))
            if state is None:
                return None
            data = dict(state.data or {})
            session.delete(state)
            return data


def _message_place(event: dict) -> tuple[str, str, str | None]:
    """Where a message is answered: (channel, thread, who may get a private reply — None in a DM)."""
    channel = event["channel"]
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    return channel, event.get("thread_ts") or event["ts"], None if is_dm else event["user"]


def _click_place(body: dict) -> tuple[str | None, str | None, str | None]:
    """Where a clicked button lives: (channel, thread to answer in, the message's own ts)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    message_ts = container.get("message_ts") or message.get("ts")
    return channel, message.get("thread_ts") or container.get("thread_ts") or message_ts, message_ts


def _modal_key(view_id: str) -> str:
    return f"slack:modal:{view_id}"


class _Responder:
    """Answers a slash command through its response_url, or privately in the channel when there is none."""

    def __init__(self, channel: SlackChannel, command: dict) -> None:
        self.channel = channel
        self.command = command

    async def __call__(self, *, text: str, blocks: list | None = None, response_type: str = "ephemeral") -> None:
        url = self.command.get("response_url")
        if url:
            await _post_response_url(url, {"text": text, "blocks": blocks or [], "response_type": response_type})
            return
        await self.channel.client.chat_postEphemeral(channel=self.command["channel_id"], user=self.command["user_id"],
                                                     text=text, blocks=blocks or None)


async def _post_response_url(url: str, payload: dict) -> None:
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    response = await AsyncWebhookClient(url).send_dict(payload)
    if response.status_code >= 300:
        raise RuntimeError(f"response_url answered {response.status_code}")


def _metadata(view: dict) -> dict:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}

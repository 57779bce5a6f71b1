"""The Slack channel: a Bolt AsyncApp whose listeners ack first and then hand a channel-neutral ``Message`` to the
router, rendering the ``Reply`` as Block Kit. The work after the ack runs in worker processes
(``SLACK_ANSWER_PROCESSES``, see ``bot/slack/workers.py``) or, with 0, in threads of this process.

Transport only: parse → Message → Router(ladder).handle → render → Web API call. No use-case logic here. The
work itself lives by concern: ``messages`` (conversations), ``clicks`` (buttons and modals), ``home`` (App
Home), ``command`` (/ladder); this module wires them to Bolt and decides where they run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import listeners
from bot.slack.ack import ACK_HOLD
from bot.slack.clicks import Clicks
from bot.slack.command import SlashCommand
from bot.slack.home import AppHome
from bot.slack.messages import Conversations
from bot.slack.services import SlackServices
from conversation import ActionRef, Reply, log_failure
from handlers.context import Ladder

log = logging.getLogger(__name__)


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


class SlackChannel:
    """One Bolt app bound to one Ladder. ``bolt`` serves HTTP (mounted by ``mount``) and Socket Mode alike."""

    def __init__(self, ladder: Ladder, *, token: str, signing_secret: str, api_url: str, workers: int = 2,
                 answer_processes: int = 0) -> None:
        self.ladder = ladder
        self.services = SlackServices(ladder, token=token, api_url=api_url, threads=workers)
        self.client = self.services.client
        self.conversations = Conversations(self.services)
        self.home = AppHome(self.services)
        self.clicks = Clicks(self.services, self.home)
        self.command = SlashCommand(self.services)
        self.workers = None
        if answer_processes > 0:
            from bot.slack.workers import WorkerPool

            self.workers = WorkerPool(ladder.settings, answer_processes, deliver=self._deliver, report_lost=self._report_lost)
        self._tasks: set[asyncio.Task] = set()
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            process_before_response=False,
            request_verification_enabled=True,
            logger=_bolt_logger(),
        )
        listeners.register(self.bolt, self.dispatch)

    # ------------------------------------------------------------------ the work after the ack, by name
    # (names, because a call crosses to a worker process as its name and plain-data arguments)

    async def converse(self, event: dict, event_id: str | None, retry: str | None) -> None:
        await self.conversations.converse(event, event_id, retry)

    async def converse_in_thread(self, event: dict, event_id: str | None, retry: str | None) -> None:
        await self.conversations.converse_in_thread(event, event_id, retry)

    async def click(self, body: dict, action: dict) -> None:
        await self.clicks.click(body, action)

    async def submit_form(self, body: dict, view: dict, ref: ActionRef, values: dict[str, str], meta: dict) -> None:
        await self.clicks.submit_form(body, view, ref, values, meta)

    async def publish_home(self, user: str) -> None:
        await self.home.publish(user)

    async def run_command(self, command: dict) -> None:
        await self.command.run(command)

    async def _report_lost(self, method: str, args: tuple) -> None:
        """A worker died during this call: tell the person where they asked, as a failure in the call itself would."""
        if method in ("converse", "converse_in_thread"):
            await self.conversations.report_failure(args[0])
        elif method == "run_command":
            await self.command.report_failure(args[0])
        elif method == "click":
            await self.clicks.report_failure(args[0])
        elif method == "submit_form":
            await self.clicks.report_failure(args[0], args[4])
        else:
            log_failure(log, "slack work lost with a worker process", exc_info=False, work=method)

    # ------------------------------------------------------------------ where the work runs

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
        await self.services.in_thread(self.ladder.notify, email, Reply.model_validate(reply))

    def spawn(self, coro: Awaitable[None], what: str) -> None:
        """Run work after the ack. Failures are logged with an error id (the coroutine reports to the person).

        Inside an HTTP request the work starts only once the ack is written (see ``AckHold``).
        """
        async def guarded() -> None:
            try:
                await coro
            except Exception:  # noqa: BLE001 - last line of defence: never an unlogged failure
                log_failure(log, "slack background work failed", work=what)

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
        await self.services.open_session()
        if self.workers is not None:
            self.workers.start()

    async def close(self) -> None:
        await self.drain()
        if self.workers is not None:
            await self.workers.close()
        await self.services.close()

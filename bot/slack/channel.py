"""The Slack channel: a Bolt AsyncApp whose listeners ack first and then hand a channel-neutral ``Message`` to the
router, rendering the ``Reply`` as Block Kit. The work after the ack is a task (``bot.tasks``): run in this
process without a broker, by ``worker`` processes anywhere with one (TASK_BROKER_URL).

Transport only: parse → Message → Router(ladder).handle → render → Web API call. No use-case logic here. The
work itself lives by concern: ``messages`` (conversations), ``clicks`` (buttons and modals), ``home`` (App
Home), ``command`` (/ladder); this module wires them to Bolt and decides where they run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import listeners
from bot.slack.ack import ACK_HOLD
from bot.slack.clicks import Clicks
from bot.slack.command import SlashCommand
from bot.slack.home import AppHome
from bot.slack.messages import Conversations
from bot.slack.services import SlackServices
from bot.tasks.payloads import SlackCall, SlackWork, Task
from bot.tasks.queue import InProcessQueue, RetryPolicy, TaskQueue
from bot.tasks.runner import TaskRunner
from conversation import ActionRef, log_failure
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
                 queue: TaskQueue | None = None) -> None:
        self.ladder = ladder
        self.services = SlackServices(ladder, token=token, api_url=api_url, threads=workers)
        self.client = self.services.client
        self.conversations = Conversations(self.services)
        self.home = AppHome(self.services)
        self.clicks = Clicks(self.services, self.home)
        self.command = SlashCommand(self.services)
        # Without a broker, this process runs its own tasks (the same runner a worker process uses).
        self.queue: TaskQueue = queue or InProcessQueue(TaskRunner(ladder, slack=self), RetryPolicy.of(ladder.settings))
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            # The listeners only hand the payload on (``dispatch``: the task starts once the ack is written), so
            # they run inline and the ack is their return. With False, Bolt runs a listener as a task and polls every
            # 10 ms for its ack(): every click, command and modal waited 10 ms or more for nothing
            # (bench/load_test.py); events were acked at once either way.
            process_before_response=True,
            # Every HTTP request reaches Bolt through bot.slack.guard, which has verified its signature over the exact
            # bytes already (and refused it otherwise); Socket Mode requests carry none. A second HMAC here was
            # CPU on every ack for nothing.
            request_verification_enabled=False,
            logger=_bolt_logger(),
        )
        listeners.register(self.bolt, self.dispatch)

    # ------------------------------------------------------------------ the work after the ack, by name
    # (names, because a task carries its work as a name and plain-data arguments)

    async def run(self, work: SlackWork, args: list[Any]) -> None:
        """One task's work: ``self.<work>(*args)``. Failures propagate (the queue retries, then ``report_failure``)."""
        await getattr(self, work)(*args)

    async def converse(self, event: dict, event_id: str | None, retry: str | None) -> None:
        await self.conversations.converse(event, event_id, retry)

    async def converse_in_thread(self, event: dict, event_id: str | None, retry: str | None) -> None:
        await self.conversations.converse_in_thread(event, event_id, retry)

    async def click(self, body: dict, action: dict) -> None:
        await self.clicks.click(body, action)

    async def submit_form(self, body: dict, view: dict, ref: str, values: dict[str, str], meta: dict) -> None:
        await self.clicks.submit_form(body, view, ActionRef.decode(ref), values, meta)

    async def publish_home(self, user: str) -> None:
        await self.home.publish(user)

    async def run_command(self, command: dict) -> None:
        await self.command.run(command)

    async def report_failure(self, work: SlackWork, args: list[Any], error_id: str | None = None) -> None:
        """The task failed for good, or could not be queued (``error_id``: logged already): tell the person where they
        asked (logged with an error id)."""
        if work in ("converse", "converse_in_thread"):
            await self.conversations.report_failure(args[0], error_id)
        elif work == "run_command":
            await self.command.report_failure(args[0], error_id)
        elif work == "click":
            await self.clicks.report_failure(args[0], error_id=error_id)
        elif work == "submit_form":
            await self.clicks.report_failure(args[0], args[4], error_id)
        else:
            log_failure(log, "slack work failed", work=work, error_id=error_id)

    # ------------------------------------------------------------------ where the work runs

    def dispatch(self, work: SlackWork, *args: Any, what: str) -> None:
        """Queue ``self.<work>(*args)`` as a task, after the ack (inside an HTTP request: once the ack is written).

        The arguments are plain data (Slack payload dicts, strings): a task crosses to another machine as JSON.
        """
        task = Task(payload=SlackCall(work=work, args=list(args)))
        hold = ACK_HOLD.get()
        if hold is None or not hold.defer(lambda: self.queue.submit(task)):
            self.queue.submit(task)

    def pending(self) -> int:
        """Work accepted here and not finished yet (tasks run in this process; a broker's are not counted)."""
        return self.queue.pending()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background work (shutdown, tests)."""
        await self.queue.drain(timeout)

    async def start(self) -> None:
        await self.services.open_session()
        loop = asyncio.get_running_loop()
        if isinstance(self.queue, InProcessQueue):
            self.queue.bind(loop)
        self.queue.when_unqueued(SlackCall, self._report_unqueued, loop)  # the broker refused it: say so

    async def _report_unqueued(self, task: Task, error_id: str) -> None:
        await self.report_failure(task.payload.work, task.payload.args, error_id)

    async def close(self) -> None:
        await self.drain()
        await self.services.close()

"""Tasks through a broker: Dramatiq on RabbitMQ (``amqp://…``) or Redis (``redis://…``), set by TASK_BROKER_URL.

Why Dramatiq on RabbitMQ by default is in docs/queue_choice.md (measured with bench/queue_choice.py). What it gives
Ladder here: a message is acknowledged only after its task ran (a worker killed mid-task leaves it unacknowledged,
and the broker hands it to another worker at once); a failed task goes back with exponential backoff
(TASK_MAX_RETRIES, TASK_MIN_BACKOFF_MS, TASK_MAX_BACKOFF_MS); the last failure ends in the runner's ``give_up``,
which tells the person with an error id. One actor, ``ladder_task``, carries every ``Task`` as JSON.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import dramatiq
from dramatiq.middleware import AsyncIO, CurrentMessage

from bot.tasks.payloads import Task
from bot.tasks.queue import RetryPolicy

if TYPE_CHECKING:
    from bot.tasks.runner import TaskRunner
    from settings import Settings

log = logging.getLogger(__name__)

ACTOR_NAME = "ladder_task"
TASK_TIME_LIMIT_MS = 10 * 60 * 1000  # a task still running after this is interrupted (and retried)


def make_broker(url: str) -> dramatiq.Broker:
    """A Dramatiq broker for ``url``, with the middleware Ladder's actor needs (async actors, the current message)."""
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)
    else:
        raise ValueError(f"TASK_BROKER_URL must start with amqp:// (RabbitMQ) or redis:// (Redis), not {url.split(':')[0]!r}")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(CurrentMessage())
    return broker


def declare_actor(broker: dramatiq.Broker, settings: "Settings",
                  runner: Callable[[], Awaitable["TaskRunner"]] | None = None) -> dramatiq.Actor:
    """Ladder's one actor on ``broker``. The web process declares it to send (``runner`` None: it never runs tasks);
    a worker passes ``runner``, awaited once per task for the process's ``TaskRunner``."""
    policy = RetryPolicy.of(settings)

    async def ladder_task(data: str) -> None:
        task = Task.model_validate_json(data)
        if runner is None:
            raise RuntimeError("this process sends tasks; it does not run them")
        work = await runner()
        try:
            await work.execute(task)
        except Exception:  # noqa: BLE001 - retried by the broker, or the person is told
            message = CurrentMessage.get_current_message()
            retries = (message.options.get("retries", 0) if message is not None else 0)
            if retries >= policy.max_retries:
                await work.give_up(task)
                return  # acknowledged: the person has heard; nothing more to try
            log.warning("task failed; the broker retries it", exc_info=True,
                        extra={"task": task.what, "task_id": task.id, "retry": retries + 1})
            raise

    return dramatiq.actor(ladder_task, actor_name=ACTOR_NAME, queue_name=settings.task_queue, broker=broker,
                          max_retries=policy.max_retries, min_backoff=settings.task_min_backoff_ms,
                          max_backoff=settings.task_max_backoff_ms, time_limit=TASK_TIME_LIMIT_MS)


class BrokerQueue:
    """The web process's side: submitting a task is one publish to the broker (a worker anywhere runs it).

    Publishes go out from one thread of their own, in order: the event loop that acknowledges Slack and Teams
    never waits on the broker. A publish that fails after Dramatiq's own reconnecting attempts is logged with an
    error id and the task's id, and the channel's ``when_unqueued`` report tells the person.
    """

    def __init__(self, broker: dramatiq.Broker, actor: dramatiq.Actor) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.broker = broker
        self.actor = actor
        import threading

        self._publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ladder-publish")
        self._unsent = 0
        self._counting = threading.Lock()  # the loop counts up, the publishing thread down
        self._reports: dict[type, tuple[Callable[[Task, str], Awaitable[None]], asyncio.AbstractEventLoop]] = {}
        self._telling = 0  # reports of unqueued tasks not finished yet (drain waits for them too)

    def when_unqueued(self, kind: type, report: Callable[[Task, str], Awaitable[None]],
                      loop: asyncio.AbstractEventLoop) -> None:
        self._reports[kind] = (report, loop)

    def submit(self, task: Task) -> None:
        with self._counting:
            self._unsent += 1
        self._publisher.submit(self._publish, task)

    def _publish(self, task: Task) -> None:
        try:
            self.actor.send(task.model_dump_json())
        except Exception:  # noqa: BLE001 - the broker is unreachable: say which task was not queued
            from conversation import log_failure

            self._tell(task, log_failure(log, "a task could not be queued", task=task.what, task_id=task.id))
        finally:
            with self._counting:
                self._unsent -= 1

    def _tell(self, task: Task, error_id: str) -> None:
        found = self._reports.get(type(task.payload))
        if found is None:
            return
        report, loop = found
        telling = report(task, error_id)
        with self._counting:
            self._telling += 1
        try:
            future = asyncio.run_coroutine_threadsafe(telling, loop)
        except RuntimeError:  # the loop is closed (the server stopped): the log has it
            telling.close()
            self._told(None, task, error_id)
            return
        future.add_done_callback(lambda done: self._told(done, task, error_id))

    def _told(self, done, task: Task, error_id: str) -> None:
        with self._counting:
            self._telling -= 1
        if done is None or done.cancelled() or done.exception() is not None:
            log.error("could not tell the person a task was not queued", extra={"task_id": task.id, "error_id": error_id},
                      exc_info=done.exception() if done is not None and not done.cancelled() else None)

    def pending(self) -> int:
        """Tasks not yet handed to the broker (once there, the broker holds them, not this process), and reports of
        tasks it refused not yet made."""
        return self._unsent + self._telling

    async def drain(self, timeout: float) -> None:
        import time

        deadline = time.monotonic() + timeout
        while (self._unsent or self._telling) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.drain(10.0)
        self._publisher.shutdown(wait=True)
        self.broker.close()

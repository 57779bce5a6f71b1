"""Where a task goes: ``InProcessQueue`` (no broker: this process's event loop does the work) or a broker
(``bot.tasks.broker``). Both retry a failing task with the same backoff and, when it finally fails, let the runner
tell the person (with an error id)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.tasks.payloads import Task

if TYPE_CHECKING:
    from bot.tasks.runner import TaskRunner
    from settings import Settings

log = logging.getLogger(__name__)


class TaskQueue(Protocol):
    def submit(self, task: Task) -> None:
        """Take ``task`` (from the event loop or any thread); it runs after this returns, here or elsewhere."""

    def pending(self) -> int:
        """Tasks this process submitted and knows to be unfinished (in process: all of them; broker: none)."""

    async def drain(self, timeout: float) -> None: ...

    async def close(self) -> None: ...

    def when_unqueued(self, kind: type, report: "Callable[[Task, str], Awaitable[None]]",
                      loop: asyncio.AbstractEventLoop) -> None:
        """When a task whose payload is a ``kind`` cannot be queued, run ``report(task, error_id)`` on ``loop`` to
        tell the person (the failure is logged under that error id)."""


@dataclass(frozen=True)
class RetryPolicy:
    """A failing task runs again up to ``max_retries`` times, after exponential backoff with jitter."""

    max_retries: int
    min_backoff_seconds: float
    max_backoff_seconds: float

    @classmethod
    def of(cls, settings: "Settings") -> "RetryPolicy":
        return cls(settings.task_max_retries, settings.task_min_backoff_ms / 1000, settings.task_max_backoff_ms / 1000)

    def delay(self, retries: int) -> float:
        """Before retry number ``retries + 1``: min·2^retries, capped, then a random half to full of that."""
        ceiling = min(self.max_backoff_seconds, self.min_backoff_seconds * (2 ** retries))
        return ceiling * random.uniform(0.5, 1.0)


class InProcessQueue:
    """The embedded default: tasks run on this process's event loop (their synchronous parts in threads)."""

    def __init__(self, runner: "TaskRunner", policy: RetryPolicy) -> None:
        self.runner = runner
        self.policy = policy
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def when_unqueued(self, kind: type, report: "Callable[[Task, str], Awaitable[None]]",
                      loop: asyncio.AbstractEventLoop) -> None:
        """Nothing to do: in process, submitting a task cannot fail (its failures are the runner's to report)."""

    def submit(self, task: Task) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        loop = running or self._loop
        if loop is None:
            raise RuntimeError("the in-process task queue has no event loop yet")
        if running is loop:
            self._start(task)
        else:
            loop.call_soon_threadsafe(self._start, task)

    def _start(self, task: Task) -> None:
        loop = asyncio.get_running_loop()  # the loop it was handed to (submit picks it)
        self._loop = self._loop or loop
        job = loop.create_task(self.run(task), name=f"ladder-task-{task.what}")
        self._tasks.add(job)
        job.add_done_callback(self._tasks.discard)

    async def run(self, task: Task) -> None:
        for retries in range(self.policy.max_retries + 1):
            try:
                await self.runner.execute(task)
                return
            except Exception:  # noqa: BLE001 - retried, then reported to the person
                if retries == self.policy.max_retries:
                    await self.runner.give_up(task)
                    return
                delay = self.policy.delay(retries)
                log.warning("task failed; retrying", exc_info=True,
                            extra={"task": task.what, "task_id": task.id, "retry": retries + 1, "in_seconds": round(delay, 2)})
            await asyncio.sleep(delay)

    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def close(self) -> None:
        await self.drain(10.0)
        for job in list(self._tasks):
            job.cancel()

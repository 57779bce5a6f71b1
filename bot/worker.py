"""``python app.py worker``: run tasks from the broker until told to stop (SIGTERM, SIGINT), on any machine.

One process runs WORKER_THREADS tasks at once on one event loop (Dramatiq's async actors): their synchronous
parts (the router, the database) go to threads, their waits (Slack's Web API) overlap. Scale by starting more
processes, on this machine or others; each needs only TASK_BROKER_URL, DATABASE_URL and the channels' settings.
A worker that is killed leaves its unacknowledged tasks with the broker, which hands them to another worker.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from typing import TYPE_CHECKING

from bot.tasks.runner import TaskRunner

if TYPE_CHECKING:
    from handlers.context import Ladder

log = logging.getLogger(__name__)


WORKER_NICENESS = 10


def _threads() -> list[int]:
    """This process's threads (Linux): a priority or affinity set on one thread is that thread's alone, so threads
    started before (by the libraries Ladder loads at start-up) get it one by one. Elsewhere: the calling thread."""
    from pathlib import Path

    try:
        return [int(task.name) for task in Path("/proc/self/task").iterdir()]
    except OSError:
        return [0]


def lower_priority(priority: str) -> None:
    """Answers are background work: where a worker shares CPUs with web processes, their acks (which Slack wants
    within 3 s, and Ladder promises far faster) get the CPU first. Every thread of the process, and every thread it
    starts afterwards (they inherit it). Measured in bench/load_test.py."""
    import os

    if priority == "normal":
        return
    for thread in _threads():
        try:
            if priority == "idle" and hasattr(os, "SCHED_IDLE"):
                os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
                continue
        except OSError:  # not allowed here: the next best
            pass
        try:
            if os.getpriority(os.PRIO_PROCESS, thread) < WORKER_NICENESS:
                os.setpriority(os.PRIO_PROCESS, thread, WORKER_NICENESS)
        except OSError:  # gone meanwhile, or not allowed
            pass


def pin_to_cpus(cpus: frozenset[int] | None) -> None:
    """Keep this process (every thread it has, and every one it starts afterwards) on ``cpus`` (WORKER_CPUS). A CPU
    this machine does not have is left out; none left, or no affinity on this system (not Linux): a warning, and any
    CPU."""
    import os

    if not cpus:
        return
    try:
        usable = cpus & os.sched_getaffinity(0)
        if not usable:
            raise OSError(f"none of {sorted(cpus)} is a CPU of this machine")
        for thread in _threads():
            try:
                os.sched_setaffinity(thread, usable)
            except ProcessLookupError:  # it ended meanwhile
                pass
    except (AttributeError, OSError) as exc:
        log.warning("WORKER_CPUS not applied: %s", exc)


class _Runner:
    """The process's ``TaskRunner``, built on the actors' event loop at the first task (its HTTP sessions live there)."""

    def __init__(self, ladder: "Ladder") -> None:
        self.ladder = ladder
        self.runner: TaskRunner | None = None
        self._lock: asyncio.Lock | None = None

    async def get(self) -> TaskRunner:
        if self.runner is not None:
            return self.runner
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self.runner is None:
                self.runner = await self._build()
        return self.runner

    async def _build(self) -> TaskRunner:
        from bot import slack

        channel = None
        if slack.disabled_reason(self.ladder.settings) is None:
            channel = slack.build_channel(self.ladder)
            slack.register_notifier(self.ladder)  # what the domain sends proactively goes out from here too
            await channel.start()
        from bot.teams.endpoint import TeamsEndpoint

        teams = TeamsEndpoint(self.ladder)  # answers queued Teams turns; reaches Teams users proactively from here
        teams.notifier.bind(asyncio.get_running_loop())
        self.ladder.notifiers.put(teams.notifier)
        return TaskRunner(self.ladder, slack=channel, teams=teams)


def run_worker(ladder: "Ladder", *, threads: int | None = None, stop: threading.Event | None = None) -> int:
    import dramatiq

    from bot.tasks.broker import declare_actor, make_broker

    settings = ladder.settings
    broker = make_broker(settings.task_broker_url)
    runner = _Runner(ladder)
    declare_actor(broker, settings, runner=runner.get)
    threads = threads or settings.worker_threads
    worker = dramatiq.Worker(broker, queues={settings.task_queue}, worker_threads=threads)
    # Prefetch no more than it runs (Dramatiq's default is twice): a worker holds back no task another could start.
    worker.queue_prefetch = threads
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    worker.start()
    log.info("worker started", extra={"queue": settings.task_queue, "threads": threads})
    stop.wait()
    log.info("worker stopping: finishing the tasks it runs")
    worker.stop()
    broker.close()
    return 0

"""Scheduled jobs across machines: each job runs once per slot of its interval, however many schedulers run.

A slot is the job's interval counted from the Unix epoch (an hourly agent pass has one slot per clock hour). A
scheduler claims ``schedule:<job>:<slot>`` in the database (the delivery claims every channel uses); only the claim
that wins queues the job. Two schedulers on two machines (for availability) therefore queue each job once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.delivery import claim_once
from bot.tasks.jobs import intervals
from bot.tasks.payloads import ScheduledJob, Task

if TYPE_CHECKING:
    from handlers.context import Ladder

log = logging.getLogger(__name__)


def slot_key(job: str, slot: int) -> str:
    return f"schedule:{job}:{slot}"


class Scheduler:
    def __init__(self, ladder: "Ladder", submit: Callable[[Task], None]) -> None:
        self.ladder = ladder
        self.submit = submit

    def due(self) -> list[Task]:
        """Claim the current slot of every job that has one; the tasks of the slots this scheduler won."""
        now = self.ladder.now().timestamp()
        won = []
        for job, every in intervals(self.ladder.settings).items():
            if every <= 0:
                continue
            slot = int(now // every)
            if claim_once(self.ladder.db, [slot_key(job, slot)]):
                won.append(Task(payload=ScheduledJob(job=job, slot=str(slot))))
        return won

    def tick(self) -> list[Task]:
        """Queue what is due now (synchronous: the database claims)."""
        tasks = self.due()
        for task in tasks:
            self.submit(task)
            log.info("scheduled job queued", extra={"job": task.payload.job, "slot": task.payload.slot, "task_id": task.id})
        return tasks

    async def run(self, tick_seconds: float, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set; a failing tick is logged and the next one tries again."""
        from conversation import log_failure

        while not stop.is_set():
            try:
                await asyncio.get_running_loop().run_in_executor(None, self.tick)
            except Exception:  # noqa: BLE001 - the database may be briefly away; the next tick claims again
                log_failure(log, "scheduler tick failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
            except asyncio.TimeoutError:
                pass

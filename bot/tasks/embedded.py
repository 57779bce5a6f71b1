"""The scheduled jobs inside `serve` when there is no broker: each job of ``bot.tasks.jobs`` on its own interval, in
a thread, off the event loop. The same functions a worker runs for ``python app.py scheduler`` (``run_job``), so a
job's logic exists once; what differs is only who decides when.

Each loop waits one interval before its first run, except the retention purge: it looks at once and then every
``RETENTION_CHECK_SECONDS`` at most, and purges when the last run recorded in the database (by any process) is an
interval old. Every job is safe with many processes (leases and claims in the database). A failing run is logged with
an error id and the schedule goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.tasks.jobs import intervals, run_job
from bot.tasks.payloads import ScheduledJobName
from conversation import log_failure

if TYPE_CHECKING:
    from handlers.context import Ladder

log = logging.getLogger(__name__)

RETENTION_CHECK_SECONDS = 300.0


def _first_delay_and_period(job: ScheduledJobName, interval: float) -> tuple[float, float]:
    if job == "retention":
        return 0.0, min(interval, RETENTION_CHECK_SECONDS)
    return interval, interval


def jobs_ctx(ladder: "Ladder", every: Mapping[ScheduledJobName, float] | None = None,
             first_delay: float | None = None):
    """An aiohttp ``cleanup_ctx``: the jobs' loops start with the server and stop with it. ``every`` (seconds per
    job; default: their interval settings, 0 turns one off) and ``first_delay`` (the wait before every first run)
    are for tests."""
    periods = {job: float(seconds) for job, seconds in (every or intervals(ladder.settings)).items() if seconds > 0}

    async def loop(job: ScheduledJobName, interval: float) -> None:
        delay, period = _first_delay_and_period(job, interval)
        if first_delay is not None:
            delay = first_delay
        while True:
            await asyncio.sleep(delay)
            delay = period
            try:
                await asyncio.get_running_loop().run_in_executor(None, run_job, ladder, job)
            except Exception:  # noqa: BLE001 - the next round tries again
                log_failure(log, "scheduled job failed", job=job)

    async def ctx(_app):
        tasks = [asyncio.create_task(loop(job, interval), name=f"ladder-{job}") for job, interval in periods.items()]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx

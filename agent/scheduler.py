"""The agent's in-process scheduler for `serve`: one pass every ``agent_interval_seconds``, in a thread.

Hooked into the aiohttp app's ``cleanup_ctx`` so it starts and stops with the server. A failing
pass is logged with an error id and the schedule continues. (Scale-out: run `python app.py agent
run` from cron or a Celery beat instead and set AGENT_INTERVAL_SECONDS=0.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import datetime as dt
from collections.abc import Callable

from agent.run import AgentSettings, run_pass
from approvals.deps import ApprovalsDeps
from conversation.errors import log_failure
from governance import audit_chain
from governance.privacy import retention
from storage import Database

log = logging.getLogger(__name__)


def scheduler_ctx(deps: ApprovalsDeps, settings: AgentSettings, *, first_delay: float | None = None):
    interval = float(settings.agent_interval_seconds)

    async def ctx(_app):
        async def loop() -> None:
            delay = interval if first_delay is None else first_delay
            while True:
                await asyncio.sleep(delay)
                delay = interval
                try:
                    report = await asyncio.get_running_loop().run_in_executor(None, run_pass, deps, settings)
                    log.info("scheduled agent pass done", extra=report.as_data())
                except Exception:  # noqa: BLE001 - the next pass tries again
                    log_failure(log, "scheduled agent pass failed")

        task = asyncio.create_task(loop(), name="ladder-agent-scheduler")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx


def retention_ctx(db: Database, now: Callable[[], dt.datetime], *, max_age_days: Callable[[], int], interval_seconds: int,
                  check_seconds: float | None = None):
    """The retention purge inside `serve`: looked at every ``check_seconds`` (at most every 5 minutes), run when
    the last run — by any process, as recorded in the database — is at least ``interval_seconds`` old."""
    period = dt.timedelta(seconds=interval_seconds)
    check = check_seconds if check_seconds is not None else min(float(interval_seconds), 300.0)

    def tick() -> None:
        report = retention.run(db, now(), max_age_days(), period=period)
        if report.ran:
            log.info("retention purge done", extra={"purged": report.purged})

    async def ctx(_app):
        async def loop() -> None:
            while True:
                try:
                    await asyncio.get_running_loop().run_in_executor(None, tick)
                except Exception:  # noqa: BLE001 - the next check tries again
                    log_failure(log, "retention purge failed")
                await asyncio.sleep(check)

        task = asyncio.create_task(loop(), name="ladder-retention")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx


def seal_ctx(db: Database, now: Callable[[], dt.datetime], *, interval_seconds: float):
    """The audit trail's sealer inside `serve`: every ``interval_seconds``, off the request path, in a thread; a
    process that finds another one sealing (the lease) skips that round."""

    def tick() -> None:
        sealed = audit_chain.seal(db, now)
        if sealed:
            log.info("audit rows sealed", extra={"sealed": sealed})

    async def ctx(_app):
        async def loop() -> None:
            while True:
                await asyncio.sleep(interval_seconds)
                try:
                    await asyncio.get_running_loop().run_in_executor(None, tick)
                except Exception:  # noqa: BLE001 - the next round tries again; verify seals too
                    log_failure(log, "audit sealing failed")

        task = asyncio.create_task(loop(), name="ladder-audit-sealer")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx

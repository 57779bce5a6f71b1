"""The onboarding pass inside `serve`: every ``interval_seconds``, in a thread, off the request path. Safe with many
processes: each announcement and each welcome is claimed in the database before it goes out."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from approvals.deps import ApprovalsDeps
from conversation.errors import log_failure
from onboarding.run import run

log = logging.getLogger(__name__)


def onboarding_ctx(deps: ApprovalsDeps, *, interval_seconds: float, first_delay: float | None = None):
    async def ctx(_app):
        async def loop() -> None:
            delay = interval_seconds if first_delay is None else first_delay
            while True:
                await asyncio.sleep(delay)
                delay = interval_seconds
                try:
                    report = await asyncio.get_running_loop().run_in_executor(None, run, deps)
                    if report.announced or report.welcomed:
                        log.info("onboarding pass done", extra=report.as_data())
                except Exception:  # noqa: BLE001 - the next pass tries again
                    log_failure(log, "onboarding pass failed")

        task = asyncio.create_task(loop(), name="ladder-onboarding")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx

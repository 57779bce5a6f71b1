"""Digests inside `serve`: every ``interval_seconds`` a run looks for digests that are due, off the event loop.

A run that finds another process running (the lease) skips that round; a failing run is logged with an error id and
the schedule continues. (Scale-out: `python app.py digests run` from cron instead, with DIGEST_INTERVAL_SECONDS=0.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from conversation.errors import log_failure
from digests.deps import DigestDeps
from digests.run import run

log = logging.getLogger(__name__)


def digest_ctx(make_deps: Callable[[], DigestDeps], *, interval_seconds: float, first_delay: float | None = None):
    """An aiohttp ``cleanup_ctx``: starts the loop with the server, stops it with the server."""

    def tick() -> None:
        report = run(make_deps())
        if report.skipped and "no chat channel" in report.skipped:
            log.debug("digest run skipped: no chat channel configured")
        elif report.skipped or any(k.sent or k.failed for k in report.kinds.values()):
            log.info("digest run done", extra=report.as_data())

    async def ctx(_app):
        async def loop() -> None:
            delay = interval_seconds if first_delay is None else first_delay
            while True:
                await asyncio.sleep(delay)
                delay = interval_seconds
                try:
                    await asyncio.get_running_loop().run_in_executor(None, tick)
                except Exception:  # noqa: BLE001 - the next round tries again
                    log_failure(log, "digest run failed")

        task = asyncio.create_task(loop(), name="ladder-digests")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx

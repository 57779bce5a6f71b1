"""The agent's in-process scheduler for `serve`: one pass every ``agent_interval_seconds``, in a thread.

Hooked into the aiohttp app's ``cleanup_ctx`` so it starts and stops with the server. A failing
pass is logged with an error id and the schedule continues. (Scale-out: run `python app.py agent
run` from cron or a Celery beat instead and set AGENT_INTERVAL_SECONDS=0.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from agent.run import AgentSettings, run_pass
from approvals.deps import ApprovalsDeps
from conversation.errors import log_failure

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

"""Does a task's work, wherever it runs (a ``worker`` process, or ``serve`` itself without a broker).

``execute`` runs the task in its holder's name (``bot.delivery.TASK_HOLDER``: its claims let a redelivery of the
same task finish its work); an exception goes back to the queue, which retries. ``give_up`` is the last word when
retries are spent: the error is logged with an id and the person hears so where they asked.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from bot.delivery import TASK_HOLDER
from bot.tasks.jobs import run_job
from bot.tasks.payloads import ScheduledJob, SlackCall, SlackWork, Task, TeamsActivity
from conversation import log_failure

if TYPE_CHECKING:
    from handlers.context import Ladder


class SlackWorkRunner(Protocol):
    """What the runner needs of the Slack channel (``bot.slack.channel.SlackChannel``)."""

    async def run(self, work: SlackWork, args: list[Any]) -> None: ...

    async def report_failure(self, work: SlackWork, args: list[Any]) -> None: ...

log = logging.getLogger(__name__)


class TeamsTurnRunner(Protocol):
    """What the runner needs of the Teams endpoint (``bot.teams.endpoint.TeamsEndpoint``)."""

    async def run_turn(self, activity: dict[str, Any], reply_id: str | None = None) -> None: ...

    async def report_failure(self, activity: dict[str, Any], reply_id: str | None = None) -> None: ...


class TaskRunner:
    def __init__(self, ladder: "Ladder", slack: SlackWorkRunner | None = None, teams: TeamsTurnRunner | None = None) -> None:
        self.ladder = ladder
        self.slack = slack
        self.teams = teams

    async def execute(self, task: Task) -> None:
        token = TASK_HOLDER.set(task.id)
        try:
            payload = task.payload
            if isinstance(payload, SlackCall):
                if self.slack is None:
                    raise RuntimeError("a Slack task reached a process without Slack settings (SLACK_BOT_TOKEN)")
                await self.slack.run(payload.work, payload.args)
            elif isinstance(payload, TeamsActivity):
                if self.teams is None:
                    raise RuntimeError("a Teams task reached a process without the Teams channel")
                await self.teams.run_turn(payload.activity, payload.reply_id)
            elif isinstance(payload, ScheduledJob):
                await asyncio.get_running_loop().run_in_executor(None, run_job, self.ladder, payload.job, payload.slot)
        finally:
            TASK_HOLDER.reset(token)

    async def give_up(self, task: Task) -> None:
        """Call while handling the task's last exception: log it with an error id and tell the person."""
        payload = task.payload
        if isinstance(payload, SlackCall) and self.slack is not None:
            await self.slack.report_failure(payload.work, payload.args)  # logs with an error id, tells the person
        elif isinstance(payload, TeamsActivity) and self.teams is not None:
            await self.teams.report_failure(payload.activity, payload.reply_id)
        else:
            log_failure(log, "task failed for good", task=task.what, task_id=task.id)

"""The tasks: small typed payloads, plain JSON on the wire.

Every task has an ``id``, made when it is first queued and kept by every redelivery and retry of it: the
de-duplication claims of the work it does are held in its name, so a redelivered task (its worker killed
mid-way) finishes what it started, while a second delivery of the same Slack event (a new task) changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field

SlackWork = Literal["converse", "converse_in_thread", "click", "submit_form", "publish_home", "run_command"]
ScheduledJobName = Literal["agent_pass", "onboarding", "retention", "audit_seal", "digests"]


class SlackCall(BaseModel):
    """Slack's work after the ack: one method of the Slack channel with its Slack payload (dicts as Slack sent them)."""

    kind: Literal["slack"] = "slack"
    work: SlackWork
    args: list[Any]


class TeamsActivity(BaseModel):
    """A Teams message activity as the Bot Framework sent it (already authenticated by the web process)."""

    kind: Literal["teams"] = "teams"
    activity: dict[str, Any]
    reply_id: str | None = None  # the holding message posted on arrival, which the answer replaces


class ScheduledJob(BaseModel):
    """One run of a scheduled job, for one slot of its schedule (claimed once across schedulers)."""

    kind: Literal["scheduled"] = "scheduled"
    job: ScheduledJobName
    slot: str


Payload = Annotated[Union[SlackCall, TeamsActivity, ScheduledJob], Field(discriminator="kind")]


def new_task_id() -> str:
    return uuid.uuid4().hex


class Task(BaseModel):
    id: str = Field(default_factory=new_task_id)
    payload: Payload

    @property
    def what(self) -> str:
        """For logs: ``slack.converse``, ``scheduled.digests``."""
        p = self.payload
        if isinstance(p, SlackCall):
            return f"slack.{p.work}"
        return "teams.message" if isinstance(p, TeamsActivity) else f"scheduled.{p.job}"

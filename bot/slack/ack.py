"""Ack first: work spawned while Slack's HTTP request is being acknowledged starts only once the ack is sent."""

from __future__ import annotations

import contextvars
from collections.abc import Callable


class AckHold:
    """Work spawned while an HTTP request is being acknowledged waits until the ack is on the wire.

    Bolt runs listeners as tasks next to the response; started at once, a listener's work (in threads, holding
    the GIL) would delay the very ack Slack is waiting for.
    """

    def __init__(self) -> None:
        self.released = False
        self.waiting: list[Callable[[], None]] = []

    def defer(self, start: Callable[[], None]) -> bool:
        if self.released:
            return False
        self.waiting.append(start)
        return True

    def release(self) -> None:
        self.released = True
        waiting, self.waiting = self.waiting, []
        for start in waiting:
            start()


# Set by the HTTP endpoint (bot.slack.mount) for the length of one request; None in Socket Mode and in workers.
ACK_HOLD: contextvars.ContextVar[AckHold | None] = contextvars.ContextVar("slack_ack_hold", default=None)

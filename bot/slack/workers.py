"""Answer work in separate processes (opt-in: ``SLACK_ANSWER_PROCESSES`` > 0).

In-process worker threads share the interpreter with the event loop that acknowledges Slack, so a
busy answer (~15 ms of CPU for a path question) delays the next ack. Worker processes take that CPU
away from the serving process: each builds its own Ladder from the same settings, claims the event
(dedupe), routes, renders Block Kit, and hands back the reply, the rendered messages and any
notifications it wanted to send — those are delivered by the serving process, which owns the
channel clients.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bot.messages import Message, Reply

_worker: dict[str, Any] = {}


class _CollectingNotifier:
    """Keeps what the domain wanted to send; the serving process delivers it."""

    def __init__(self) -> None:
        self.outbox: list[tuple[str, dict]] = []

    def notify(self, person_email: str, reply: Reply) -> bool:
        self.outbox.append((person_email, reply.model_dump(mode="json")))
        return True


def _init(settings) -> None:
    try:
        os.nice(10)  # the serving process, which acks Slack, goes first
    except OSError:
        pass
    from bot.router import Router
    from handlers.context import Ladder
    from storage import Database

    ladder = Ladder(settings=settings, db=Database(settings.database_url))
    collector = _CollectingNotifier()
    ladder.notifiers = [collector]
    _worker.update(ladder=ladder, router=Router(ladder), collector=collector)


def claim_and_answer(keys: list[str], message_json: str):
    """Runs in a worker process. None when another delivery of the same event already claimed it."""
    from bot.slack import blocks as bk
    from bot.slack import dedupe

    ladder, router, collector = _worker["ladder"], _worker["router"], _worker["collector"]
    if not dedupe.claim(ladder.db, keys):
        return None
    collector.outbox.clear()
    reply = router.handle(Message.model_validate_json(message_json))
    return reply.model_dump_json(), bk.render(reply), list(collector.outbox)


def pool(settings, processes: int) -> ProcessPoolExecutor:
    # spawn, not fork: the serving process runs threads and an event loop that must not be copied.
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init, initargs=(settings,))

"""Per-person rate limiting at the router, with a clock the test moves: one friendly sentence and nothing else, a
limit shared by two processes' worth of application (two engines on one database), admins' commands included."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from conversation import Channel, Message
from handlers.context import Ladder
from handlers.rate_limit import RATE_LIMITED
from handlers.router import Router
from storage import Database
from storage.models import AuditEvent, PrivacyPreference
from tests.approvals.approvals_helpers import Clock
from tests.skills.skills_helpers import DANIEL, MAYA, PRIYA


def _limited(ladder: Ladder, clock: Clock, messages: int = 3, window: float = 30.0) -> Ladder:
    settings = ladder.settings.model_copy(update={"chat_rate_limit_messages": messages,
                                                  "chat_rate_limit_window_seconds": window})
    return dataclasses.replace(ladder, settings=settings, now=clock)


def _say(ladder: Ladder, text: str, email: str = MAYA, channel: Channel = Channel.terminal):
    return Router(ladder).handle(Message(channel=channel, sender_email=email, conversation_id="rate", text=text))


def _rows(ladder: Ladder, model) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_over_the_limit_a_person_is_asked_to_slow_down_and_nothing_else_happens(fresh_demo):
    clock = Clock()
    ladder = _limited(fresh_demo, clock)
    for _ in range(3):
        assert _say(ladder, "hi").text != RATE_LIMITED
    audit_before = _rows(ladder, AuditEvent)
    reply = _say(ladder, "hide me from readiness lists")
    assert reply.text == RATE_LIMITED and reply.data == {"intent": "rate_limited"} and not reply.cards
    assert _rows(ladder, PrivacyPreference) == 0 and _rows(ladder, AuditEvent) == audit_before  # it did not run

    assert _say(ladder, "hi", email=DANIEL).text != RATE_LIMITED  # another person has their own allowance
    clock.advance(seconds=9)  # 3 per 30 s: one message back every 10 s
    assert _say(ladder, "hi").text == RATE_LIMITED
    clock.advance(seconds=1)
    answered = _say(ladder, "hide me from readiness lists")
    assert answered.data["intent"] == "opt_out_surfacing" and _rows(ladder, PrivacyPreference) == 1
    assert _say(ladder, "hi").text == RATE_LIMITED

    clock.advance(seconds=3600)  # a long pause refills the bucket to its size, not beyond
    assert [_say(ladder, "hi").text == RATE_LIMITED for _ in range(4)] == [False, False, False, True]


def test_the_limit_holds_across_two_processes_and_every_channel(fresh_demo):
    """Two applications on one database (as two `serve` processes are): the bucket is in the database, so it is one."""
    clock = Clock()
    first = _limited(fresh_demo, clock)
    other_db = Database(fresh_demo.db.url)
    try:
        second = dataclasses.replace(first, db=other_db)
        assert _say(first, "hi").text != RATE_LIMITED
        assert _say(second, "hi", channel=Channel.slack).text != RATE_LIMITED
        assert _say(first, "hi", channel=Channel.teams).text != RATE_LIMITED
        assert _say(second, "hi").text == RATE_LIMITED
        assert _say(first, "hi", channel=Channel.slack).text == RATE_LIMITED
    finally:
        other_db.dispose()


def test_admin_commands_are_limited_too_and_a_limit_of_zero_is_no_limit(fresh_demo):
    clock = Clock()
    ladder = _limited(fresh_demo, clock, messages=2)
    statuses = [_say(ladder, "/ladder status", email=PRIYA) for _ in range(3)]
    assert [r.text == RATE_LIMITED for r in statuses] == [False, False, True]
    assert statuses[0].data.get("intent") != "rate_limited" and statuses[0].text.strip()

    unlimited = _limited(fresh_demo, clock, messages=0)
    assert all(_say(unlimited, "hi", email=DANIEL).text != RATE_LIMITED for _ in range(30))

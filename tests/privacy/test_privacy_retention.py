"""Retention: personal free text older than RETENTION_DAYS is purged; admins see the setting and the last run;
the scheduled purge runs once per period whichever process gets there first."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from governance.privacy import retention
from privacy_helpers import MAYA, PRIYA, prepare, say
from storage.models import AnswerFeedback, ConversationState, MaintenanceRun, ProcessedEvent


def _seed_old_and_new(ladder, now: dt.datetime) -> None:
    old, new = now - dt.timedelta(days=40), now - dt.timedelta(days=2)
    with ladder.db.session() as s, s.begin():
        s.add_all([ConversationState(key="slack:D1:", data={"pending_text": "my salary question"}, updated_at=old),
                   ConversationState(key="slack:D2:", data={"pending_text": "recent"}, updated_at=new),
                   AnswerFeedback(answer_id="a-old", person_id=None, helpful=False, question="old question", created_at=old),
                   AnswerFeedback(answer_id="a-new", person_id=None, helpful=True, question="new question", created_at=new),
                   ProcessedEvent(key="slack:event:old", at=old), ProcessedEvent(key="slack:event:new", at=new)])


def test_purge_removes_what_is_older_than_the_setting_and_admins_see_the_last_run(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    ladder.settings.retention_days = 30
    _seed_old_and_new(ladder, clock())

    shown = say(ladder, PRIYA, "/ladder retention")
    assert shown.data["retention_days"] == 30 and shown.data["last_run"] is None and "never" in shown.text
    assert say(ladder, MAYA, "/ladder retention run").data.get("intent") == "admin_denied"

    ran = say(ladder, PRIYA, "/ladder retention run")
    assert ran.data["purged"] == {"conversation_state": 1, "answer_feedback_questions": 1, "processed_events": 1}, ran.text
    with ladder.db.session() as s, s.begin():
        assert s.get(ConversationState, "slack:D1:") is None and s.get(ConversationState, "slack:D2:") is not None
        votes = {f.answer_id: (f.helpful, f.question) for f in s.scalars(select(AnswerFeedback).where(AnswerFeedback.answer_id.like("a-%")))}
        assert votes == {"a-old": (False, ""), "a-new": (True, "new question")}  # the vote stays, the text goes
        assert {e.key for e in s.scalars(select(ProcessedEvent).where(ProcessedEvent.key.like("slack:event:%")))} == {"slack:event:new"}

    shown = say(ladder, PRIYA, "/ladder retention")
    assert shown.data["last_run"]["rows_purged"] == 3 and "3 rows purged" in shown.text
    assert say(ladder, PRIYA, "how long do we keep conversations?").data.get("intent") == "retention"
    # Encrypted questions cannot be compared in SQL: a second purge must still find nothing left to empty.
    again = say(ladder, PRIYA, "/ladder retention run")
    assert again.data["purged"] == {"conversation_state": 0, "answer_feedback_questions": 0, "processed_events": 0}, again.text


def test_the_scheduled_purge_runs_once_per_period_across_processes(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    day = dt.timedelta(days=1)
    first = retention.run(ladder.db, clock(), 30, period=day)
    second = retention.run(ladder.db, clock(), 30, period=day)  # another process, same period: it does nothing
    assert first.ran and not second.ran
    clock.advance(hours=23)
    assert not retention.run(ladder.db, clock(), 30, period=day).ran
    clock.advance(hours=1)
    _seed_old_and_new(ladder, clock())
    later = retention.run(ladder.db, clock(), 30, period=day)
    assert later.ran and later.total == 3
    with ladder.db.session() as s, s.begin():
        record = s.get(MaintenanceRun, retention.JOB)
        assert record.rows_purged == 3


def test_serve_runs_the_purge_on_its_schedule(fresh_demo):
    from aiohttp import web

    from bot.server import build_app

    ladder = fresh_demo
    clock, _ = prepare(ladder)
    ladder.settings.agent_interval_seconds = 0
    ladder.settings.retention_days = 30
    ladder.settings.retention_interval_seconds = 3600
    _seed_old_and_new(ladder, clock())

    async def scenario() -> bool:
        runner = web.AppRunner(build_app(ladder, channels=()))
        await runner.setup()
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                with ladder.db.session() as s, s.begin():
                    if s.get(ConversationState, "slack:D1:") is None:
                        return True
            return False
        finally:
            await runner.cleanup()

    assert asyncio.run(scenario())

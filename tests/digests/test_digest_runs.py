"""Digest runs on the demo company with a controllable clock (SQLite and PostgreSQL): each digest goes out once, at
the recipient's local time, outside their quiet hours; opt-in is respected; empty digests are not sent; a failed
send is retried and a sent one never repeated."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from digest_helpers import (DANIEL, MAYA, MONDAY, PRIYA, at_local, digests_to, manager_of_team, pending_validation,
                            prepare, set_target, set_zone, tick)
from digests.schedule import DigestKind
from handlers import digests as digest_use_cases
from storage.models import DigestRun, Person

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def _runs(ladder, kind: str) -> list[tuple[int, str, str]]:
    with ladder.db.session() as s, s.begin():
        return [(p, k, st) for p, k, st in s.execute(select(DigestRun.person_id, DigestRun.period_key, DigestRun.status)
                                                     .where(DigestRun.kind == kind))]


def test_each_manager_gets_one_digest_at_nine_local_in_two_time_zones(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    other = manager_of_team(ladder, DANIEL)
    set_zone(ladder, DANIEL, BERLIN)
    set_zone(ladder, other, NEW_YORK)
    pending_validation(ladder, DANIEL)
    pending_validation(ladder, other)
    monday = MONDAY.date()
    # Every half hour through Monday (UTC) and the next morning: the scheduler ticks.
    clock.at = MONDAY
    while clock.at < MONDAY + dt.timedelta(days=1, hours=12):
        tick(ladder, kinds=None)
        clock.advance(minutes=30)
    daniel = digests_to(notifier, DANIEL, "manager")
    theirs = digests_to(notifier, other, "manager")
    assert len(daniel) == 1 and len(theirs) == 1
    assert daniel[0][0] == at_local(monday, 9, 0, BERLIN)  # 08:00 UTC
    assert theirs[0][0] == at_local(monday, 9, 0, NEW_YORK)  # 14:00 UTC
    assert "skill validation(s) to review" in daniel[0][1].text
    assert any(b.ref.startswith("validate_skill:") for b in daniel[0][1].actions())  # one click to confirm
    # Nobody got a manager digest before 09:00 on Monday in their own zone (the others are on UTC, the default).
    with ladder.db.session() as s, s.begin():
        zones = {e: z for e, z in s.execute(select(Person.email, Person.time_zone))}
    for at, email, reply in notifier.sent:
        if reply.data.get("kind") == "manager":
            local = at.astimezone(ZoneInfo(zones[email] or "UTC"))
            assert local.weekday() == 0 and local.time() >= dt.time(9, 0), (email, local)
    # Exactly one record per manager for the week, and the next week sends again.
    sent = [r for r in _runs(ladder, "manager") if r[2] == "sent"]
    assert len(sent) == len({(p, k) for p, k, _ in sent}) == len([1 for *_, r in notifier.sent if r.data.get("kind") == "manager"])
    clock.at = at_local(monday + dt.timedelta(days=7), 9, 0, BERLIN)
    tick(ladder)
    assert len(digests_to(notifier, DANIEL, "manager")) == 2


def test_quiet_hours_hold_a_digest_until_they_end(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    set_zone(ladder, DANIEL, BERLIN, quiet="08:00-12:00")  # Daniel's own quiet hours
    pending_validation(ladder, DANIEL)
    monday = MONDAY.date()
    for hour in (9, 10, 11):
        clock.at = at_local(monday, hour, 30, BERLIN)
        tick(ladder, kinds=[DigestKind.manager])
    assert digests_to(notifier, DANIEL, "manager") == []
    clock.at = at_local(monday, 12, 0, BERLIN)
    tick(ladder, kinds=[DigestKind.manager])
    assert [at for at, _ in digests_to(notifier, DANIEL, "manager")] == [at_local(monday, 12, 0, BERLIN)]
    # The organisation's quiet hours (20:00-08:00) hold a digest scheduled at 07:00 until 08:00.
    with ladder.db.unit_of_work() as uow:
        uow.digests.set_schedule("learning", weekday=None, local_time="07:00", enabled=True, by=None, at=clock())
    set_zone(ladder, PRIYA, BERLIN)
    tuesday = monday + dt.timedelta(days=1)
    clock.at = at_local(tuesday, 7, 0, BERLIN)
    tick(ladder, kinds=[DigestKind.learning])
    assert digests_to(notifier, PRIYA, "learning") == []
    clock.at = at_local(tuesday, 8, 0, BERLIN)
    tick(ladder, kinds=[DigestKind.learning])
    assert len(digests_to(notifier, PRIYA, "learning")) == 1


def test_the_employee_digest_is_opt_in_and_stops_when_asked(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    set_target(ladder, MAYA, "data analyst")
    clock.at = at_local(MONDAY.date(), 9, 0, "UTC")
    tick(ladder)
    assert digests_to(notifier, MAYA, "employee") == []  # not subscribed: nothing, though she has a path
    with ladder.db.unit_of_work() as uow:
        maya = uow.people.by_email(MAYA)
        assert digest_use_cases.subscribe(ladder, uow, maya).data["changed"] is True
        assert digest_use_cases.subscribe(ladder, uow, maya).data["changed"] is False  # asking twice changes nothing
    tick(ladder)
    got = digests_to(notifier, MAYA, "employee")
    assert len(got) == 1
    reply = got[0][1]
    assert "Your path to data analyst" in reply.text and "Next step" in reply.text
    refs = [b.ref for b in reply.actions()]
    assert any(r.startswith("enrol:") for r in refs) and any(r.startswith("show_path:") for r in refs)
    tick(ladder)
    assert len(digests_to(notifier, MAYA, "employee")) == 1  # once per week
    with ladder.db.unit_of_work() as uow:
        assert digest_use_cases.unsubscribe(ladder, uow, uow.people.by_email(MAYA)).data["changed"] is True
    clock.advance(days=7)
    tick(ladder)
    assert len(digests_to(notifier, MAYA, "employee")) == 1


def test_opportunities_already_listed_are_not_new_next_week(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    set_target(ladder, MAYA, "data analyst")
    with ladder.db.unit_of_work() as uow:
        digest_use_cases.subscribe(ladder, uow, uow.people.by_email(MAYA))
    clock.at = at_local(MONDAY.date(), 9, 0, "UTC")
    tick(ladder)
    first = digests_to(notifier, MAYA, "employee")[0][1]
    listed = first.data["new_opportunities"]
    assert listed and "New opportunities" in first.text  # the demo has open work that uses data analysts' skills
    clock.advance(days=7)
    tick(ladder)
    second = digests_to(notifier, MAYA, "employee")[1][1]
    assert not set(listed) & set(second.data["new_opportunities"])  # the same ones are not new any more
    assert set(listed) <= set(second.data["opportunities"])
    assert "the same as last week" in second.text


def test_an_empty_digest_is_recorded_and_not_sent(database, tmp_path):
    from app import build
    from settings import Settings

    ladder = build(Settings(database_url=database.url, data_dir=tmp_path), db=database)
    clock, notifier = prepare(ladder)
    with ladder.db.unit_of_work() as uow:
        boss = Person(name="Bo Boss", email="bo@x.example", active=True)
        uow.add(boss)
        uow.flush()
        uow.add(Person(name="Al Report", email="al@x.example", manager_id=boss.id, active=True))
    clock.at = at_local(MONDAY.date(), 9, 0, "UTC")
    report = tick(ladder)
    assert report.kinds["manager"].due == 1 and report.kinds["manager"].empty == 1
    assert notifier.sent == []
    assert [s for *_, s in _runs(ladder, "manager")] == ["empty"]
    tick(ladder)  # an empty week is settled: not rebuilt on every tick
    assert len(_runs(ladder, "manager")) == 1 and notifier.sent == []


def test_a_failed_send_is_retried_and_a_sent_one_never_repeated(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    other = manager_of_team(ladder, DANIEL)
    pending_validation(ladder, DANIEL)
    pending_validation(ladder, other)
    notifier.failing = {other}
    clock.at = at_local(MONDAY.date(), 9, 0, "UTC")
    first = tick(ladder, kinds=None)
    assert first.kinds["manager"].failed >= 1
    assert len(digests_to(notifier, DANIEL, "manager")) == 1 and digests_to(notifier, other, "manager") == []
    notifier.failing = set()
    clock.advance(minutes=5)
    second = tick(ladder)
    assert second.kinds["manager"].sent == first.kinds["manager"].failed  # only the failed ones again
    assert len(digests_to(notifier, DANIEL, "manager")) == 1 and len(digests_to(notifier, other, "manager")) == 1
    with ladder.db.session() as s, s.begin():
        oid = s.scalar(select(Person.id).where(Person.email == other))
        row = s.scalars(select(DigestRun).where(DigestRun.person_id == oid, DigestRun.kind == "manager")).one()
        assert row.status == "sent" and row.attempts == 2


def test_a_run_that_finds_the_lease_held_sends_nothing(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    clock.at = at_local(MONDAY.date(), 9, 0, "UTC")
    with ladder.db.unit_of_work() as uow:
        assert uow.leases.take("digest run", "worker-9:1:abcd", now=clock(), until=clock() + dt.timedelta(minutes=10))
    report = tick(ladder)
    assert report.skipped and "worker-9:1:abcd" in report.skipped and notifier.sent == []
    clock.advance(minutes=11)  # the holder crashed: its lease expired
    assert tick(ladder).skipped is None and notifier.sent


def test_the_learning_digest_groups_unanswered_questions_with_the_page_that_would_answer_them(fresh_demo):
    from storage.models import KnowledgeDocument

    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    clock.at = at_local(MONDAY.date(), 8, 0, "UTC")
    with ladder.db.unit_of_work() as uow:
        uow.add(KnowledgeDocument(source="handbook/parental_leave.md", title="Parental leave", content_hash="x"))
        priya = uow.people.by_email(PRIYA)
        asked = clock() - dt.timedelta(hours=3)
        for n, q in enumerate(["How many weeks of parental leave do fathers get?", "Is parental leave paid in full?",
                               "Can I bring my dog to the office?", "parental leave for adoption"]):
            uow.knowledge.record_unanswered(f"a{n}", priya.id, q, asked)
    tick(ladder)
    got = digests_to(notifier, PRIYA, "learning")
    assert len(got) == 1
    topics = {t["keyword"]: t for t in got[0][1].data["topics"]}
    assert topics["leave · parental"]["questions"] == 3 and topics["leave · parental"]["page"] == "Parental leave"
    assert [t["page"] for k, t in topics.items() if k != "leave · parental"] == [None]  # the dog: no page yet
    assert "no page yet" in got[0][1].text
    assert got[0][1].data["skills_without_course"]  # demand the catalogue does not meet


def test_admins_schedule_show_and_run_digests_in_chat(fresh_demo):
    from tests.approvals.approvals_helpers import say

    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    refused = say(ladder, MAYA, "/ladder digest schedule manager tue 10:00")
    assert refused.data.get("status") == "forbidden"
    changed = say(ladder, PRIYA, "/ladder digest schedule manager tue 10:00")
    assert changed.data["to"] == "tue 10:00"
    assert say(ladder, PRIYA, "/ladder digest show").data["schedules"]["manager"] == "tue 10:00"
    bad = say(ladder, PRIYA, "/ladder digest schedule manager funday 10:00")
    assert bad.data["status"] == "invalid" and "not a day" in bad.text
    assert say(ladder, PRIYA, "/ladder digest timezone daniel.okafor@kestrel.example Europe/Berlin").data["value"] == "Europe/Berlin"
    assert "not a time zone" in say(ladder, PRIYA, "/ladder digest timezone daniel.okafor@kestrel.example Mars/Base").text
    pending_validation(ladder, DANIEL)
    clock.at = at_local(MONDAY.date(), 9, 0, BERLIN)  # Monday: not the new schedule's day
    tick(ladder)
    assert digests_to(notifier, DANIEL, "manager") == []
    ran = say(ladder, PRIYA, "/ladder digest run manager")  # now, for the current period
    assert ran.data["kinds"]["manager"]["sent"] >= 1 and len(digests_to(notifier, DANIEL, "manager")) == 1
    again = say(ladder, PRIYA, "/ladder digest run manager")
    assert again.data["kinds"]["manager"]["sent"] == 0 and len(digests_to(notifier, DANIEL, "manager")) == 1


def test_a_claim_is_won_once_and_a_failed_one_is_taken_back_once(database):
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
    with database.unit_of_work() as uow:
        p = Person(name="Cy", email="cy@x.example", active=True)
        uow.add(p)
        uow.flush()
        pid = p.id
    with database.unit_of_work() as uow:
        first = uow.digests.claim("manager", pid, "2026-W49", holder="a", now=now)
    with database.unit_of_work() as uow:
        assert first is not None and uow.digests.claim("manager", pid, "2026-W49", holder="b", now=now) is None
        uow.digests.finish(first, "failed", now=now, error="channel down")
    with database.unit_of_work() as uow:
        again = uow.digests.claim("manager", pid, "2026-W49", holder="b", now=now)
        assert again == first
        assert uow.digests.claim("manager", pid, "2026-W49", holder="c", now=now) is None  # taken back once
        uow.digests.finish(again, "sent", now=now)
        uow.digests.finish(again, "failed", now=now)  # a finish never overwrites another outcome
    with database.unit_of_work() as uow:
        assert uow.digests.settled("manager", ["2026-W49"]) == {(pid, "2026-W49"): "sent"}
        assert uow.digests.claim("manager", pid, "2026-W49", holder="d", now=now) is None
        assert uow.digests.claim("manager", pid, "2026-W50", holder="d", now=now) is not None  # next week is new


def test_people_ask_for_their_digest_in_plain_words(fresh_demo):
    from tests.approvals.approvals_helpers import say

    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    set_target(ladder, MAYA, "data analyst")
    pending_validation(ladder, DANIEL)
    clock.at = at_local(MONDAY.date(), 10, 0, "UTC")
    mine = say(ladder, MAYA, "show my digest")
    assert mine.data["intent"] == "show_my_digest" and not mine.data["empty"]
    assert "Your path to data analyst" in mine.text and "send me a weekly digest" in mine.text  # not subscribed yet
    team = say(ladder, DANIEL, "show my team digest")
    assert team.data["intent"] == "show_team_digest" and "skill validation(s) to review" in team.text
    assert say(ladder, MAYA, "show my team digest").data.get("status") == "forbidden"  # Maya manages nobody
    assert say(ladder, MAYA, "send me a weekly digest").data["intent"] == "digest_subscribe"
    assert notifier.sent == []  # showing a digest sends nothing and records nothing
    assert _runs(ladder, "employee") == [] and _runs(ladder, "manager") == []
    tick(ladder)
    assert len(digests_to(notifier, MAYA, "employee")) == 1
    assert say(ladder, MAYA, "stop my digest").data["intent"] == "digest_unsubscribe"
    with ladder.db.unit_of_work() as uow:
        assert not uow.digests.subscribed(uow.people.by_email(MAYA).id, "employee")


def test_serve_runs_digests_on_its_own(fresh_demo):
    import asyncio

    from bot.tasks.embedded import jobs_ctx

    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    pending_validation(ladder, DANIEL)
    clock.at = at_local(MONDAY.date(), 9, 0, "UTC")

    async def serve_briefly() -> None:
        ctx = jobs_ctx(ladder, every={"digests": 0.05}, first_delay=0)(None)
        await ctx.__anext__()  # the server starts
        for _ in range(200):
            if digests_to(notifier, DANIEL, "manager"):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a few more rounds: nothing goes out twice
        with __import__("contextlib").suppress(StopAsyncIteration):
            await ctx.__anext__()  # the server stops

    asyncio.run(serve_briefly())
    assert len(digests_to(notifier, DANIEL, "manager")) == 1

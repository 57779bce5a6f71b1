"""bot/tasks: claims held in a task's name, the in-process queue's retries and last word, the retry policy, and
schedulers that queue each slot of a job once — on both databases, with a controllable clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest

from bot.delivery import claim_once, delivery_key, mark_done
from bot.tasks.payloads import ScheduledJob, SlackCall, Task, TeamsActivity
from bot.tasks.queue import InProcessQueue, RetryPolicy
from bot.tasks.schedule import Scheduler, slot_key
from conversation import Channel


def test_a_task_redelivered_before_its_work_was_done_may_finish_it_and_nobody_else_may(database):
    key = delivery_key(Channel.slack, "event", "EvTask1")
    assert claim_once(database, [key], "task-a") is True
    assert claim_once(database, [key], "task-a") is True  # the same task again (its worker died): it goes on
    assert claim_once(database, [key], "task-b") is False  # the same event in another task: a duplicate
    assert claim_once(database, [key]) is False
    mark_done(database, [key])
    assert claim_once(database, [key], "task-a") is False  # its reply is out: a redelivery sends nothing again


def test_a_task_holds_all_of_its_keys_or_none(database):
    one, two = delivery_key(Channel.slack, "msg", "D1", "9.1"), delivery_key(Channel.slack, "event", "EvTask2")
    assert claim_once(database, [one], "task-a") is True
    assert claim_once(database, [one, two], "task-b") is False  # one key is another task's


def test_tasks_round_trip_as_json_with_their_id():
    for payload in (SlackCall(work="converse", args=[{"ts": "1.2"}, "Ev1", None]),
                    TeamsActivity(activity={"type": "message", "id": "a1"}),
                    ScheduledJob(job="digests", slot="42")):
        task = Task(payload=payload)
        again = Task.model_validate_json(task.model_dump_json())
        assert again == task and again.id == task.id
    assert Task(payload=ScheduledJob(job="digests", slot="1")).what == "scheduled.digests"
    with pytest.raises(ValueError):
        Task.model_validate_json('{"id": "x", "payload": {"kind": "slack", "work": "drop_tables", "args": []}}')


def test_backoff_doubles_up_to_its_ceiling_with_jitter():
    policy = RetryPolicy(max_retries=5, min_backoff_seconds=0.5, max_backoff_seconds=3.0)
    for retries, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (9, 3.0)):
        delays = [policy.delay(retries) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)


class _FlakyRunner:
    """A stand-in for TaskRunner: fails the first ``failures`` times, records the last word."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0
        self.gave_up: list[tuple[str, str]] = []

    async def execute(self, task: Task) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("Slack is away")

    async def give_up(self, task: Task) -> None:
        import sys

        self.gave_up.append((task.id, type(sys.exc_info()[1]).__name__))


@pytest.mark.parametrize("failures, attempts, gave_up", [(0, 1, False), (2, 3, False), (9, 3, True)])
def test_in_process_tasks_are_retried_then_the_last_word_is_given_once(failures, attempts, gave_up):
    runner = _FlakyRunner(failures)
    queue = InProcessQueue(runner, RetryPolicy(max_retries=2, min_backoff_seconds=0.01, max_backoff_seconds=0.02))
    task = Task(payload=ScheduledJob(job="audit_seal", slot="1"))

    async def scenario() -> None:
        queue.submit(task)
        assert queue.pending() == 1
        await queue.drain(5)

    asyncio.run(scenario())
    assert runner.attempts == attempts
    # give_up runs while the last exception is being handled: it can log it with an error id.
    assert runner.gave_up == ([(task.id, "ConnectionError")] if gave_up else [])


def test_a_task_submitted_from_another_thread_runs_on_the_queue_loop():
    runner = _FlakyRunner(0)
    queue = InProcessQueue(runner, RetryPolicy(0, 0.01, 0.01))

    async def scenario() -> None:
        queue.bind(asyncio.get_running_loop())
        thread = threading.Thread(target=queue.submit, args=(Task(payload=ScheduledJob(job="digests", slot="1")),))
        thread.start()
        await asyncio.to_thread(thread.join)
        for _ in range(100):
            if runner.attempts:
                break
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert runner.attempts == 1


def test_two_schedulers_queue_each_slot_of_a_job_once(db_factory, tmp_path):
    ladder = db_factory.ladder(tmp_path)
    ladder.settings = ladder.settings.model_copy(update={
        "agent_interval_seconds": 3600, "onboarding_interval_seconds": 0, "retention_interval_seconds": 0,
        "audit_seal_interval_seconds": 60, "digest_interval_seconds": 0})
    clock = [dt.datetime(2026, 12, 4, 9, 0, 30, tzinfo=dt.timezone.utc)]
    ladder.now = lambda: clock[0]
    queued: list[Task] = []
    lock = threading.Lock()

    def submit(task: Task) -> None:
        with lock:
            queued.append(task)

    schedulers = [Scheduler(ladder, submit), Scheduler(ladder, submit)]
    for minute in range(5):  # five minutes, each scheduler ticking four times a minute, both at once
        for _ in range(4):
            start = threading.Barrier(2)

            def tick(s: Scheduler) -> None:
                start.wait()
                s.tick()

            threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        clock[0] += dt.timedelta(minutes=1)
    runs = [(t.payload.job, t.payload.slot) for t in queued]
    assert len(runs) == len(set(runs))  # never twice
    assert sorted(job for job, _ in runs) == ["agent_pass"] + ["audit_seal"] * 5  # one hour slot, five minute slots
    first_hour = int(dt.datetime(2026, 12, 4, 9, tzinfo=dt.timezone.utc).timestamp() // 3600)
    assert ("agent_pass", str(first_hour)) in runs
    assert claim_once(ladder.db, [slot_key("agent_pass", first_hour)]) is False  # the claim is in the database


def test_a_broker_url_of_another_kind_is_refused_in_plain_words():
    from pydantic import ValidationError

    from settings import Settings

    with pytest.raises(ValidationError, match="must start with amqp:// \\(RabbitMQ\\) or redis://"):
        Settings(task_broker_url="ftp://queue.example")
    assert Settings(task_broker_url="").task_broker_url is None
    assert Settings(task_broker_url="redis://127.0.0.1:6379/0").task_broker_url.startswith("redis://")

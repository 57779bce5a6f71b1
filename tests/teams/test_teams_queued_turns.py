"""A Teams message handed to a worker (a broker is configured): the web process posts a holding message before
the task is queued, and the worker puts the answer in its place. The Bot Connector cannot be read back, so this is
what lets a task redelivered after its worker died mid-reply repeat its reply without the person seeing it twice."""

from __future__ import annotations

import asyncio
import json

from teams_activities import personal_message
from teams_harness import EndpointServer, echo, with_settings
from teams_standins import free_port

from bot.tasks.payloads import Task
from bot.tasks.runner import TaskRunner

MAYA = "maya.patel@kestrel.example"


class HeldTasks:
    """The web process's queue, keeping what it is given: the test runs each task itself, as a worker would."""

    def __init__(self) -> None:
        self.tasks: list[Task] = []

    def submit(self, task: Task) -> None:
        self.tasks.append(task)

    def pending(self) -> int:
        return len(self.tasks)

    async def drain(self, timeout: float) -> None:
        return None

    async def close(self) -> None:
        return None

    def when_unqueued(self, kind, report, loop) -> None:
        self.unqueued = (kind, report, loop)


def _serve(fresh_demo) -> tuple[EndpointServer, HeldTasks]:
    queue = HeldTasks()
    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None)
    return EndpointServer(ladder, echo, queue=queue), queue


def _work(server: EndpointServer, task: Task) -> None:
    """Run ``task`` as a worker does (on the endpoint's loop, where its connector clients live)."""
    runner = TaskRunner(server.ladder, teams=server.endpoint)
    asyncio.run_coroutine_threadsafe(runner.execute(task), server.thread.loop).result(60)


def _cut_off_before_done(ladder) -> None:
    """What a SIGKILL right after the reply went out leaves behind: the claim still open."""
    from sqlalchemy import update

    from storage.models import ProcessedEvent

    with ladder.db.session() as session:
        session.execute(update(ProcessedEvent).values(done_at=None))
        session.commit()


def _ask(server: EndpointServer, connector, text: str) -> dict:
    """Maya's message to the endpoint, which takes it (202: queued) and posts its holding message."""
    activity = personal_message(connector.url, MAYA, text)
    assert server.post(activity).status_code == 202
    return activity


def _text(body) -> str:
    return json.dumps(body).lower()


def test_the_answer_replaces_the_holding_message_and_a_redelivered_task_shows_nothing_twice(fresh_demo, connector):
    server, queue = _serve(fresh_demo)
    try:
        activity = _ask(server, connector, "hello there")
        [held] = connector.shown(activity["id"])
        assert "working on it" in _text(held.body)
        [task] = queue.tasks
        assert task.payload.reply_id == held.id

        _work(server, task)
        [shown] = connector.shown(activity["id"])
        assert shown.id == held.id and "you said: hello there" in _text(shown.body)

        _cut_off_before_done(server.ladder)
        _work(server, task)  # redelivered: its claim is its own, so it replies again, in the same place
        [shown] = connector.shown(activity["id"])
        assert len(shown.versions) == 3 and "you said: hello there" in _text(shown.body)
        assert len([r for r in connector.posts() if (r.body or {}).get("replyToId") == activity["id"]]) == 1

        _work(server, task)  # redelivered after it was done: nothing happens, and its answer stays
        assert connector.shown(activity["id"]) == [shown] and len(shown.versions) == 3

        assert server.post(activity).status_code == 202  # the same activity delivered again: a new task
        assert len(connector.shown(activity["id"])) == 2
        _work(server, queue.tasks[-1])
        assert connector.shown(activity["id"]) == [shown]  # the duplicate's holding message is taken away
        _cut_off_before_done(server.ladder)
        _work(server, queue.tasks[-1])  # the duplicate redelivered: its holding message is gone already; no apology
        assert connector.shown(activity["id"]) == [shown] and len(shown.versions) == 3
    finally:
        server.stop()


def test_a_holding_message_that_cannot_be_updated_gives_way_to_a_new_message(fresh_demo, connector):
    server, queue = _serve(fresh_demo)
    try:
        connector.fail_updates = True  # the connector refuses the update
        activity = _ask(server, connector, "hello")
        _work(server, queue.tasks[0])
        held = queue.tasks[0].payload.reply_id
        assert held is not None and connector.messages[held].deleted  # the holding message is taken away
        [answer] = connector.shown(activity["id"])
        assert "you said: hello" in _text(answer.body) and answer.id != held
    finally:
        server.stop()


def test_a_holding_message_the_person_deleted_does_not_stop_the_answer(fresh_demo, connector):
    server, queue = _serve(fresh_demo)
    try:
        activity = _ask(server, connector, "hello")
        [held] = connector.shown(activity["id"])
        held.deleted = True
        _work(server, queue.tasks[0])
        [answer] = connector.shown(activity["id"])
        assert "you said: hello" in _text(answer.body) and answer.id != held.id
    finally:
        server.stop()


def test_a_task_that_fails_for_good_says_so_with_an_error_id_in_place_of_the_holding_message(fresh_demo, connector):
    server, queue = _serve(fresh_demo)
    try:
        activity = _ask(server, connector, "hello")
        [task] = queue.tasks
        runner = TaskRunner(server.ladder, teams=server.endpoint)

        async def last_failure() -> None:
            try:
                raise RuntimeError("the database went away")
            except RuntimeError:
                await runner.give_up(task)

        asyncio.run_coroutine_threadsafe(last_failure(), server.thread.loop).result(60)
        [shown] = connector.shown(activity["id"])
        assert shown.id == task.payload.reply_id
        assert "error id" in _text(shown.body) and "working on it" not in _text(shown.body)
    finally:
        server.stop()


def test_when_the_holding_message_cannot_be_posted_the_message_is_still_queued(fresh_demo):
    server, queue = _serve(fresh_demo)
    try:
        nothing_listens = f"http://127.0.0.1:{free_port()}/"
        assert server.post(personal_message(nothing_listens, MAYA, "hello")).status_code == 202
        [task] = queue.tasks
        assert task.payload.reply_id is None  # the worker's answer will be a new message
    finally:
        server.stop()


def test_a_failure_after_the_answer_does_not_take_the_answer_s_place(fresh_demo, connector):
    """The answer is in place of the holding message; the file offer after it fails: the answer stays."""
    from conversation import Attachment, Reply

    def export(message):
        return Reply(text="Here is your export.", attachments=[Attachment(filename="skills.csv", content_type="text/csv",
                                                                          data=b"skill\n", alt_text="your skills")])

    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None)
    queue = HeldTasks()
    server = EndpointServer(ladder, export, queue=queue)
    try:
        activity = _ask(server, connector, "export my skills")
        connector.fail_sends = True  # the consent card (a new message) is refused
        _work(server, queue.tasks[0])
        [shown] = connector.shown(activity["id"])
        assert "here is your export" in _text(shown.body) and "error id" not in _text(shown.body)
        assert [r for r in connector.posts() if "error id" in _text(r.body)]  # the apology went as a new message
    finally:
        server.stop()


def test_a_message_the_broker_refuses_says_so_in_place_of_the_holding_message(fresh_demo, connector, caplog):
    """RabbitMQ is down: the activity is acknowledged (202), its task cannot be queued, and the holding message
    becomes the error reply, with an error id, instead of saying "working on it" for ever."""
    import time

    from bot.tasks.app import broker_queue

    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None,
                           task_broker_url=f"amqp://guest:guest@127.0.0.1:{free_port()}/")
    queue = broker_queue(ladder.settings)
    server = EndpointServer(ladder, echo, queue=queue)
    try:
        activity = _ask(server, connector, "hello")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "error id" not in _text([m.body for m in connector.shown(activity["id"])]):
            time.sleep(0.05)
        [shown] = connector.shown(activity["id"])
        assert "error id" in _text(shown.body) and "working on it" not in _text(shown.body)
        assert len(shown.versions) == 2  # the holding message, then the error in its place
        refused = [r for r in caplog.records if r.getMessage() == "a task could not be queued"]
        assert refused and refused[0].error_id in _text(shown.body)  # the id the person reads leads to the cause
    finally:
        server.stop()
        asyncio.run(queue.close())

"""Proactive messages: Ladder reaches a person in Teams without them writing first, using the reference
stored on first contact or install, through ``ladder.notify`` as the domain calls it."""

from __future__ import annotations

import concurrent.futures
import time

from sqlalchemy import select
from teams_activities import aad_id, install, personal_message
from teams_standins import TENANT
from test_teams_cards import assert_valid

from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from bot.teams import cards
from bot.teams.notifier import TeamsNotifier
from storage.models import ChatIdentity

DANIEL = "daniel.okafor@kestrel.example"
MAYA = "maya.patel@kestrel.example"

APPROVAL = Reply(
    text="*Maya Patel wants to enrol in “Cleaning and Preparing Data”*\nIt closes 3 of her gaps for data scientist.",
    cards=[Card(title="Approve enrolment?", facts=[Fact(title="Course", value="Cleaning and Preparing Data"),
                                                   Fact(title="Hours", value="10")],
                buttons=[Button(label="Approve", ref=ActionRef(kind=ActionKind.approve, target="17", version=1).encode(),
                                style="primary"),
                         Button(label="Reject", ref=ActionRef(kind=ActionKind.reject, target="17", version=1).encode(),
                                style="danger")],
                footer="Needs your approval because enrolments over 8 hours need a manager.")],
)


def wait_for_reference(ladder, aad: str, conversation_id: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        with ladder.db.session() as session:
            identity = session.scalar(select(ChatIdentity).where(ChatIdentity.external_id == aad))
            ref = identity.conversation_ref if identity else None
        if ref and ref["conversation"]["id"] == conversation_id:
            return ref
        if time.monotonic() > deadline:
            raise AssertionError(f"reference not updated: {ref}")
        time.sleep(0.02)


def notify_from_a_worker_thread(ladder, email: str, reply: Reply) -> bool:
    """As the domain does it: synchronous code in a worker thread while the server runs."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(ladder.notify, email, reply).result(30)


def test_the_teams_notifier_is_registered(teams_server):
    assert [type(n) for n in teams_server.ladder.notifiers] == [TeamsNotifier]


def test_a_manager_gets_an_approval_card_without_writing_first(teams_server, connector):
    installed = install(connector.url, DANIEL)
    assert teams_server.post(installed).status_code == 200
    connector.wait_for(1, "POST")  # the welcome

    assert notify_from_a_worker_thread(teams_server.ladder, DANIEL, APPROVAL) is True
    sent = connector.wait_for(2, "POST")[1]
    assert sent.path == f"/v3/conversations/{installed['conversation']['id']}/activities"
    assert sent.body["recipient"]["id"] == installed["from"]["id"]
    card = sent.body["attachments"][0]["content"]
    assert_valid(card)
    verbs = [a["verb"] for a in card["body"][-1]["items"][-1]["actions"]]
    assert verbs == ["ladder.approve", "ladder.reject"]
    assert cards.visible_text(card)[0] == "Maya Patel wants to enrol in “Cleaning and Preparing Data”"


def test_no_reference_no_message(teams_server, connector):
    assert notify_from_a_worker_thread(teams_server.ladder, DANIEL, APPROVAL) is False
    assert notify_from_a_worker_thread(teams_server.ladder, "nobody@kestrel.example", APPROVAL) is False
    assert connector.requests == []


def test_from_a_channel_only_reference_a_personal_chat_is_created_and_remembered(teams_server, connector):
    assert teams_server.post(install(connector.url, DANIEL, personal=False)).status_code == 200
    assert notify_from_a_worker_thread(teams_server.ladder, DANIEL, APPROVAL) is True
    create, send = connector.wait_for(2, "POST")
    assert create.path == "/v3/conversations"
    assert create.body["isGroup"] is False and create.body["channelData"]["tenant"]["id"] == TENANT
    assert create.body["tenantID"] == TENANT  # botbuilder-schema's spelling; the service reads it case-insensitively
    assert create.body["members"][0]["id"].startswith("29:")
    assert send.path == "/v3/conversations/a:created-1/activities"
    ref = wait_for_reference(teams_server.ladder, aad_id(DANIEL), "a:created-1")  # saved in the background
    assert ref["conversation"]["conversationType"] == "personal"
    # the next notification goes straight to that chat
    assert notify_from_a_worker_thread(teams_server.ladder, DANIEL, APPROVAL) is True
    third = connector.wait_for(3, "POST")[2]
    assert third.path == "/v3/conversations/a:created-1/activities"


def test_notify_outside_the_server_uses_its_own_loop(teams_server, connector):
    """A script or the agent runner calls notify with no server loop bound."""
    teams_server.post(personal_message(connector.url, MAYA, "hi"))
    connector.wait_for(1, "POST")
    notifier = next(n for n in teams_server.ladder.notifiers if isinstance(n, TeamsNotifier))
    standalone = TeamsNotifier(teams_server.ladder, notifier.adapter, notifier.app_id)  # never bound to a loop
    assert standalone.notify(MAYA, Reply(text="Your enrolment was approved.")) is True
    assert connector.wait_for(2, "POST")[1].path.endswith("/activities")

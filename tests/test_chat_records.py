"""storage/chat.py: what channels remember, on both databases — delivery claims (the first wins, a repeat is
told so without an error), chat accounts linked to people by email, references to reach them, and what a
channel keeps between two steps."""

from __future__ import annotations

import threading

from bot.delivery import claim_once, delivery_key
from bot.identity import ChatUsers
from conversation import Channel
from storage.models import Person


def _people(db) -> None:
    with db.unit_of_work() as uow:
        uow.add(Person(name="Maya Patel", email="maya.patel@kestrel.example"))
        uow.add(Person(name="Daniel Okafor", email="daniel.okafor@kestrel.example"))
        uow.add(Person(name="Left Already", email="gone@kestrel.example", active=False))


def test_a_delivery_is_claimed_once(database):
    first = [delivery_key(Channel.slack, "msg", "D1", "1.0"), delivery_key(Channel.slack, "event", "Ev1")]
    assert claim_once(database, first) is True
    assert claim_once(database, first) is False
    # The same post as a second event: one key seen before makes it a repeat.
    assert claim_once(database, [first[0], delivery_key(Channel.slack, "event", "Ev2")]) is False
    assert claim_once(database, []) is True
    assert claim_once(database, ["x" * 500]) is True and claim_once(database, ["x" * 200]) is False  # keys fit the column


def test_racing_claims_of_one_delivery_have_exactly_one_winner(database):
    key = delivery_key(Channel.teams, "message", "a:1", "f:1")
    results: list[bool] = []
    start = threading.Barrier(4)

    def claim() -> None:
        start.wait()
        results.append(claim_once(database, [key]))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


def test_an_account_is_linked_by_email_and_re_pointed(database):
    _people(database)
    users = ChatUsers(database, Channel.slack)
    with database.unit_of_work() as uow:
        assert users.recognise(uow, "U1") is None
        assert users.link(uow, "U1", "nobody@kestrel.example") is None
        assert users.link(uow, "U1", "gone@kestrel.example") is None  # not active: not in the directory
        linked = users.link(uow, "U1", "Maya.Patel@kestrel.example")
        assert linked is not None and linked.email == "maya.patel@kestrel.example"
    with database.unit_of_work() as uow:
        assert users.recognise(uow, "U1") == linked
        assert ChatUsers(database, Channel.teams).recognise(uow, "U1") is None  # another channel's account
    users.remember("U1", "daniel.okafor@kestrel.example")  # the account now belongs to someone else
    assert users.remembered("U1", "daniel.okafor@kestrel.example")
    with database.unit_of_work() as uow:
        moved = users.recognise(uow, "U1")
        assert moved is not None and moved.identity_id == linked.identity_id and moved.email == "daniel.okafor@kestrel.example"


def test_references_to_reach_a_person(database):
    _people(database)
    teams = ChatUsers(database, Channel.teams)
    with database.unit_of_work() as uow:
        first = teams.link(uow, "aad-1", "maya.patel@kestrel.example")
        second = teams.link(uow, "aad-2", "maya.patel@kestrel.example")
    assert teams.reachable("maya.patel@kestrel.example") == []  # no reference stored yet
    teams.set_reference(second.identity_id, {"conversation": {"id": "b"}})
    teams.set_reference(first.identity_id, {"conversation": {"id": "a"}})
    reachable = teams.reachable("maya.patel@kestrel.example")
    assert [(u.identity_id, u.reference) for u in reachable] == [(first.identity_id, {"conversation": {"id": "a"}}),
                                                                  (second.identity_id, {"conversation": {"id": "b"}})]
    assert teams.reachable("nobody@kestrel.example") == []


def test_what_is_kept_is_taken_once(database):
    with database.unit_of_work() as uow:
        uow.chat.keep("slack:modal:V1", {"text": "first"})
    with database.unit_of_work() as uow:
        uow.chat.keep("slack:modal:V1", {"text": "decide", "blocks": [{"type": "divider"}]})  # replaces
    with database.unit_of_work() as uow:
        assert uow.chat.take("slack:modal:V1") == {"text": "decide", "blocks": [{"type": "divider"}]}
    with database.unit_of_work() as uow:
        assert uow.chat.take("slack:modal:V1") is None

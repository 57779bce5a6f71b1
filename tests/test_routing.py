"""Routing of the path question: many phrasings, role names with typos, plurals, abbreviations."""

from __future__ import annotations

import pytest

from handlers.intents import IntentKind
from conversation import Channel, Message
from handlers.router import Router

# (what a person types, the ESCO role it must resolve to)
PHRASINGS = [
    ("what's my path to data scientist", "data scientist"),
    ("What's my path to data scientist?", "data scientist"),
    ("how do I become a DBA?", "database administrator"),
    ("what would it take to move into cloud engineering", "cloud engineer"),
    ("skills I need for software architect", "software architect"),
    ("What is my path to becoming a data analyst?", "data analyst"),
    ("show me the path to software developer", "software developer"),
    ("career path to ICT project manager", "ICT project manager"),
    ("path to cloud engineer", "cloud engineer"),
    ("which skills am I missing for cloud engineer?", "cloud engineer"),
    ("what skills do I need for database administrator", "database administrator"),
    ("gaps for data scientist", "data scientist"),
    ("my skill gap for software architect", "software architect"),
    ("I want to become a data scientist", "data scientist"),
    ("I'd like to move into cloud engineering", "cloud engineer"),
    ("am I ready for ICT project manager?", "ICT project manager"),
    ("how close am I to data analyst", "data analyst"),
    ("what do I need to become a software tester", "software tester"),
    ("becoming a database administrator", "database administrator"),
    ("switch to software development", "software developer"),
    ("how would I transition to cloud engineer", "cloud engineer"),
    ("what does it take to be a CTO?", "chief technology officer"),
    ("Hey Ladder, what's the route to enterprise architect?", "enterprise architect"),
    ("roadmap to ICT security manager", "ICT security manager"),
    ("how do I move into the data scientist role?", "data scientist"),
    ("what skills are required to become a software architect", "software architect"),
    ("how should I train as a data analyst", "data analyst"),
    ("help me become a cloud engineer", "cloud engineer"),
    ("how far am I from database developer?", "database developer"),
    ("whats my path to data scientists", "data scientist"),
    ("WHAT'S MY PATH TO SOFTWARE ARCHITECT", "software architect"),
    ("what's my path to sofware developer", "software developer"),
    ("what's my path to a data scientst", "data scientist"),
    ("path to data base administrator", "database administrator"),
    ("how can I become a business analysts", "business analyst"),
    ("what's my path to accountant please", "accountant"),
    ("I wish to move into data science", "data scientist"),
    ("could I become a penetration tester?", "ethical hacker"),
    ("skills needed for mobile app developer", "mobile application developer"),
    ("what would it take for me to become a database designer", "database designer"),
]


@pytest.mark.parametrize("text", [p for p, _ in PHRASINGS])
def test_phrasings_are_recognised_as_the_path_question(understand, text):
    assert understand(text).kind == IntentKind.career_path


def test_there_are_at_least_thirty_phrasings():
    assert len({p for p, _ in PHRASINGS}) >= 30


def test_each_phrasing_reaches_the_right_role(demo):
    router = Router(demo)
    wrong = []
    for text, expected in PHRASINGS:
        reply = router.handle(Message(channel=Channel.terminal, sender_email="maya.patel@kestrel.example",
                                      conversation_id="t", text=text))
        got = reply.data.get("role", {}).get("label")
        if got != expected:
            wrong.append((text, expected, got, reply.data.get("status")))
    assert not wrong, wrong


@pytest.mark.parametrize("text,kind", [
    ("how much parental leave do I get?", IntentKind.policy_question),
    ("hello", IntentKind.greeting),
    ("help", IntentKind.help),
    ("/ladder status", IntentKind.admin_command),
    ("and for cloud engineer?", IntentKind.follow_up_role),
    ("who am i", IntentKind.whoami),
])
def test_other_messages_are_not_mistaken_for_the_path_question(understand, text, kind):
    assert understand(text).kind == kind


def test_ambiguous_role_offers_candidates_as_buttons(demo):
    router = Router(demo)
    reply = router.handle(Message(channel=Channel.terminal, sender_email="maya.patel@kestrel.example",
                                  conversation_id="t", text="what's my path to developer?"))
    assert reply.data["status"] == "ambiguous"
    labels = [b.label for b in reply.actions()]
    assert "software developer" in labels and len(labels) >= 2
    assert all(b.ref.startswith("pick_role:") for b in reply.actions())


def test_unknown_role_gets_closest_matches(demo):
    router = Router(demo)
    reply = router.handle(Message(channel=Channel.terminal, sender_email="maya.patel@kestrel.example",
                                  conversation_id="t", text="what's my path to astronaut?"))
    assert reply.data["status"] in ("unknown", "ambiguous")
    assert "astronaut" in reply.text
    assert reply.data["candidates"]

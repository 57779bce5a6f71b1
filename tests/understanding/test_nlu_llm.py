"""With an LLM configured, it proposes the intent by tool calling over the catalogue; Ladder still resolves the
slots and checks permissions, and any failure of the model falls back to the local classifier."""

from __future__ import annotations

import time

import pytest

from conversation import Channel, Message
from handlers.context import build_understander
from handlers.intents import vocabularies
from handlers.router import Router
from understanding.llm import tool_schemas

MAYA = "maya.patel@kestrel.example"


@pytest.fixture
def llm_demo(demo, standin):
    settings = demo.settings.model_copy(update={"openai_base_url": standin.base_url, "llm_model": "standin-model",
                                                "llm_intent_timeout_seconds": 1.0})
    return demo, build_understander(settings)


def understand(ladder, understanding, text, email=MAYA):
    with ladder.db.read_only() as uow:
        person = uow.people.by_email(email)
        return understanding.understand(text, vocabularies(ladder.indexes, uow, person))


def test_the_tools_are_the_catalogue(llm_demo, standin):
    ladder, understanding = llm_demo
    schemas = tool_schemas(understanding.catalogue)
    assert [s["function"]["name"] for s in schemas] == understanding.catalogue.names()
    career = next(s for s in schemas if s["function"]["name"] == "career_path")["function"]
    assert career["parameters"]["required"] == ["role"] and "role" in career["parameters"]["properties"]
    decide = next(s for s in schemas if s["function"]["name"] == "decide_proposal")["function"]
    assert decide["parameters"]["properties"]["proposal_id"]["type"] == "integer"


def test_the_model_proposes_and_ladder_resolves_the_slot(llm_demo, standin):
    ladder, understanding = llm_demo
    standin.tool_call = ("career_path", '{"role": "DBA"}')
    understood = understand(ladder, understanding, "thinking about the database admin thing, what would it take")
    assert (understood.source, understood.intent, understood.slots.value("role")) == ("llm", "career_path", "database administrator")
    sent = standin.requests[-1]["json"]
    assert sent["tools"] and sent["messages"][-1]["content"].startswith("thinking about")


@pytest.mark.parametrize("tool_call,mode", [
    (("no_such_tool", "{}"), "ok"),  # an intent the catalogue doesn't have
    (("career_path", "{not json"), "ok"),  # malformed arguments
    (("career_path", "[1, 2]"), "ok"),  # arguments that are not an object
    (None, "ok"),  # no tool call at all, only text
    (("career_path", '{"role": "DBA"}'), "error500"),
    (("career_path", '{"role": "DBA"}'), "garbage"),
])
def test_any_failure_of_the_model_falls_back_to_the_local_classifier(llm_demo, standin, tool_call, mode):
    ladder, understanding = llm_demo
    standin.tool_call, standin.mode = tool_call, mode
    understood = understand(ladder, understanding, "what's my path to data scientist?")
    assert understood.source == "classifier"
    assert (understood.intent, understood.slots.value("role")) == ("career_path", "data scientist")


def test_a_slow_model_is_not_waited_for(llm_demo, standin):
    ladder, understanding = llm_demo
    standin.tool_call, standin.mode, standin.delay_seconds = ("greeting", "{}"), "slow", 6.0
    started = time.monotonic()
    understood = understand(ladder, understanding, "what's my path to data scientist?")
    assert understood.source == "classifier" and understood.intent == "career_path"
    assert time.monotonic() - started < 5.0  # the 1 s timeout held (the stand-in would have taken 6 s)


def test_permissions_stay_in_ladder_whatever_the_model_proposes(demo, standin):
    settings = demo.settings.model_copy(update={"openai_base_url": standin.base_url, "llm_model": "standin-model"})
    standin.tool_call = ("agent_run", "{}")
    original = demo.understanding
    demo.understanding = build_understander(settings)
    try:
        reply = Router(demo).handle(Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="llm",
                                            text="run the agent for everyone now"))
    finally:
        demo.understanding = original
    assert reply.data["intent"] == "admin_denied"

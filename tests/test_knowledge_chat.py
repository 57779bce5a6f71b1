"""Policy questions through the router: cited answers, audience, "don't know", feedback buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conversation import ActionRef, Channel, Message
from handlers.router import Router
from handlers.kb_cli import ingest
from handlers.seed_demo import HANDBOOK
from storage.models import AnswerFeedback

MAYA, DANIEL = "maya.patel@kestrel.example", "daniel.okafor@kestrel.example"


@pytest.fixture
def kb_demo(fresh_demo, tmp_path):
    # Lexical retrieval keeps this test fast; the hybrid path is covered in tests/knowledge.
    (tmp_path / "no-model").mkdir()
    fresh_demo.settings.embedding_model_dir = tmp_path / "no-model"
    report = ingest(fresh_demo, [str(HANDBOOK)], show_progress=False)
    assert len(report.added) == 21 and not report.failed
    return fresh_demo


def ask(ladder, text, email=MAYA):
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="kb", text=text))


def test_policy_question_is_answered_with_citations_and_feedback_buttons(kb_demo):
    reply = ask(kb_demo, "can I carry over unused holiday days into next year?")
    assert reply.data["intent"] == "knowledge" and reply.data["answered"]
    assert reply.citations and reply.citations[0].source == "annual-leave.md"
    assert "[1]" in reply.text
    refs = [b.ref for b in reply.actions()]
    assert any(r.startswith("feedback_up:") for r in refs) and any(r.startswith("feedback_down:") for r in refs)


def test_manager_only_page_never_reaches_an_employee(kb_demo):
    question = "how long does a performance improvement plan last?"
    employee = ask(kb_demo, question)
    assert "60 calendar days" not in employee.text
    assert all("manager-" not in c.source for c in employee.citations)
    manager = ask(kb_demo, question, email=DANIEL)
    assert manager.data["answered"]
    assert any(c.source == "manager-performance-improvement-plans.md" for c in manager.citations)


def test_unanswerable_question_names_a_contact(kb_demo):
    reply = ask(kb_demo, "what is the wifi password in the Lisbon office?")
    assert reply.data["answered"] is False
    assert "@kestrel.example" in reply.text


def test_feedback_is_stored_once_per_person_and_answer(kb_demo):
    reply = ask(kb_demo, "can I expense a conference ticket?")
    down = next(b.ref for b in reply.actions() if b.ref.startswith("feedback_down:"))
    router = Router(kb_demo)
    for _ in range(2):  # a duplicated click changes nothing twice
        click = router.handle(Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="kb", action=ActionRef.decode(down)))
        assert click.data["recorded"] is True
    with kb_demo.db.session() as s, s.begin():
        rows = s.scalars(select(AnswerFeedback)).all()
        assert len(rows) == 1 and rows[0].helpful is False and rows[0].chunk_ids


def test_kb_list_is_for_admins(kb_demo):
    assert "To manage the knowledge base you need to be in HR or in L&D or an admin" in ask(kb_demo, "/ladder kb list").text
    listing = ask(kb_demo, "/ladder kb list", email="priya.raman@kestrel.example")
    assert listing.data["documents"] == 21

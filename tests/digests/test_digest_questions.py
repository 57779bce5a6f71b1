"""A policy question the handbook cannot answer is kept for the L&D and HR digest (and only then), grouped by topic
with the handbook page closest to it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from digest_helpers import MAYA, MONDAY, PRIYA, at_local, digests_to, prepare, tick
from digests.schedule import DigestKind
from handlers.kb_cli import ingest
from handlers.seed_demo import HANDBOOK
from storage.models import AnswerFeedback
from tests.approvals.approvals_helpers import say


@pytest.fixture
def kb_demo(fresh_demo, tmp_path):
    (tmp_path / "no-model").mkdir()  # lexical retrieval: fast, and enough to find nothing for these questions
    fresh_demo.settings.embedding_model_dir = tmp_path / "no-model"
    ingest(fresh_demo, [str(HANDBOOK)], show_progress=False)
    return fresh_demo


def test_unanswered_policy_questions_reach_the_learning_digest(kb_demo):
    ladder = kb_demo
    clock, notifier = prepare(ladder)
    clock.at = at_local(MONDAY.date(), 6, 0, "UTC")
    asked = ["What is the company policy on bringing dogs to the office?",
             "Are dogs allowed at the office on Fridays?"]
    for question in asked:
        reply = say(ladder, MAYA, question)
        assert reply.data.get("answered") is False, reply.text
    answered = say(ladder, MAYA, "can I carry over unused holiday days into next year?")
    assert answered.data.get("answered") is True
    with ladder.db.session() as s, s.begin():
        kept = [(a, q) for a, q in s.execute(select(AnswerFeedback.answer_id, AnswerFeedback.question))]
    assert sorted(q for _, q in kept) == sorted(asked)  # the answered one is not kept
    assert all(a.startswith("unanswered-") for a, _ in kept)
    clock.at = at_local(MONDAY.date(), 8, 0, "UTC")
    tick(ladder, kinds=[DigestKind.learning])
    got = digests_to(notifier, PRIYA, "learning")
    assert len(got) == 1
    topics = got[0][1].data["topics"]
    assert topics[0]["keyword"] == "dog · office" and topics[0]["questions"] == 2
    assert "Are dogs allowed at the office on Fridays?" in got[0][1].text

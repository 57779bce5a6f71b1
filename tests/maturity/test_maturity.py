"""“Where do we sit on the ladder?”: the assessment's rules on made-up counts, then the whole flow through the
router on both databases — HR asks, answers the questionnaire by clicks (once), an employee is refused."""

from __future__ import annotations

import dataclasses
import json

from approvals_helpers import MAYA, PRIYA, click, prepare, say
from sqlalchemy import func, select

import app
from maturity.assess import QUESTION_KEYS, QUESTIONS, assess
from storage.maturity import Observed
from storage.models import AuditEvent

EVERYTHING = Observed(active_people=100, roles_with_requirements=50, courses=40, courses_tagged=40, handbook_documents=10,
                      people_with_target=30, agent_proposals_90d=12, decided_proposals_90d=9, auto_policies=1,
                      digests_sent_30d=80, people_with_verified_evidence=70, opportunities_open=5,
                      opportunities_posted_90d=3, applications_90d=4, people_with_hire_date=100, leavers_recorded=8,
                      role_changes=4, people_rated_last_year=90, team_kpi_months_last_quarter=3)
ALL_YES = {k: True for k in QUESTION_KEYS}


def audit_count(ladder, action: str, object_id: str | None = None) -> int:
    with ladder.db.session() as s:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return s.scalar(query if object_id is None else query.where(AuditEvent.object_id == object_id))


def test_every_criterion_met_and_every_answer_yes_is_the_top_stage_with_no_steps():
    result = assess(EVERYTHING, ALL_YES)
    assert result.stage == 5 and result.next_steps == [] and result.unanswered == []


def test_a_gap_in_a_lower_stage_caps_the_stage_and_leads_the_next_steps():
    no_tags = dataclasses.replace(EVERYTHING, courses_tagged=10, digests_sent_30d=0)
    result = assess(no_tags, ALL_YES)
    assert result.stage == 1  # stage 2 is not in place, so nothing above it counts
    assert result.next_steps[0].startswith("Tag the catalogue") and result.next_steps[1].startswith("Turn on the weekly digests")
    assert len(result.next_steps) == 2


def test_a_no_blocks_its_stage_and_unanswered_does_not():
    answers = {**ALL_YES, "outcomes_reviewed": False}
    result = assess(EVERYTHING, answers)
    assert result.stage == 3 and result.next_steps == [QUESTIONS[3].step]
    unanswered = {k: v for k, v in ALL_YES.items() if k != "outcomes_reviewed"}
    assert assess(EVERYTHING, unanswered).stage == 5
    assert [q.key for q in assess(EVERYTHING, unanswered).unanswered] == ["outcomes_reviewed"]


def test_next_steps_are_at_most_three_in_ladder_order():
    empty = Observed(**{f.name: 0 for f in dataclasses.fields(Observed)})
    result = assess(empty, {})
    assert result.stage == 0 and len(result.next_steps) == 3
    assert result.next_steps[0].startswith("Import the ESCO taxonomy")


def test_hr_asks_in_words_and_answers_the_questionnaire_once_per_answer(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    reply = say(ladder, PRIYA, "which stage of the maturity ladder does the company sit on?")
    assert reply.data["intent"] == "maturity", reply.text
    assert "Where we sit on the ladder" in reply.text and "Next steps" in reply.text
    assert "60 people" in reply.text  # the demo's own counts, not a canned text
    first = reply.data["unanswered"][0]
    yes = next(b.ref for b in reply.actions() if b.ref.startswith("maturity_yes:"))

    answered = click(ladder, PRIYA, yes)
    assert answered.data["changed"] is True and answered.data["answered"] == first
    assert first not in answered.data["unanswered"]
    assert audit_count(ladder, "maturity.answered", first) == 1

    again = click(ladder, PRIYA, yes)  # a double click changes nothing twice
    assert again.data["changed"] is False and "nothing changed" in again.text
    assert audit_count(ladder, "maturity.answered", first) == 1

    no = yes.replace("maturity_yes", "maturity_no")
    changed_mind = click(ladder, PRIYA, no)
    assert changed_mind.data["changed"] is True
    stage1 = changed_mind.data["stages"][0]
    assert stage1["answer"] is False and stage1["met"] is False and changed_mind.data["stage"] == 0


def test_an_employee_is_refused_in_words_by_command_and_by_click(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    for text in ("where do we sit on the maturity ladder?", "/ladder maturity"):
        reply = say(ladder, MAYA, text)
        assert reply.data.get("status") == "forbidden", (text, reply.text)
    refused = click(ladder, MAYA, "maturity_yes:0")
    assert refused.data.get("status") == "forbidden"
    assert audit_count(ladder, "maturity.answered") == 0


def test_a_stale_question_button_gets_a_clear_reply(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    reply = click(ladder, PRIYA, f"maturity_no:{len(QUESTIONS) + 3}")
    assert "no longer asked" in reply.text


def test_the_command_and_the_cli_give_the_same_assessment(fresh_demo, capsys):
    ladder = fresh_demo
    prepare(ladder)
    command = say(ladder, PRIYA, "/ladder maturity")
    assert command.data["intent"] == "maturity"
    assert app.cmd_maturity(type("Args", (), {"json": True})(), ladder) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["stage"] == command.data["stage"] and printed["stages"] == command.data["stages"]

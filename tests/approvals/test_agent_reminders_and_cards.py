"""Nudging a manager about what waits for them, and a card for every kind of proposal in Slack, Teams and the terminal."""

from __future__ import annotations

import json

from approvals_helpers import DANIEL, MAYA, PRIYA, course, person_id, prepare, say
from sqlalchemy import select, update

from agent.run import run_pass
from approvals import policy
from approvals.actions import LABELS, ActionType
from approvals.proposing import NewProposal, write
from bot.slack import blocks as slack_blocks
from bot.teams import cards as teams_cards
from bot.terminal import render_text
from storage.models import Opportunity, Person, Proposal
from tests.conftest import SHARED
from tests.slack.slack_standin import block_problems

import jsonschema

SAMIR = "samir.uddin@kestrel.example"  # leads Data & Analytics; the demo's data-scientist target reports to him


def test_a_manager_is_reminded_of_decisions_and_validations_waiting_too_long(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    assert say(ladder, MAYA, "ask my manager to validate statistics").data["created"]
    first = run_pass(ladder.approvals, ladder.settings)
    assert first.created["manager_reminder"] == 0  # nothing has waited long yet
    with ladder.db.session() as s, s.begin():
        s.execute(update(Person).where(Person.email == SAMIR).values(active=False))

    clock.advance(days=ladder.settings.manager_reminder_after_days + 1)
    report = run_pass(ladder.approvals, ladder.settings)
    with ladder.db.session() as s, s.begin():
        reminders = list(s.scalars(select(Proposal).where(Proposal.action_type == "manager_reminder")))
    daniel, samir = person_id(ladder, DANIEL), person_id(ladder, SAMIR)
    subjects = {p.subject_id for p in reminders}
    assert daniel in subjects and samir not in subjects  # an inactive manager is not reminded
    assert report.created["manager_reminder"] == len(reminders) and report.auto_executed["manager_reminder"] == len(reminders)
    mine = next(p for p in reminders if p.subject_id == daniel)
    assert len(mine.payload["proposal_ids"]) == 4 and len(mine.payload["validation_ids"]) == 1
    assert mine.payload["oldest_days"] == ladder.settings.manager_reminder_after_days + 1
    assert "4 decision(s) and 1 validation request(s) have waited for Daniel Okafor" in mine.rationale
    assert any("asked you to validate statistics" in e["text"] for e in mine.evidence)
    told = [r.text for r in notifier.to(DANIEL) if r.text.startswith("A reminder from Ladder")]
    assert told and "my approvals" in told[0] and "pending validations" in told[0]

    clock.advance(days=2)  # within the reminder's own cooldown (7 days): no second reminder
    assert run_pass(ladder.approvals, ladder.settings).created["manager_reminder"] == 0
    assert len([r for r in notifier.to(DANIEL) if r.text.startswith("A reminder from Ladder")]) == 1


def _one_of_each(ladder) -> None:
    """A proposal of every action type, for Maya, decided by Daniel, all waiting (policy approve)."""
    cid, code, title = course(ladder, "DS101")
    with ladder.db.session() as s, s.begin():
        opp = s.scalar(select(Opportunity).order_by(Opportunity.id))
        opp_id, opp_title = opp.id, opp.title
    payloads = {
        ActionType.enrol_course: {"course_id": cid, "course_code": code, "course_title": title},
        ActionType.schedule_checkin: {"enrolment_id": 1, "course_id": cid, "course_title": title, "date": "2026-12-04"},
        ActionType.readiness_nudge: {"opportunity_id": opp_id, "opportunity_title": opp_title},
        ActionType.adjust_path: {"role_id": 1, "role_label": "data scientist", "course_ids": [cid], "course_codes": [code],
                                 "drop_enrolment_ids": [7], "drop_course_codes": ["SE150"], "reason": "target_change"},
        ActionType.stretch_assignment: {"opportunity_id": opp_id, "opportunity_title": opp_title, "skill_ids": []},
        ActionType.manager_reminder: {"proposal_ids": [1, 2], "validation_ids": [3], "oldest_days": 4},
        ActionType.erase_person: {"self_service": True},
        ActionType.staff_opportunity: {"opportunity_id": opp_id, "opportunity_title": opp_title, "application_id": 1,
                                       "hours_per_week": 4.0, "duration_weeks": 13},
        ActionType.onboarding_plan: {"start_date": "2026-12-07", "role_label": "data analyst", "mandatory_course_codes": [code],
                                     "path_course_ids": [cid], "path_course_codes": [code], "checkins": ["2027-01-05"]},
        ActionType.course_cohort: {"skill_id": 1, "skill": "statistics", "course_id": cid, "course_code": code, "course": title,
                                   "team": "Data & Analytics", "size": 2, "quarter": 3, "person_ids": [1, 2]},
    }
    assert set(payloads) == set(ActionType)
    maya, daniel = person_id(ladder, MAYA), person_id(ladder, DANIEL)
    news = [NewProposal(kind, maya, daniel, payload, f"Why: {LABELS[kind]}.", [{"kind": "test", "text": "evidence"}], f"test:{kind.value}")
            for kind, payload in payloads.items()]
    with ladder.db.unit_of_work() as uow:
        write(uow, news, {k: policy.Autonomy.approve for k in ActionType}, now=ladder.now(), expiry_days=7)


def test_every_kind_renders_as_a_card_in_slack_teams_and_the_terminal(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    _one_of_each(ladder)
    reply = say(ladder, DANIEL, "my approvals")
    titles = [c.title.split(" · ", 1)[1] for c in reply.cards]
    assert sorted(titles) == sorted(LABELS.values())
    assert any("drop SE150" in c.body for c in reply.cards)
    assert any("2 decision(s) and 1 validation request(s)" in c.body for c in reply.cards)

    messages = slack_blocks.render(reply)
    slack_text = json.dumps([m.blocks for m in messages])
    assert all(block_problems(m.blocks, 50) == [] for m in messages)
    card = teams_cards.reply_card(reply)
    schema = json.loads((SHARED / "schemas" / "adaptivecards" / "1.5.0" / "adaptive-card.json").read_text())
    assert not list(jsonschema.Draft6Validator(schema).iter_errors(card))
    teams_text = " ".join(teams_cards.visible_text(card))
    terminal, _ = render_text(reply)
    for label in LABELS.values():
        assert label in slack_text and label in teams_text and label in terminal
    # A reminder has nothing to override; saying so is a plain reply, not an error.
    with ladder.db.session() as s, s.begin():
        reminder = s.scalar(select(Proposal.id).where(Proposal.action_type == "manager_reminder"))
    refused = say(ladder, DANIEL, f"override {reminder} with 3 because why not")
    assert "nothing to change" in refused.text
    assert say(ladder, PRIYA, "/ladder policy").data["policy"]["manager_reminder"] == "auto"

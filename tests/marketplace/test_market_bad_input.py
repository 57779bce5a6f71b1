"""Bad input gets a clear reply and changes nothing: an empty or one-word brief, no recognisable skill, a closing date in
the past, applying twice (test_market_flow), buttons for what no longer exists, people who may not post or shortlist."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers import marketplace
from marketplace import brief
from storage.models import Opportunity
from tests.approvals.approvals_helpers import click, prepare, say

from market_helpers import BRIEF, MAYA, count, team_lead

TODAY = dt.date(2026, 11, 28)


def _post(ladder, email: str, text: str):
    with ladder.db.unit_of_work() as uow:
        return marketplace.post(ladder, uow, uow.people.by_email(email), text)


@pytest.mark.parametrize("text, says", [
    ("", "Tell me about the opportunity"),
    ("   ", "Tell me about the opportunity"),
    ("SQL", "too short"),
    ("dashboards", "too short"),
])
def test_an_empty_or_one_word_brief_asks_for_more_and_drafts_nothing(fresh_demo, text, says):
    prepare(fresh_demo)
    before = count(fresh_demo, Opportunity)
    reply = _post(fresh_demo, MAYA, text)
    assert reply.data["status"] == "invalid" and says in reply.text and "hours a week" in reply.text
    assert count(fresh_demo, Opportunity) == before


def test_a_brief_without_a_recognisable_skill_says_so(fresh_demo):
    prepare(fresh_demo)
    before = count(fresh_demo, Opportunity)
    reply = say(fresh_demo, team_lead(fresh_demo, "Data & Analytics"),
                "I need someone to help plan the summer party, 2 hours a week for 3 weeks")
    assert reply.data["intent"] == "post_opportunity", reply.text
    assert reply.data["status"] == "invalid" and "couldn't recognise a skill" in reply.text
    assert count(fresh_demo, Opportunity) == before


def test_a_closing_date_in_the_past_is_refused(fresh_demo):
    prepare(fresh_demo)
    before = count(fresh_demo, Opportunity)
    reply = say(fresh_demo, team_lead(fresh_demo, "Data & Analytics"),
                "I need someone who can build dashboards in SQL, 4 hours a week, closes 1 November 2026")
    assert reply.data["status"] == "invalid" and "already passed" in reply.text and "1 November 2026" in reply.text
    assert count(fresh_demo, Opportunity) == before


def test_a_draft_whose_closing_date_passes_before_publishing_is_not_published(fresh_demo):
    clock, _ = prepare(fresh_demo)
    owner = team_lead(fresh_demo, "Data & Analytics")
    draft = say(fresh_demo, owner, BRIEF + ", closes 1 December")
    clock.advance(days=5)
    publish = next(b.ref for b in draft.actions() if b.label == "Publish")
    late = click(fresh_demo, owner, publish)
    assert late.data["status"] == "invalid" and "has passed" in late.text


def test_only_the_owner_publishes_and_dead_buttons_say_so(fresh_demo):
    prepare(fresh_demo)
    owner = team_lead(fresh_demo, "Data & Analytics")
    draft = say(fresh_demo, owner, BRIEF)
    publish = next(b.ref for b in draft.actions() if b.label == "Publish")
    assert click(fresh_demo, MAYA, publish).data["status"] == "forbidden"
    assert click(fresh_demo, MAYA, "apply_opportunity:999999").data["status"] == "not_found"
    assert click(fresh_demo, MAYA, "shortlist_candidate:999999").data["status"] == "not_found"
    assert click(fresh_demo, MAYA, "view_shortlist:999999").data["status"] == "forbidden"
    assert click(fresh_demo, MAYA, f"apply_opportunity:{draft.data['opportunity_id']}").data["status"] == "not_found"  # a draft


@pytest.mark.parametrize("text, hours, weeks, closes", [
    ("someone for data mining, 3 hrs per week for six weeks", 3.0, 6, None),
    ("help with SQL reports, half a day a week for a quarter, apply by 20 December", 4.0, 13, dt.date(2026, 12, 20)),
    ("a person who knows statistics, two hours weekly until 2027-01-31", 2.0, 9, None),
    ("cloud monitoring help, 1 day a week for 2 months, deadline is next Friday", 8.0, 9, dt.date(2026, 12, 4)),
    ("someone good at cyber security for the audit, 5h/week, closing date 2026-12-15", 5.0, None, dt.date(2026, 12, 15)),
])
def test_the_brief_reader_finds_hours_duration_and_closing_date(text, hours, weeks, closes):
    read = brief.read(text, TODAY)
    assert (read.hours_per_week, read.duration_weeks) == (hours, weeks)
    assert read.closes_on == (closes or TODAY + dt.timedelta(days=brief.DEFAULT_CLOSING_DAYS))
    assert read.closes_on_said is (closes is not None)


def test_the_brief_reader_titles_kinds_places_and_what_is_learned():
    read = brief.read("Looking for two people who can mentor individuals for the onboarding programme, 2 hours a week", TODAY)
    assert read.title == "Onboarding programme" and read.kind == "project" and read.capacity == 2
    assert brief.read("We have an opening for a data scientist in our team, full details to follow", TODAY).kind == "role"
    needed, learned = brief.learning_part("Someone who can use databases, and they'd learn Python on the way.")
    assert "use databases" in needed and "Python" in learned and "Python" not in needed
    with pytest.raises(brief.BriefError, match="hours a week"):
        brief.read("someone for data mining work, 60 hours a week", TODAY)

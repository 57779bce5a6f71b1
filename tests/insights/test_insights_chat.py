"""Outcome analytics in chat over the seeded demo company (both databases): HR and leaders get a short answer with
the effect, its interval, n and caveats, and a Kaplan–Meier chart; an employee is refused and sees no figure."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from conversation import Channel, Message
from handlers.router import Router

MAYA = "maya.patel@kestrel.example"  # employee
PRIYA = "priya.raman@kestrel.example"  # HR admin
DANIEL = "daniel.okafor@kestrel.example"  # leads Product Engineering
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def on_demo_day(demo):
    return dataclasses.replace(demo, now=lambda: NOW)


def ask(ladder, text: str, email: str):
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="insights", text=text))


def test_hr_asks_whether_training_relates_to_attrition(on_demo_day):
    reply = ask(on_demo_day, "does training relate to attrition?", PRIYA)
    assert reply.data["intent"] == "outcome_insights" and reply.data["status"] == "done", reply.text
    result = reply.data["result"]
    [hr] = result["cox"]["hazard_ratios"]
    assert result["by"] == "learning" and hr["ci_low"] < 0.7 < hr["ci_high"]
    assert f"{hr['hazard_ratio']:.2f} (95% CI {hr['ci_low']:.2f}–{hr['ci_high']:.2f})" in reply.text
    assert f"{result['cox']['n']} people" in reply.text and "not a cause" in reply.text
    [chart] = reply.attachments
    assert chart.content_type == "image/png" and chart.data.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.data) > 2000
    assert "still employed" in chart.alt_text and "learning in the first 90 days = yes" in chart.alt_text


def test_a_leader_asks_about_the_leadership_course(on_demo_day):
    reply = ask(on_demo_day, "retention of people who did the leadership course", DANIEL)
    assert reply.data["status"] == "done" and reply.data["course"] == "LD101", reply.text
    assert "First-time Manager" in reply.text and "more time to take the course" in reply.text
    assert all(g["n"] >= 5 for g in reply.data["result"]["groups"])


def test_performance_after_the_data_course_recovers_the_planted_gain(on_demo_day):
    reply = ask(on_demo_day, "performance after the data course", PRIYA)
    assert reply.data["analysis"] == "rating_change" and reply.data["course"] == "DS101", reply.text
    result = reply.data["result"]
    assert result["takers"] >= 5 and result["comparison"] >= 5
    assert result["ci_low"] < 0.3 < result["ci_high"]  # insights/demo_history.py plants +0.3 rating points
    assert "95% CI" in reply.text and f"{result['takers']} takers" in reply.text


def test_an_employee_is_refused_and_sees_no_figures(on_demo_day):
    reply = ask(on_demo_day, "does training relate to attrition?", MAYA)
    assert reply.data["intent"] == "outcome_insights" and reply.data["status"] == "forbidden"
    assert reply.data["capability"] == "view_outcomes" and not reply.attachments
    assert "hazard" not in reply.text.lower() and "CI" not in reply.text

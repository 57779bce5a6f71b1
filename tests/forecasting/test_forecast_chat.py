"""The skill-gap forecast against the seeded demo company, on both databases: HR sees the organisation and any
team, a manager only the team they lead, an employee nothing, and a team with no history gets a clear reply."""

from __future__ import annotations

import datetime as dt

from handlers.forecast import answer

PRIYA = "priya.raman@kestrel.example"  # HR admin
DANIEL = "daniel.okafor@kestrel.example"  # leads Product Engineering
MAYA = "maya.patel@kestrel.example"  # employee


def ask(ladder, email, team=None, quarters=4):
    with ladder.db.read_only() as uow:
        return answer(ladder, uow, uow.people.by_email(email), team, quarters)


def test_hr_sees_the_organisations_gaps_with_reasons_and_a_chart(demo):
    reply = ask(demo, PRIYA)
    assert reply.data["status"] == "done" and reply.data["scope"] == "the organisation"
    top = reply.data["gaps"][0]
    assert top["skill"] == "machine learning" and top["gap"] > 0 and top["low80"] < top["gap"] < top["high80"]
    assert "demand ≈" in reply.text and "supply ≈" in reply.text
    assert reply.attachments[0].content_type == "image/png" and reply.attachments[0].data.startswith(b"\x89PNG")


def test_manager_gets_their_own_team_and_cannot_see_another(demo):
    own = ask(demo, DANIEL)
    assert own.data["status"] == "done" and own.data["scope"] == "Product Engineering"
    assert ask(demo, DANIEL, "product engineering").data["scope"] == "Product Engineering"
    other = ask(demo, DANIEL, "Platform Engineering")
    assert other.data["status"] == "forbidden" and "team you lead" in other.text and not other.attachments
    assert ask(demo, PRIYA, "Platform Engineering").data["status"] == "done"


def test_employee_is_refused(demo):
    reply = ask(demo, MAYA)
    assert reply.data.get("denied") is True and reply.data["status"] == "forbidden"


def test_team_with_no_history_gets_a_clear_reply(demo):
    reply = ask(demo, PRIYA, "Finance")
    assert reply.data["status"] == "no_history"
    assert "no monthly skill history for Finance" in reply.text
    assert ask(demo, PRIYA, "Astronomy").data["status"] == "unknown_team"
    assert ask(demo, PRIYA, quarters=7).data["status"] == "bad_quarters"


def test_demo_history_is_48_months_per_team_and_skill(demo):
    with demo.db.read_only() as uow:
        series = uow.skill_history.series(uow.skill_history.team_by_name("Data & Analytics").id)
    assert len(series) == 5 and all(len(d) == len(s) == 48 for d, s in series.values())


def test_recording_a_month_again_replaces_it(fresh_demo):
    with fresh_demo.db.unit_of_work() as uow:
        team = uow.skill_history.team_by_name("Finance")
        skill_id = uow.organisation.skill_ids_by_label()["machine learning"]
        month = dt.date(2026, 12, 1)
        uow.skill_history.record(month, team.id, skill_id, supply=1, pipeline=0, demand=2)
        uow.skill_history.record(month, team.id, skill_id, supply=3, pipeline=1, demand=5)
        assert uow.skill_history.series(team.id) == {"machine learning": ([5.0], [4.0])}

"""Manager views are scoped to the manager's own reports (direct and indirect) — and nobody else."""

from __future__ import annotations


from sqlalchemy import select, update

from storage.models import AccessRole, Person
from tests.skills.skills_helpers import DANIEL, MAYA, PRIYA, ask, at_fixed_time


def _reports(session, manager_email: str) -> set[str]:
    """Independently: walk the manager_id chain over the whole directory."""
    people = session.execute(select(Person.id, Person.email, Person.manager_id)).all()
    boss = next(pid for pid, email, _ in people if email == manager_email)
    below: set[int] = set()
    frontier = {boss}
    while frontier:
        frontier = {pid for pid, _, mid in people if mid in frontier and pid not in below}
        below |= frontier
    return {email for pid, email, _ in people if pid in below}


def test_team_ready_ranks_only_own_reports_with_their_gaps(demo):
    ladder = at_fixed_time(demo)
    reply = ask(ladder, "who on my team is ready for software developer?", email=DANIEL)
    with demo.db.session() as s, s.begin():
        expected = _reports(s, DANIEL)
        everyone = {e for (e,) in s.execute(select(Person.email))}
    people = reply.data["people"]
    emails = {p["email"] for p in people}
    assert emails == expected and len(expected) == 11
    assert not emails & (everyone - expected)
    counts = [p["missing_count"] for p in people]
    assert counts == sorted(counts)
    assert all(len(p["missing"]) == p["missing_count"] for p in people)
    assert reply.data["role"]["label"] == "software developer"


def test_team_gaps_counts_lacking_people_per_skill(demo):
    ladder = at_fixed_time(demo)
    ready = ask(ladder, "who on my team is ready for data scientist?", email=DANIEL).data
    gaps = ask(ladder, "team gaps for data scientist", email=DANIEL).data
    lacking = {}
    for p in ready["people"]:
        for m in p["missing"]:
            lacking[m["uri"]] = lacking.get(m["uri"], 0) + 1
    assert {s["uri"]: s["lacking"] for s in gaps["skills"] if s["lacking"]} == lacking
    values = [s["lacking"] for s in gaps["skills"]]
    assert values == sorted(values, reverse=True)
    assert gaps["team_size"] == 11


def test_non_managers_are_refused(demo):
    ladder = at_fixed_time(demo)
    for text in ("who on my team is ready for data scientist?", "team gaps for data scientist"):
        reply = ask(ladder, text, email=MAYA)
        # refused before the use case runs: what is needed (a manager, HR or L&D) and who grants it
        assert reply.data["status"] == "forbidden" and reply.data["capability"] == "view_team"
        assert "you need to be a manager (for the people who report to you) or in HR or in L&D" in reply.text
        assert "Who can grant it" in reply.text
        assert "people" not in reply.data and "skills" not in reply.data


def test_each_manager_sees_exactly_their_own_line(demo):
    ladder = at_fixed_time(demo)
    with demo.db.session() as s, s.begin():
        managers = [e for (e,) in s.execute(select(Person.email).where(Person.access_role.in_([AccessRole.manager, AccessRole.hr_admin])))]
        lines = {m: _reports(s, m) for m in managers}
    assert PRIYA in managers and len(managers) == 6
    for manager in managers:
        seen = {p["email"] for p in ask(ladder, "who on my team is ready for accountant?", email=manager).data["people"]}
        assert seen == lines[manager], manager


def test_indirect_reports_are_included_and_a_manager_without_reports_is_told(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    with fresh_demo.db.session() as s, s.begin():
        daniel = s.scalar(select(Person).where(Person.email == DANIEL))
        maya = s.scalar(select(Person).where(Person.email == MAYA))
        finance = s.scalars(select(Person).where(Person.job_title == "accountant")).first()
        finance_email = finance.email
        # The accountant now reports to Maya, who reports to Daniel: an indirect report of Daniel's.
        s.execute(update(Person).where(Person.id == finance.id).values(manager_id=maya.id))
        s.execute(update(Person).where(Person.id == maya.id).values(access_role=AccessRole.manager))
        daniel_id = daniel.id
    seen = {p["email"] for p in ask(ladder, "who on my team is ready for accountant?", email=DANIEL).data["people"]}
    assert finance_email in seen and MAYA in seen
    maya_view = {p["email"] for p in ask(ladder, "who on my team is ready for accountant?", email=MAYA).data["people"]}
    assert maya_view == {finance_email}
    with fresh_demo.db.session() as s, s.begin():
        s.execute(update(Person).where(Person.manager_id == daniel_id).values(manager_id=None))
    lonely = ask(ladder, "team gaps for accountant", email=DANIEL)
    assert lonely.data["reason"] == "no_reports"

"""A forecast gap's actions through the terminal chat router, on both databases: "Post an opportunity" opens the
marketplace's draft card for the skill; "Propose a course cohort" sends HR a ``course_cohort`` proposal which, once
approved, enrols the listed people exactly once. A manager acts for their own team only."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import AuditEvent, Course, CourseSkill, Enrolment, Proposal, Skill, Team
from tests.approvals.approvals_helpers import click, prepare, say

PRIYA = "priya.raman@kestrel.example"  # HR admin
DANIEL = "daniel.okafor@kestrel.example"  # leads Product Engineering
ASK = "which skills will Data & Analytics be short of next year?"


def _card(reply, skill: str):
    return next(c for c in reply.cards if c.title.split(". ", 1)[1].startswith(skill))


def _ref(card, label: str) -> str:
    return next(b.ref for b in card.buttons if b.label == label)


def _teach(ladder, skill: str, code: str) -> None:
    """The catalogue gains a course teaching the skill (an accepted tag, as L&D's tagging leaves it)."""
    with ladder.db.session() as s, s.begin():
        skill_id = s.scalar(select(Skill.id).where(Skill.label == skill))
        course_id = s.scalar(select(Course.id).where(Course.code == code))
        s.add(CourseSkill(course_id=course_id, skill_id=skill_id, level=2))


def _enrolments(ladder, code: str) -> int:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(func.count()).select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
                        .where(Course.code == code))


def test_hr_posts_an_opportunity_and_proposes_a_cohort_that_enrols_once(fresh_demo):
    ladder = fresh_demo
    _clock, notifier = prepare(ladder)
    reply = say(ladder, PRIYA, ASK)
    assert reply.data["intent"] == "forecast_gaps" and reply.data["scope"] == "Data & Analytics", reply.text
    skills = [g["skill"] for g in reply.data["gaps"]]
    assert "machine learning" in skills
    assert all(round(g["gap"]) >= 1 for g in reply.data["gaps"]) and "short by 0" not in reply.text
    ml = _card(reply, "machine learning")
    # No course teaches machine learning yet: said plainly, and only the post is offered.
    assert [b.label for b in ml.buttons] == ["Post an opportunity"] and "No course in the catalogue teaches" in ml.body

    draft = click(ladder, PRIYA, _ref(ml, "Post an opportunity"))
    assert draft.data["intent"] == "post_opportunity" and draft.data["status"] == "drafted", draft.text
    assert draft.data["opportunity"]["needed"] == ["machine learning"] and draft.data["opportunity"]["status"] == "draft"
    assert [b.label for b in draft.cards[0].buttons] == ["Publish", "Edit…", "Discard"]
    published = click(ladder, PRIYA, next(b.ref for b in draft.cards[0].buttons if b.label == "Publish"))
    assert published.data["status"] == "published"

    _teach(ladder, "machine learning", "DS110")
    ml = _card(say(ladder, PRIYA, ASK), "machine learning")
    assert "Propose a course cohort" in [b.label for b in ml.buttons] and "DS110" in ml.body
    before = _enrolments(ladder, "DS110")
    proposed = click(ladder, PRIYA, _ref(ml, "Propose a course cohort"))
    assert proposed.data["status"] == "proposed", proposed.text
    pid = proposed.data["proposal_id"]
    with ladder.db.session() as s, s.begin():
        p = s.get(Proposal, pid)
        lead = s.scalar(select(Team.lead_id).where(Team.name == "Data & Analytics"))
        assert p.action_type == "course_cohort" and p.status.value == "proposed" and p.subject_id == lead
        listed = list(p.payload["person_ids"])
        assert p.payload["course_code"] == "DS110" and p.payload["size"] == len(listed) > 0
    assert _enrolments(ladder, "DS110") == before  # nothing happens before the decision
    again = click(ladder, PRIYA, _ref(ml, "Propose a course cohort"))
    assert again.data["status"] == "already" and again.data["proposal_id"] == pid

    card = next(c for r in notifier.to(PRIYA) for c in r.cards if c.title.startswith(f"Proposal {pid} "))
    assert "course cohort" in card.title and "DS110" in card.body
    approve = next(b.ref for b in card.buttons if b.label == "Approve")
    decided = click(ladder, PRIYA, approve)
    assert decided.data["status"] == "decided" and decided.data["proposal"]["status"] == "executed", decided.text
    assert _enrolments(ladder, "DS110") == before + len(listed)
    twice = click(ladder, PRIYA, approve)  # a duplicate click changes nothing and says so
    assert twice.data["status"] == "stale" and "already" in twice.text.lower(), twice.text
    assert _enrolments(ladder, "DS110") == before + len(listed)
    with ladder.db.session() as s, s.begin():
        assert s.get(Proposal, pid).status.value == "executed"
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "cohort.enrolled", AuditEvent.object_id == str(pid))) == 1
    after = click(ladder, PRIYA, _ref(ml, "Propose a course cohort"))  # everyone listed is enrolled now
    assert after.data["status"] == "nobody" and _enrolments(ladder, "DS110") == before + len(listed)


def test_a_manager_acts_for_their_own_team_only(fresh_demo):
    ladder = fresh_demo
    _clock, notifier = prepare(ladder)
    _teach(ladder, "machine learning", "DS110")
    own = say(ladder, DANIEL, "which skills will we be short of next year?")
    assert own.data["scope"] == "Product Engineering", own.text
    ml = _card(own, "machine learning")
    proposed = click(ladder, DANIEL, _ref(ml, "Propose a course cohort"))
    assert proposed.data["status"] == "proposed", proposed.text
    with ladder.db.session() as s, s.begin():
        p = s.get(Proposal, proposed.data["proposal_id"])
        team = s.scalar(select(Team).where(Team.name == "Product Engineering"))
        other = s.scalar(select(Team.id).where(Team.name == "Data & Analytics"))
        assert p.payload["team_id"] == team.id and p.subject_id == team.lead_id
    assert any(f"Proposal {p.id} " in c.title for r in notifier.to(PRIYA) for c in r.cards)  # HR decides
    skill_id, _team, quarter, short = _ref(ml, "Propose a course cohort").split(":")[1].split(".")
    for forged in (f"propose_cohort:{skill_id}.{other}.{quarter}.{short}", f"post_gap_opportunity:{skill_id}.0.{quarter}.{short}"):
        refused = click(ladder, DANIEL, forged)
        assert refused.data["status"] == "forbidden" and "team you lead" in refused.text
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Proposal).where(Proposal.action_type == "course_cohort")) == 1
    draft = click(ladder, DANIEL, _ref(ml, "Post an opportunity"))
    assert draft.data["status"] == "drafted" and "Product Engineering" in draft.data["opportunity"]["title"]

"""Matching people to open opportunities on skills alone: the ranking, what it leaves out, and what can't move it."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from marketplace.matching import Match, matches_for
from storage import UnitOfWork
from storage.models import (Application, ApplicationStatus, Demographic, EvidenceType, Opportunity, OpportunityKind,
                            OpportunitySkill, Person, SkillEvidence)

TODAY = dt.date(2026, 11, 28)
MAYA = "maya.patel@kestrel.example"


def _person(uow: UnitOfWork, email: str) -> Person:
    person = uow.people.by_email(email)
    assert person is not None
    return person


def _skill(uow: UnitOfWork, label: str) -> int:
    [(sid, _uri, _label)] = [row for row in uow.skills.taxonomy.skill_rows() if row[2] == label]
    return sid


def _opportunity(uow: UnitOfWork, title: str, skills: list[tuple[int, bool]], **values) -> int:
    values = {"kind": OpportunityKind.gig, "hours_per_week": 2.0, "closes_on": TODAY + dt.timedelta(days=30),
              "capacity": 1, "status": "open", **values}
    opp = Opportunity(title=title, description=title, **values)
    uow.add(opp)
    uow.flush()
    for sid, required in skills:
        uow.add(OpportunitySkill(opportunity_id=opp.id, skill_id=sid, required=required, level=2))
    uow.flush()
    return opp.id


def test_matches_rank_on_skills_and_say_why(demo):
    with demo.db.read_only() as uow:
        maya = _person(uow, MAYA)
        found = matches_for(uow, maya.id, today=TODAY)
    assert found and all(isinstance(m, Match) for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    best = found[0]
    assert best.have, "the best match uses a skill Maya has"
    titles = [m.title for m in found]
    assert "Data quality audit of the billing tables" in titles  # use databases: verified at level 2
    assert "Security hardening sprint" not in titles  # shares nothing with her skills and teaches nothing she wants
    audit = next(m for m in found if m.title == "Data quality audit of the billing tables")
    assert "use databases" in audit.have and "perform data cleansing" in audit.learn
    assert audit.hours_per_week == 2.0 and audit.closes_on is not None


def test_kinds_and_limit(demo):
    with demo.db.read_only() as uow:
        maya = _person(uow, MAYA)
        gigs = matches_for(uow, maya.id, today=TODAY, kinds=["gig"])
        two = matches_for(uow, maya.id, today=TODAY, limit=2)
        everything = matches_for(uow, maya.id, today=TODAY, limit=50)
    assert gigs and {m.kind for m in gigs} == {"gig"}
    assert [m.opportunity_id for m in two] == [m.opportunity_id for m in everything[:2]]


def test_closed_filled_full_past_and_own_opportunities_are_left_out(fresh_demo):
    with fresh_demo.db.unit_of_work() as uow:
        maya = _person(uow, MAYA)
        other = _person(uow, "daniel.okafor@kestrel.example")
        sid = _skill(uow, "use databases")
        ids = {
            "open": _opportunity(uow, "Open one", [(sid, True)]),
            "closed": _opportunity(uow, "Closed one", [(sid, True)], status="closed"),
            "filled": _opportunity(uow, "Filled one", [(sid, True)], status="filled"),
            "draft": _opportunity(uow, "Draft one", [(sid, True)], status="draft"),
            "past": _opportunity(uow, "Past one", [(sid, True)], closes_on=TODAY - dt.timedelta(days=1)),
            "mine": _opportunity(uow, "Mine", [(sid, True)], owner_id=maya.id),
            "full": _opportunity(uow, "Full one", [(sid, True)], capacity=1),
        }
        uow.add(Application(opportunity_id=ids["full"], person_id=other.id, status=ApplicationStatus.placed, fit=0.5))
        uow.flush()
        found = {m.title for m in matches_for(uow, maya.id, today=TODAY, limit=100)}
    assert "Open one" in found
    assert not found & {"Closed one", "Filled one", "Draft one", "Past one", "Mine", "Full one"}


def test_learning_a_skill_narrows_to_where_it_is_taught(fresh_demo):
    with fresh_demo.db.unit_of_work() as uow:
        maya = _person(uow, MAYA)
        python = _skill(uow, "Python (computer programming)")
        dbs = _skill(uow, "use databases")
        taught = _opportunity(uow, "Scripts for the data team", [(dbs, True), (python, False)])
        found = matches_for(uow, maya.id, today=TODAY, learn_skill_ids=[python])
    assert [m.opportunity_id for m in found] == [taught]
    assert found[0].learn == ("Python (computer programming)",) and found[0].have == ("use databases",)


def test_interest_and_verified_evidence_raise_a_score(fresh_demo):
    with fresh_demo.db.unit_of_work() as uow:
        maya = _person(uow, MAYA)
        dbs, mining = _skill(uow, "use databases"), _skill(uow, "data mining")
        verified = _opportunity(uow, "Needs databases", [(dbs, True)])
        claimed = _opportunity(uow, "Needs data mining", [(mining, True)])  # self-assessed only
        scores = {m.opportunity_id: m.score for m in matches_for(uow, maya.id, today=TODAY, limit=100)}
        assert scores[verified] > scores[claimed]
        uow.marketplace.add_interest(maya.id, claimed, dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc))
        uow.flush()
        after = {m.opportunity_id: m.score for m in matches_for(uow, maya.id, today=TODAY, limit=100)}
    assert after[claimed] > scores[claimed] and after[verified] == scores[verified]


def _all_lists(uow: UnitOfWork) -> dict[int, list[tuple[int, float, tuple[str, ...], tuple[str, ...]]]]:
    ids = list(uow._session.scalars(select(Person.id).order_by(Person.id)))  # noqa: SLF001 - a test's own read
    return {pid: [(m.opportunity_id, m.score, m.have, m.learn) for m in matches_for(uow, pid, today=TODAY, limit=50)]
            for pid in ids}


def test_the_match_lists_do_not_move_when_tenure_and_demographics_are_shuffled(fresh_demo):
    """Shuffle everyone's hire date (tenure) and demographics:
    every person's match list stays exactly the same."""
    with fresh_demo.db.unit_of_work() as uow:
        before = _all_lists(uow)
    assert sum(1 for found in before.values() if found) >= 20, "most demo people have matches"
    rng = random.Random(7)
    with fresh_demo.db.unit_of_work() as uow:
        session = uow._session  # noqa: SLF001 - the test rewrites the directory directly
        people = list(session.scalars(select(Person).order_by(Person.id)))
        hires = [p.hire_date for p in people]
        rng.shuffle(hires)
        for p, hire in zip(people, hires):
            p.hire_date = hire if hire is None else hire - dt.timedelta(days=rng.randint(0, 4000))
        demographics = list(session.scalars(select(Demographic)))
        values = [(d.sex, d.race_ethnicity) for d in demographics]
        rng.shuffle(values)
        for d, (sex, race) in zip(demographics, values):
            d.sex, d.race_ethnicity = sex, race
        assert [p.hire_date for p in people] != hires or len(people) < 2
    with fresh_demo.db.unit_of_work() as uow:
        after = _all_lists(uow)
    assert after == before


def test_evidence_does_move_the_list(fresh_demo):
    """The same comparison sees a change when a skill changes: the test above could fail."""
    with fresh_demo.db.unit_of_work() as uow:
        maya = _person(uow, MAYA)
        before = matches_for(uow, maya.id, today=TODAY, limit=50)
        uow.add(SkillEvidence(person_id=maya.id, skill_id=_skill(uow, "cyber security"), evidence_type=EvidenceType.assessment,
                              level=3, source="test", observed_at=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)))
        uow.flush()
        after = matches_for(uow, maya.id, today=TODAY, limit=50)
    assert "Security hardening sprint" in {m.title for m in after} - {m.title for m in before}

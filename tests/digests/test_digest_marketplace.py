"""The proactive marketplace in the employees' weekly digest (SQLite and PostgreSQL): someone who opted in hears
about fitting open opportunities ranked by the marketplace's matching, at most DIGEST_MAX_OPPORTUNITIES a week, each
once; never their own, one they applied to, or a closed one; someone who opted out hears nothing."""

from __future__ import annotations

import datetime as dt

from digest_helpers import MAYA, MONDAY, at_local, digests_to, prepare, tick
from digests.schedule import DigestKind
from handlers import digests as digest_use_cases
from marketplace.matching import matches_for, matches_for_people
from tests.approvals.approvals_helpers import click, person_id, say

from sqlalchemy import select

from storage.models import Person, Team

BRIEFS = ["I need someone who can write SQL queries for the invoice reconciliation, 3 hours a week for 2 months, for the billing project",
          "I need someone who can build dashboards in SQL, 4 hours a week for 3 months, for the churn project",
          "We need someone who knows SQL to tune reports, 2 hours a week for 6 weeks, for the reporting refresh",
          "Looking for someone who can model data in SQL, 5 hours a week for 1 month, for the warehouse migration"]


def _lead_and_member(ladder, team: str) -> tuple[str, str]:
    with ladder.db.session() as s, s.begin():
        row = s.scalar(select(Team).where(Team.name == team))
        lead = s.scalar(select(Person.email).where(Person.id == row.lead_id))
        member = s.scalar(select(Person.email).where(Person.team_id == row.id, Person.id != row.lead_id,
                                                     Person.email != MAYA).order_by(Person.id))
        return lead, member


def _publish(ladder, owner: str, brief: str) -> int:
    draft = say(ladder, owner, brief + ", closes 2027-01-31")  # open for every week the test runs
    assert draft.data["status"] == "drafted", draft.text
    assert click(ladder, owner, f"publish_opportunity:{draft.data['opportunity_id']}").data["status"] == "published"
    return draft.data["opportunity_id"]


def test_opted_in_people_hear_of_fitting_opportunities_once_within_the_cap(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    ladder.settings.digest_max_opportunities = 2
    owner, other = _lead_and_member(ladder, "Finance")
    posted = [_publish(ladder, owner, b) for b in BRIEFS]
    for email in (MAYA, other):
        assert say(ladder, email, "I know SQL at level 3").data["intent"] == "claim_skill"
    applied = posted[0]
    form = click(ladder, MAYA, f"apply_opportunity:{applied}", {"note": ""}, form_submitted=True)
    assert form.data["status"] == "applied", form.text
    closed = posted[1]
    assert click(ladder, owner, f"close_opportunity:{closed}").data["status"] == "closed"
    with ladder.db.unit_of_work() as uow:
        for email in (MAYA, other, owner):
            digest_use_cases.subscribe(ladder, uow, uow.people.by_email(email))
        digest_use_cases.unsubscribe(ladder, uow, uow.people.by_email(other))  # opted in, then out again

    heard: list[int] = []
    for week in range(4):
        clock.at = at_local((MONDAY + dt.timedelta(days=7 * week)).date(), 9, 0, "UTC")
        tick(ladder, kinds=[DigestKind.employee])
        got = digests_to(notifier, MAYA, "employee")
        assert len(got) <= week + 1
        if len(got) == week + 1:
            new = got[-1][1].data["new_opportunities"]
            assert len(new) <= 2  # the cap
            heard += new
    assert len(heard) == len(set(heard)), heard  # each opportunity once
    assert posted[2] in heard and posted[3] in heard  # the fitting new ones reach her
    assert applied not in heard and closed not in heard  # applied to, closed: never
    assert digests_to(notifier, other, "employee") == []  # opted out: nothing
    owners = [r.data.get("new_opportunities", []) for _at, r in digests_to(notifier, owner, "employee")]
    assert not set(posted) & {o for new in owners for o in new}  # nobody hears about their own


def test_the_batched_match_ranks_as_the_match_list_does(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    owner, other = _lead_and_member(ladder, "Finance")
    for b in BRIEFS:
        _publish(ladder, owner, b)
    say(ladder, MAYA, "I know SQL at level 3")
    ids = [person_id(ladder, e) for e in (MAYA, other, owner)]
    today = MONDAY.date()
    with ladder.db.read_only() as uow:
        batched = matches_for_people(uow, ids, today=today, limit=5, skip_applied=False)
        for pid in ids:
            assert batched[pid] == matches_for(uow, pid, today=today, limit=5)
    assert batched[ids[0]]  # Maya has matches to compare


"""Helpers for the digest tests: the approvals tests' clock, a notifier that remembers when it sent, and a few
facts set up on the demo company (time zones, a pending validation, a target role)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from conversation import Reply
from digests.run import run
from handlers.digests import deps_for
from storage.models import EvidenceStatus, EvidenceType, Occupation, Person, SkillEvidence
from tests.approvals.approvals_helpers import DANIEL, MAYA, PRIYA, Clock, _use

__all__ = ["DANIEL", "MAYA", "MONDAY", "PRIYA", "Clock", "TimedNotifier", "at_local", "digests_to", "manager_of_team",
           "pending_validation", "prepare", "set_zone", "tick"]

MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.timezone.utc)  # a Monday, two days after the demo's "today"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


class TimedNotifier:
    """Stands in for Slack and Teams: remembers (when, to whom, what); can be told to fail for some people."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sent: list[tuple[dt.datetime, str, Reply]] = []
        self.failing: set[str] = set()

    def notify(self, person_email: str, reply: Reply) -> bool:
        if person_email in self.failing:
            return False
        self.sent.append((self.clock(), person_email, reply))
        return True


def prepare(ladder, start: dt.datetime = MONDAY) -> tuple[Clock, TimedNotifier]:
    _use(ladder)
    clock = Clock(start)
    notifier = TimedNotifier(clock)
    ladder.now = clock
    ladder.notifiers.replace_all([notifier])
    return clock, notifier


def tick(ladder, **kwargs):
    return run(deps_for(ladder), **kwargs)


def digests_to(notifier: TimedNotifier, email: str, kind: str) -> list[tuple[dt.datetime, Reply]]:
    return [(at, r) for at, e, r in notifier.sent if e == email and r.data.get("kind") == kind]


def at_local(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(dt.timezone.utc)


def person(ladder, email: str) -> Person:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(Person).where(Person.email == email))


def set_zone(ladder, email: str, zone: str | None, quiet: str | None = None) -> None:
    with ladder.db.session() as s, s.begin():
        s.execute(update(Person).where(Person.email == email).values(time_zone=zone, quiet_hours=quiet))


def manager_of_team(ladder, not_email: str) -> str:
    """Another team lead than ``not_email``: someone with reports."""
    with ladder.db.session() as s, s.begin():
        leads = s.scalars(select(Person.manager_id).where(Person.manager_id.is_not(None)).distinct()).all()
        emails = sorted(s.scalars(select(Person.email).where(Person.id.in_(leads))).all())
    return next(e for e in emails if e != not_email and not e.startswith("priya"))


def pending_validation(ladder, manager_email: str) -> int:
    """A validation request from one of the manager's reports, waiting for them: every digest of theirs has content."""
    with ladder.db.session() as s, s.begin():
        manager = s.scalar(select(Person).where(Person.email == manager_email))
        report = s.scalar(select(Person).where(Person.manager_id == manager.id).order_by(Person.id))
        skill_id = s.scalar(select(SkillEvidence.skill_id).where(SkillEvidence.person_id == report.id).limit(1))
        evidence = SkillEvidence(person_id=report.id, skill_id=skill_id, evidence_type=EvidenceType.manager_validation,
                                 level=2, source="test", observed_at=MONDAY - dt.timedelta(days=2), verifier_id=manager.id,
                                 status=EvidenceStatus.pending)
        s.add(evidence)
        s.flush()
        return evidence.id


def set_target(ladder, email: str, role_label: str) -> int:
    with ladder.db.session() as s, s.begin():
        role = s.scalar(select(Occupation).where(Occupation.label == role_label))
        s.execute(update(Person).where(Person.email == email).values(target_role_id=role.id))
        return role.id

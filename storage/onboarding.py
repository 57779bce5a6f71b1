"""Repository: new hires' onboarding records and the mandatory-course policy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update

from storage.models import (
    Course,
    MandatoryCourse,
    MandatoryScope,
    Occupation,
    Onboarding,
    OnboardingStatus,
    Person,
    Team,
)
from storage.repository import Repository


class Onboardings(Repository):
    # ------------------------------------------------------------------ records

    def of(self, person_id: int) -> Onboarding | None:
        return self._session.scalar(select(Onboarding).where(Onboarding.person_id == person_id))

    def by_plan(self, proposal_id: int) -> Onboarding | None:
        return self._session.scalar(select(Onboarding).where(Onboarding.plan_proposal_id == proposal_id))

    def add(self, record: Onboarding) -> Onboarding:
        self._session.add(record)
        self._session.flush()
        return record

    def due_for_welcome(self, today: dt.date, limit: int = 500) -> list[int]:
        """Person ids whose start date has come and whose welcome has not gone out (active people only)."""
        return list(self._session.scalars(
            select(Onboarding.person_id).join(Person, Person.id == Onboarding.person_id)
            .where(Onboarding.start_date <= today, Onboarding.welcome_sent_at.is_(None), Person.active.is_(True))
            .order_by(Onboarding.start_date, Onboarding.person_id).limit(limit)))

    def unannounced(self, limit: int = 500) -> list[int]:
        """Person ids whose manager has not yet been sent the onboarding's cards."""
        return list(self._session.scalars(select(Onboarding.person_id).where(Onboarding.announced_at.is_(None))
                                          .order_by(Onboarding.id).limit(limit)))

    def claim_announcement(self, person_id: int, now: dt.datetime) -> bool:
        """Like ``claim_welcome``, for the manager's cards: True for exactly one caller."""
        claimed = self._session.execute(
            update(Onboarding).where(Onboarding.person_id == person_id, Onboarding.announced_at.is_(None))
            .values(announced_at=now).execution_options(synchronize_session=False))
        return bool(claimed.rowcount)

    def claim_welcome(self, person_id: int, now: dt.datetime) -> bool:
        """Mark the welcome as sent, if nobody has: one conditional UPDATE, so two passes (two processes) never
        both send it. True: this caller sends it."""
        claimed = self._session.execute(
            update(Onboarding).where(Onboarding.person_id == person_id, Onboarding.welcome_sent_at.is_(None))
            .values(welcome_sent_at=now).execution_options(synchronize_session=False))
        return bool(claimed.rowcount)

    def release_welcome(self, person_id: int) -> None:
        """The welcome could not be delivered: give the claim back, so a later pass tries again (only the claimer
        calls this, and nobody else can claim meanwhile)."""
        self._session.execute(
            update(Onboarding).where(Onboarding.person_id == person_id)
            .values(welcome_sent_at=None).execution_options(synchronize_session=False))

    def mark(self, person_id: int, status: OnboardingStatus) -> None:
        """Moves forward only (registered → welcomed → plan confirmed): a late welcome never undoes a confirmation."""
        order = list(OnboardingStatus)
        record = self.of(person_id)
        if record is not None and order.index(status) > order.index(record.status):
            record.status = status

    def listed(self, limit: int = 50) -> list[tuple[Onboarding, str, str]]:
        """The latest onboardings with the person's name and email, newest start date first."""
        rows = self._session.execute(
            select(Onboarding, Person.name, Person.email).join(Person, Person.id == Onboarding.person_id)
            .order_by(Onboarding.start_date.desc(), Onboarding.id.desc()).limit(limit))
        return [(o, name, email) for o, name, email in rows]

    # ------------------------------------------------------------------ look-ups a registration needs

    def team_by_name(self, name: str) -> Team | None:
        return self._session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))

    def team(self, team_id: int | None) -> Team | None:
        return self._session.get(Team, team_id) if team_id else None

    def teams(self) -> list[tuple[int, str]]:
        return [(tid, name) for tid, name in self._session.execute(select(Team.id, Team.name).order_by(Team.name))]

    def teammates(self, person_id: int, team_id: int | None, manager_id: int | None, limit: int = 6) -> list[tuple[int, str]]:
        """(id, name) of the people a new hire meets first: their team (or their manager's other reports), longest
        in the directory first (the first of them is the default buddy)."""
        if team_id is None and manager_id is None:
            return []
        same = Person.team_id == team_id if team_id is not None else Person.manager_id == manager_id
        rows = self._session.execute(select(Person.id, Person.name).where(
            same, Person.active.is_(True), Person.id != person_id, Person.id != (manager_id or 0),
            Person.id.not_in(select(Onboarding.person_id))).order_by(Person.id).limit(limit))
        return [(pid, name) for pid, name in rows]

    def courses(self, course_ids: list[int]) -> list[Course]:
        """These courses, in the order given (ids no longer in the catalogue are left out)."""
        if not course_ids:
            return []
        found = {c.id: c for c in self._session.scalars(select(Course).where(Course.id.in_(course_ids)))}
        return [found[i] for i in course_ids if i in found]

    def occupation(self, role_id: int | None) -> Occupation | None:
        return self._session.get(Occupation, role_id) if role_id else None

    # ------------------------------------------------------------------ the mandatory-course policy

    def mandatory_for(self, role_id: int | None, team_id: int | None) -> list[Course]:
        """The courses mandatory for a hire into this role and team: everyone's, the role's and the team's, once each."""
        scopes = [MandatoryCourse.scope == MandatoryScope.everyone]
        if role_id is not None:
            scopes.append((MandatoryCourse.scope == MandatoryScope.role) & (MandatoryCourse.scope_id == role_id))
        if team_id is not None:
            scopes.append((MandatoryCourse.scope == MandatoryScope.team) & (MandatoryCourse.scope_id == team_id))
        ids = set(self._session.scalars(select(MandatoryCourse.course_id).where(or_(*scopes))))
        if not ids:
            return []
        return list(self._session.scalars(select(Course).where(Course.id.in_(ids)).order_by(Course.code)))

    def mandatory_rules(self) -> list[tuple[MandatoryCourse, Course]]:
        rows = self._session.execute(select(MandatoryCourse, Course).join(Course, Course.id == MandatoryCourse.course_id)
                                     .order_by(MandatoryCourse.scope, MandatoryCourse.scope_id, Course.code))
        return [(rule, course) for rule, course in rows]

    def mandatory_rule(self, course_id: int, scope: MandatoryScope, scope_id: int) -> MandatoryCourse | None:
        return self._session.scalar(select(MandatoryCourse).where(
            MandatoryCourse.course_id == course_id, MandatoryCourse.scope == scope, MandatoryCourse.scope_id == scope_id))

    def add_mandatory(self, rule: MandatoryCourse) -> None:
        self._session.add(rule)
        self._session.flush()

    def remove_mandatory(self, rule: MandatoryCourse) -> None:
        self._session.delete(rule)
        self._session.flush()

    def scope_names(self, rules: list[MandatoryCourse]) -> dict[tuple[str, int], str]:
        """(scope, id) -> the role's label or the team's name, for listing the policy."""
        roles = {r.scope_id for r in rules if r.scope == MandatoryScope.role}
        teams = {r.scope_id for r in rules if r.scope == MandatoryScope.team}
        names: dict[tuple[str, int], str] = {}
        if roles:
            names.update({("role", i): label for i, label in self._session.execute(
                select(Occupation.id, Occupation.label).where(Occupation.id.in_(roles)))})
        if teams:
            names.update({("team", i): name for i, name in self._session.execute(select(Team.id, Team.name).where(Team.id.in_(teams)))})
        return names

"""Repository: the internal talent marketplace — opportunities as posted, applications, shortlists and placements.

Reads return plain records; the domain (``marketplace/``) ranks and decides. Every listing of applicants goes
through ``surfaced_people_filter``: a person who opted out of being shown to others never reaches a shortlist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import aliased

from storage.models import (
    Application,
    ApplicationStatus,
    Interest,
    Opportunity,
    OpportunityKind,
    OpportunitySkill,
    Person,
    RoleSkill,
    Skill,
)
from storage.preferences import surfaced_people_filter
from storage.repository import Repository

_CHUNK = 5000  # ids per IN (...) list: stays under every driver's parameter limit
# Applications that hold or may still hold a place (the owner's shortlist shows these).
ACTIVE = (ApplicationStatus.applied, ApplicationStatus.shortlisted, ApplicationStatus.proposed, ApplicationStatus.placed)

# The match list's one big read, built once: every skill of every open opportunity not past its
# closing date that shares a skill with the person, with its places taken and the person's own interest and
# application — full ones, their own and ones they hold a place on are left out here, in SQL.
_SHARING = select(OpportunitySkill.opportunity_id).where(OpportunitySkill.skill_id.in_(bindparam("skill_ids", expanding=True)))
_PLACED = (select(Application.opportunity_id.label("opportunity_id"), func.count(Application.id).label("placed"))
           .where(Application.status == ApplicationStatus.placed).group_by(Application.opportunity_id).subquery())
_MINE = aliased(Application)
_CANDIDATES = (
    select(Opportunity.id, Opportunity.title, Opportunity.kind, Opportunity.hours_per_week, Opportunity.closes_on,
           Opportunity.capacity, Opportunity.owner_id, OpportunitySkill.skill_id, OpportunitySkill.required, OpportunitySkill.level,
           _MINE.status, Interest.id)
    .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
    .outerjoin(_PLACED, _PLACED.c.opportunity_id == Opportunity.id)
    .outerjoin(_MINE, and_(_MINE.opportunity_id == Opportunity.id, _MINE.person_id == bindparam("person_id")))
    .outerjoin(Interest, and_(Interest.opportunity_id == Opportunity.id, Interest.person_id == bindparam("person_id")))
    .where(Opportunity.status == "open", or_(Opportunity.closes_on.is_(None), Opportunity.closes_on >= bindparam("today")),
           Opportunity.id.in_(_SHARING),
           or_(Opportunity.owner_id.is_(None), Opportunity.owner_id != bindparam("person_id")),
           or_(_MINE.status.is_(None), _MINE.status != ApplicationStatus.placed),
           or_(Opportunity.capacity.is_(None), func.coalesce(_PLACED.c.placed, 0) < Opportunity.capacity))
)
# The person's target role's requirements, by the person's id (one round trip instead of two).
_TARGET_REQUIREMENTS = (
    select(RoleSkill.skill_id, RoleSkill.target_level)
    .where(RoleSkill.occupation_id == select(Person.target_role_id).where(Person.id == bindparam("person_id")).scalar_subquery())
)


@dataclass(frozen=True, slots=True)
class OpportunitySkillRow:
    skill_id: int
    required: bool
    level: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class OpenOpportunity:
    """An open opportunity with every one of its skills, as matching reads it."""

    opportunity_id: int
    title: str
    kind: str
    hours_per_week: float | None
    closes_on: dt.date | None
    capacity: int | None
    owner_id: int | None
    skills: tuple[OpportunitySkillRow, ...]
    applied: str | None = None  # the asking person's application status, if they applied
    interested: bool = False  # the asking person declared interest


@dataclass(frozen=True, slots=True)
class Applicant:
    """One application as the owner's shortlist reads it (the name only once revealed, by the domain)."""

    application_id: int
    person_id: int
    status: str
    fit: float
    note: str | None
    revealed: bool
    created_at: dt.datetime


class Marketplace(Repository):
    # ------------------------------------------------------------------ opportunities

    def opportunity(self, opportunity_id: int) -> Opportunity | None:
        return self._session.get(Opportunity, opportunity_id)

    def opportunity_for_update(self, opportunity_id: int) -> Opportunity | None:
        """The opportunity, its row locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
        return self._session.scalar(select(Opportunity).where(Opportunity.id == opportunity_id).with_for_update())

    def add_opportunity(self, opportunity: Opportunity, skills: Iterable[tuple[int, bool, int]]) -> Opportunity:
        self._session.add(opportunity)
        self._session.flush()
        self.set_skills(opportunity.id, skills)
        return opportunity

    def set_skills(self, opportunity_id: int, skills: Iterable[tuple[int, bool, int]]) -> None:
        """Replace the opportunity's skills with (skill id, required, level) rows."""
        for row in self._session.scalars(select(OpportunitySkill).where(OpportunitySkill.opportunity_id == opportunity_id)):
            self._session.delete(row)
        self._session.flush()
        for skill_id, required, level in {s[0]: s for s in skills}.values():
            self._session.add(OpportunitySkill(opportunity_id=opportunity_id, skill_id=skill_id, required=required, level=level))
        self._session.flush()

    def skills_of(self, opportunity_id: int) -> list[OpportunitySkillRow]:
        rows = self._session.execute(select(OpportunitySkill.skill_id, OpportunitySkill.required, OpportunitySkill.level, Skill.label)
                                     .join(Skill, Skill.id == OpportunitySkill.skill_id)
                                     .where(OpportunitySkill.opportunity_id == opportunity_id).order_by(OpportunitySkill.skill_id))
        return [OpportunitySkillRow(s, bool(r), lvl, label) for s, r, lvl, label in rows]

    def open_for(self, person_id: int, skill_ids: Iterable[int], today: dt.date,
                 kinds: Iterable[str] | None = None) -> list[OpenOpportunity]:
        """Open opportunities not past their closing date that exercise any of these skills, each with all its skills,
        and the person's application and interest — less those full, owned by the person or where they hold a place."""
        ids = sorted(set(skill_ids))
        if not ids:
            return []
        query = _CANDIDATES
        if kinds is not None:
            query = query.where(Opportunity.kind.in_([OpportunityKind(k) for k in kinds]))
        grouped: dict[int, list] = {}
        for row in self._session.execute(query, {"skill_ids": ids, "today": today, "person_id": person_id}):
            grouped.setdefault(row[0], []).append(row)
        out = []
        for oid, rows in grouped.items():
            first = rows[0]
            out.append(OpenOpportunity(oid, first[1], getattr(first[2], "value", first[2]), first[3], first[4], first[5], first[6],
                                       tuple(OpportunitySkillRow(r[7], bool(r[8]), r[9]) for r in rows),
                                       getattr(first[10], "value", first[10]), first[11] is not None))
        return out

    def open_opportunities(self, today: dt.date) -> list[OpenOpportunity]:
        """Every open opportunity not past its closing date and not full, each with all its skills — the batched
        match (the weekly digest) reads them once for everybody; ``applied``/``interested`` are left unset."""
        placed = _PLACED
        query = (select(Opportunity.id, Opportunity.title, Opportunity.kind, Opportunity.hours_per_week, Opportunity.closes_on,
                        Opportunity.capacity, Opportunity.owner_id, OpportunitySkill.skill_id, OpportunitySkill.required,
                        OpportunitySkill.level)
                 .join(OpportunitySkill, OpportunitySkill.opportunity_id == Opportunity.id)
                 .outerjoin(placed, placed.c.opportunity_id == Opportunity.id)
                 .where(Opportunity.status == "open", or_(Opportunity.closes_on.is_(None), Opportunity.closes_on >= today),
                        or_(Opportunity.capacity.is_(None), func.coalesce(placed.c.placed, 0) < Opportunity.capacity))
                 .order_by(Opportunity.id, OpportunitySkill.skill_id))
        grouped: dict[int, list] = {}
        for row in self._session.execute(query):
            grouped.setdefault(row[0], []).append(row)
        return [OpenOpportunity(oid, rows[0][1], getattr(rows[0][2], "value", rows[0][2]), rows[0][3], rows[0][4], rows[0][5],
                                rows[0][6], tuple(OpportunitySkillRow(r[7], bool(r[8]), r[9]) for r in rows))
                for oid, rows in grouped.items()]

    def links_of(self, person_ids: list[int]) -> tuple[dict[int, dict[int, str]], dict[int, set[int]]]:
        """For many people at once: (person -> opportunity -> their application's status, person -> opportunities
        they said they are interested in)."""
        applications: dict[int, dict[int, str]] = {}
        interests: dict[int, set[int]] = {}
        for start in range(0, len(person_ids), _CHUNK):
            chunk = person_ids[start:start + _CHUNK]
            for pid, oid, status in self._session.execute(select(Application.person_id, Application.opportunity_id,
                                                                 Application.status).where(Application.person_id.in_(chunk))):
                applications.setdefault(pid, {})[oid] = getattr(status, "value", status)
            for pid, oid in self._session.execute(select(Interest.person_id, Interest.opportunity_id)
                                                  .where(Interest.person_id.in_(chunk))):
                interests.setdefault(pid, set()).add(oid)
        return applications, interests

    def target_requirements_of(self, person_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
        """Person -> (skill id, target level) of every requirement of their target role (people without one: absent).
        Two reads — the people's target roles, then each role's requirements once — so people who share a target
        share one list."""
        targets: dict[int, int] = {}
        for start in range(0, len(person_ids), _CHUNK):
            rows = self._session.execute(select(Person.id, Person.target_role_id).where(
                Person.id.in_(person_ids[start:start + _CHUNK]), Person.target_role_id.is_not(None)))
            targets.update((pid, role) for pid, role in rows)
        by_role: dict[int, list[tuple[int, int]]] = {}
        roles = sorted(set(targets.values()))
        for start in range(0, len(roles), _CHUNK):
            for role, sid, level in self._session.execute(select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.target_level)
                                                          .where(RoleSkill.occupation_id.in_(roles[start:start + _CHUNK]))):
                by_role.setdefault(role, []).append((sid, level))
        return {pid: by_role[role] for pid, role in targets.items() if role in by_role}

    def target_requirements(self, person_id: int) -> list[tuple[int, int]]:
        """(skill id, target level) of every requirement of the person's target role (none without a target)."""
        return [(sid, level) for sid, level in self._session.execute(_TARGET_REQUIREMENTS, {"person_id": person_id})]

    def posted_by(self, owner_id: int, statuses: Iterable[str] = ("open",)) -> list[Opportunity]:
        """The owner's opportunities with these statuses, the newest first."""
        return list(self._session.scalars(select(Opportunity).where(Opportunity.owner_id == owner_id,
                                                                    Opportunity.status.in_(list(statuses))).order_by(Opportunity.id.desc())))

    # ------------------------------------------------------------------ interest and applications

    def interested_in(self, person_id: int) -> set[int]:
        return set(self._session.scalars(select(Interest.opportunity_id).where(Interest.person_id == person_id)))

    def add_interest(self, person_id: int, opportunity_id: int, at: dt.datetime) -> bool:
        if self._session.scalar(select(Interest.id).where(Interest.person_id == person_id,
                                                          Interest.opportunity_id == opportunity_id)) is not None:
            return False
        self._session.add(Interest(person_id=person_id, opportunity_id=opportunity_id, created_at=at))
        return True

    def application(self, application_id: int) -> Application | None:
        return self._session.get(Application, application_id)

    def application_of(self, person_id: int, opportunity_id: int) -> Application | None:
        return self._session.scalar(select(Application).where(Application.person_id == person_id,
                                                              Application.opportunity_id == opportunity_id))

    def application_by_proposal(self, proposal_id: int) -> Application | None:
        return self._session.scalar(select(Application).where(Application.proposal_id == proposal_id))

    def add_application(self, application: Application) -> Application:
        """Insert inside a savepoint: a second click racing the first hits the unique constraint and returns the
        row the first one wrote, instead of failing the whole transaction."""
        from sqlalchemy.exc import IntegrityError

        try:
            with self._session.begin_nested():
                self._session.add(application)
            return application
        except IntegrityError:
            existing = self.application_of(application.person_id, application.opportunity_id)
            assert existing is not None
            return existing

    def applications_by(self, person_id: int) -> dict[int, str]:
        """Opportunity id -> the status of this person's application to it."""
        rows = self._session.execute(select(Application.opportunity_id, Application.status).where(Application.person_id == person_id))
        return {oid: getattr(status, "value", status) for oid, status in rows}

    def applicants(self, opportunity_id: int) -> list[Applicant]:
        """Everyone with a live application, in the order they applied — only people who may be shown to others."""
        rows = self._session.scalars(
            select(Application).where(Application.opportunity_id == opportunity_id, Application.status.in_(ACTIVE),
                                      surfaced_people_filter(Application.person_id)).order_by(Application.id))
        return [Applicant(a.id, a.person_id, a.status.value, a.fit, a.note, a.revealed_at is not None, a.created_at) for a in rows]

    def labels_in_order(self, opportunity_id: int) -> dict[int, int]:
        """Application id -> its place among every application to the opportunity (0 for the first), whatever its
        status: a candidate's letter never changes when someone else withdraws or is hidden."""
        ids = self._session.scalars(select(Application.id).where(Application.opportunity_id == opportunity_id).order_by(Application.id))
        return {aid: n for n, aid in enumerate(ids)}

    def placed_count(self, opportunity_id: int) -> int:
        return self._session.scalar(select(func.count(Application.id)).where(
            Application.opportunity_id == opportunity_id, Application.status == ApplicationStatus.placed)) or 0

    def placed_counts(self, opportunity_ids: Iterable[int]) -> dict[int, int]:
        ids = list(opportunity_ids)
        if not ids:
            return {}
        rows = self._session.execute(select(Application.opportunity_id, func.count(Application.id))
                                     .where(Application.opportunity_id.in_(ids), Application.status == ApplicationStatus.placed)
                                     .group_by(Application.opportunity_id))
        return {oid: n for oid, n in rows}

    def withdraw_unplaced(self, opportunity_id: int) -> list[int]:
        """The opportunity closed or filled: every application not placed (nor already declined) is withdrawn;
        returns the people it concerned."""
        live = (ApplicationStatus.applied, ApplicationStatus.shortlisted, ApplicationStatus.proposed)
        people = list(self._session.scalars(select(Application.person_id).where(
            Application.opportunity_id == opportunity_id, Application.status.in_(live))))
        if people:
            self._session.execute(update(Application).where(Application.opportunity_id == opportunity_id,
                                                            Application.status.in_(live))
                                  .values(status=ApplicationStatus.withdrawn).execution_options(synchronize_session="fetch"))
        return people

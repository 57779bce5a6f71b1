"""Repository: organisation-wide counts and the demo company's set-up."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from storage.models import (
    Base,
    Course,
    Occupation,
    Opportunity,
    Person,
    Proposal,
    ProposalStatus,
    RequirementKind,
    RoleSkill,
    Skill,
    Team,
)
from storage.repository import Repository


@dataclass(frozen=True)
class Headcounts:
    """What Ladder knows, in numbers (``/ladder status``)."""

    people: int  # employed now (active); former staff, kept for outcome analytics, are not counted
    roles: int
    skills: int
    courses: int
    open_opportunities: int
    pending_proposals: int


class Organisation(Repository):
    def headcounts(self) -> Headcounts:
        def count(model, *where) -> int:
            return self._session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return Headcounts(
            people=count(Person, Person.active.is_(True)), roles=count(Occupation), skills=count(Skill), courses=count(Course),
            open_opportunities=count(Opportunity, Opportunity.status == "open"),
            pending_proposals=count(Proposal, Proposal.status == ProposalStatus.proposed),
        )

    # ------------------------------------------------------------------ the demo company

    def wipe(self, *, keep_tables: Collection[str]) -> None:
        """Delete every row of every table but ``keep_tables`` (and Alembic's own), children first."""
        # People and teams point at each other (leads, managers, delegates): cut those links first.
        self._session.execute(update(Team).values(lead_id=None))
        self._session.execute(update(Person).values(manager_id=None, delegate_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in keep_tables and table.name != "alembic_version":
                self._session.execute(delete(table))

    def roles_by_label(self) -> dict[str, Occupation]:
        return {o.label: o for o in self._session.scalars(select(Occupation))}

    def skill_ids_by_label(self) -> dict[str, int]:
        return {s.label: s.id for s in self._session.scalars(select(Skill))}

    def essential_skills_by_role(self) -> dict[int, list[int]]:
        """Occupation id -> ids of its essential skills, ascending."""
        essentials: dict[int, list[int]] = {}
        rows = self._session.execute(
            select(RoleSkill.occupation_id, RoleSkill.skill_id).where(RoleSkill.kind == RequirementKind.essential)
        )
        for occupation_id, skill_id in rows:
            essentials.setdefault(occupation_id, []).append(skill_id)
        for skill_ids in essentials.values():
            skill_ids.sort()
        return essentials

"""Repository: the taxonomy as data — roles (ESCO occupations), skills and role requirements.

Two kinds of callers: the in-memory indexes (role and skill names, the role graph), which ask for
signatures that change when the taxonomy does and for the rows to build from; and the ESCO import, which
upserts concepts and requirements in batches. Rows are plain tuples and dicts; nothing here knows ESCO's
file format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from storage.models import Occupation, RequirementKind, RoleSkill, Skill
from storage.repository import Repository

_BATCH = 5000
# Read on every answer that resolves a name: built once (SQLAlchemy then skips rebuilding them). Scalar
# subqueries let SQLite count from an index instead of scanning the table.
_QUICK_SIGNATURE = select(select(func.count()).select_from(Occupation).scalar_subquery(),
                          select(func.coalesce(func.max(Occupation.id), 0)).scalar_subquery(),
                          select(func.coalesce(func.max(Skill.id), 0)).scalar_subquery())
_SKILL_SIGNATURE = select(select(func.count()).select_from(Skill).scalar_subquery(),
                          select(func.coalesce(func.max(Skill.id), 0)).scalar_subquery())


@dataclass
class UpsertResult:
    """What an upsert of concepts did, and every concept's id by URI afterwards."""

    ids: dict[str, int] = field(default_factory=dict)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _batched(rows: list[dict[str, Any]], size: int = _BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


class Taxonomy(Repository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._quick: tuple[int, int, int] | None = None

    # ------------------------------------------------------------------ signatures (cache keys)

    def quick_signature(self) -> tuple[int, int, int]:
        """(number of roles, highest role id, highest skill id): index look-ups only, read once per unit of work
        (the role name index and the role graph both check it on every answer)."""
        if self._quick is None:
            roles, top_role, top_skill = self._session.execute(_QUICK_SIGNATURE).one()
            self._quick = (roles, top_role, top_skill)
        return self._quick

    def skill_signature(self) -> tuple[int, int]:
        """Number of skills and highest skill id."""
        count, top = self._session.execute(_SKILL_SIGNATURE).one()
        return count, top

    def full_signature(self) -> tuple[Any, ...]:
        """Changes whenever roles, skills or requirements change (it sums over every requirement row)."""
        reqs = self._session.execute(select(func.count(), func.coalesce(func.sum(RoleSkill.target_level), 0),
                                            func.coalesce(func.sum(RoleSkill.skill_id), 0)).select_from(RoleSkill)).one()
        return (*self.quick_signature(), *self.skill_signature(), *reqs)

    # ------------------------------------------------------------------ rows to build indexes from

    def role_rows(self) -> list[tuple[int, str, str]]:
        """(id, uri, preferred label) of every role."""
        return [tuple(r) for r in self._session.execute(select(Occupation.id, Occupation.uri, Occupation.label))]

    def skill_rows(self) -> list[tuple[int, str, str]]:
        """(id, uri, preferred label) of every skill."""
        return [tuple(r) for r in self._session.execute(select(Skill.id, Skill.uri, Skill.label))]

    def requirement_rows(self) -> list[tuple[int, int, RequirementKind, int]]:
        """(role id, skill id, kind, target level) of every requirement."""
        return [tuple(r) for r in self._session.execute(
            select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.kind, RoleSkill.target_level))]

    def role_label_rows(self) -> list[tuple[int, str, str]]:
        """(id, preferred label, alternative labels) of every role, for the role name index."""
        return [tuple(r) for r in self._session.execute(select(Occupation.id, Occupation.label, Occupation.alt_labels))]

    def skill_label_rows(self) -> list[tuple[int, str, str]]:
        """(id, preferred label, alternative labels) of every skill, for the skill name index."""
        return [tuple(r) for r in self._session.execute(select(Skill.id, Skill.label, Skill.alt_labels))]

    # ------------------------------------------------------------------ the import's writes

    def upsert_roles(self, rows: list[dict[str, Any]]) -> UpsertResult:
        """Rows of Occupation columns keyed by ``uri``: see ``_upsert``."""
        return self._upsert(Occupation, rows)

    def upsert_skills(self, rows: list[dict[str, Any]]) -> UpsertResult:
        return self._upsert(Skill, rows)

    def requirement_kinds(self) -> dict[tuple[int, int], RequirementKind]:
        """(role id, skill id) -> kind, for every requirement stored."""
        return {(occ, skill): kind for occ, skill, kind in
                self._session.execute(select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.kind))}

    def add_requirements(self, rows: list[dict[str, Any]]) -> None:
        """New requirements: dicts of occupation_id, skill_id, kind, target_level."""
        self._quick = None
        for chunk in _batched(rows):
            self._session.execute(insert(RoleSkill), chunk)

    def change_requirement_kinds(self, rows: list[dict[str, Any]]) -> None:
        """Existing requirements get another kind: dicts of occupation_id, skill_id, kind."""
        for chunk in _batched(rows):
            self._session.execute(update(RoleSkill), chunk)

    def _upsert(self, model: type[Occupation] | type[Skill], rows: list[dict[str, Any]]) -> UpsertResult:
        """Insert new URIs, update changed ones, leave equal ones alone."""
        self._quick = None
        result = UpsertResult()
        columns = [c for c in rows[0] if c != "uri"] if rows else []
        existing = {
            r.uri: r for r in self._session.execute(select(model.id, model.uri, *[getattr(model, c) for c in columns]))
        }
        to_insert, to_update = [], []
        for row in rows:
            old = existing.get(row["uri"])
            if old is None:
                to_insert.append(row)
            elif any(getattr(old, c) != row[c] for c in columns):
                to_update.append({"id": old.id, **{c: row[c] for c in columns}})
            else:
                result.unchanged += 1
        for chunk in _batched(to_insert):
            self._session.execute(insert(model), chunk)
        for chunk in _batched(to_update):
            self._session.execute(update(model), chunk)
        result.inserted, result.updated = len(to_insert), len(to_update)
        result.ids = {uri: id_ for uri, id_ in self._session.execute(select(model.uri, model.id))}
        return result

"""Writing the ESCO taxonomy: an idempotent upsert of occupations, skills and their relations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert, select, update

from skills_engine import esco
from storage.db import Database
from storage.models import Occupation, RequirementKind, RoleSkill, Skill

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterator[T]]

DEFAULT_TARGET_LEVEL = 2  # "working" on Ladder's 1–4 scale; see README


def no_progress(rows: Iterable[T], _desc: str, _total: int) -> Iterator[T]:
    yield from rows


@dataclass
class TableSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass
class ImportSummary:
    occupations: TableSummary = field(default_factory=TableSummary)
    skills: TableSummary = field(default_factory=TableSummary)
    relations: TableSummary = field(default_factory=TableSummary)
    skipped_reasons: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(t.inserted or t.updated for t in (self.occupations, self.skills, self.relations))


_BATCH = 5000


def _batched(rows: list[dict], size: int = _BATCH) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _upsert_concepts(session, model, rows: list[dict], summary: TableSummary) -> dict[str, int]:
    """Insert new URIs, update changed ones, leave equal ones alone; returns uri -> id."""
    columns = [c for c in rows[0] if c != "uri"] if rows else []
    existing = {
        r.uri: r for r in session.execute(select(model.id, model.uri, *[getattr(model, c) for c in columns]))
    }
    to_insert, to_update = [], []
    for row in rows:
        old = existing.get(row["uri"])
        if old is None:
            to_insert.append(row)
        elif any(getattr(old, c) != row[c] for c in columns):
            to_update.append({"id": old.id, **{c: row[c] for c in columns}})
        else:
            summary.unchanged += 1
    for chunk in _batched(to_insert):
        session.execute(insert(model), chunk)
    for chunk in _batched(to_update):
        session.execute(update(model), chunk)
    summary.inserted += len(to_insert)
    summary.updated += len(to_update)
    return {uri: id_ for uri, id_ in session.execute(select(model.uri, model.id))}


def import_esco(db: Database, directory: Path, progress: Progress = no_progress) -> ImportSummary:
    """Import (or re-import) an ESCO CSV download. Every file is read and validated before the
    database is touched, and all writes happen in one transaction: a malformed file changes nothing,
    an interrupted import leaves nothing half-written, and a second run changes nothing."""
    paths = esco.locate(directory)
    occ_rows = [
        {"uri": o.uri, "label": o.label, "alt_labels": o.alt_labels, "isco_group": o.isco_group,
         "description": o.description, "code": o.code}
        for o in progress(esco.read_occupations(paths["occupations"]), "occupations", esco.count_rows(paths["occupations"]))
    ]
    skill_rows = [
        {"uri": s.uri, "label": s.label, "alt_labels": s.alt_labels, "skill_type": s.skill_type,
         "reuse_level": s.reuse_level, "description": s.description}
        for s in progress(esco.read_skills(paths["skills"]), "skills", esco.count_rows(paths["skills"]))
    ]
    relations = list(progress(esco.read_relations(paths["relations"]), "relations", esco.count_rows(paths["relations"])))

    summary = ImportSummary()
    with db.unit_of_work() as session:
        occ_ids = _upsert_concepts(session, Occupation, _dedupe(occ_rows), summary.occupations)
        skill_ids = _upsert_concepts(session, Skill, _dedupe(skill_rows), summary.skills)
        existing = {
            (r.occupation_id, r.skill_id): r.kind
            for r in session.execute(select(RoleSkill.occupation_id, RoleSkill.skill_id, RoleSkill.kind))
        }
        wanted: dict[tuple[int, int], RequirementKind] = {}
        missing_occ = missing_skill = 0
        for rel in relations:
            occ_id, skill_id = occ_ids.get(rel.occupation_uri), skill_ids.get(rel.skill_uri)
            if occ_id is None:
                missing_occ += 1
                continue
            if skill_id is None:
                missing_skill += 1
                continue
            kind = RequirementKind(rel.kind)
            # ESCO lists a few pairs twice; essential wins over optional.
            if wanted.get((occ_id, skill_id)) != RequirementKind.essential:
                wanted[(occ_id, skill_id)] = kind
        to_insert, to_update = [], []
        for (occ_id, skill_id), kind in wanted.items():
            old = existing.get((occ_id, skill_id))
            if old is None:
                to_insert.append({"occupation_id": occ_id, "skill_id": skill_id, "kind": kind,
                                  "target_level": DEFAULT_TARGET_LEVEL})
            elif old != kind:
                to_update.append({"occupation_id": occ_id, "skill_id": skill_id, "kind": kind})
            else:
                summary.relations.unchanged += 1
        for chunk in _batched(to_insert):
            session.execute(insert(RoleSkill), chunk)
        for chunk in _batched(to_update):
            session.execute(update(RoleSkill), chunk)
        summary.relations.inserted = len(to_insert)
        summary.relations.updated = len(to_update)
        summary.relations.skipped = missing_occ + missing_skill
        if missing_occ:
            summary.skipped_reasons.append(f"{missing_occ} relation(s) name an occupation not in {esco.OCCUPATIONS}")
        if missing_skill:
            summary.skipped_reasons.append(f"{missing_skill} relation(s) name a skill not in {esco.SKILLS}")
    return summary


def _dedupe(rows: list[dict]) -> list[dict]:
    return list({r["uri"]: r for r in rows}.values())

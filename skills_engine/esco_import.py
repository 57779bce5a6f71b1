"""Importing the ESCO taxonomy: an idempotent upsert of occupations, skills and their relations.

Every file is read and validated (``skills_engine.esco``) before the database is touched, and all writes
happen in one unit of work through ``uow.skills.taxonomy``: a malformed file changes nothing, an
interrupted import leaves nothing half-written, and a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from skills_engine import esco
from storage import Database
from storage.models import RequirementKind
from storage.taxonomy import Taxonomy, UpsertResult

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


def import_esco(db: Database, directory: Path, progress: Progress = no_progress) -> ImportSummary:
    """Import (or re-import) an ESCO CSV download (v1.1.1 layout) found in ``directory``."""
    paths = esco.locate(directory)
    occupations = [
        {"uri": o.uri, "label": o.label, "alt_labels": o.alt_labels, "isco_group": o.isco_group,
         "description": o.description, "code": o.code}
        for o in progress(esco.read_occupations(paths["occupations"]), "occupations", esco.count_rows(paths["occupations"]))
    ]
    skills = [
        {"uri": s.uri, "label": s.label, "alt_labels": s.alt_labels, "skill_type": s.skill_type,
         "reuse_level": s.reuse_level, "description": s.description}
        for s in progress(esco.read_skills(paths["skills"]), "skills", esco.count_rows(paths["skills"]))
    ]
    relations = list(progress(esco.read_relations(paths["relations"]), "relations", esco.count_rows(paths["relations"])))

    summary = ImportSummary()
    with db.unit_of_work() as uow:
        taxonomy = uow.skills.taxonomy
        occ_ids = _count(taxonomy.upsert_roles(_dedupe(occupations)), summary.occupations)
        skill_ids = _count(taxonomy.upsert_skills(_dedupe(skills)), summary.skills)
        _import_relations(taxonomy, relations, occ_ids, skill_ids, summary)
    return summary


def _import_relations(taxonomy: Taxonomy, relations: list[esco.RelationRow], occ_ids: dict[str, int],
                      skill_ids: dict[str, int], summary: ImportSummary) -> None:
    existing = taxonomy.requirement_kinds()
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
    taxonomy.add_requirements(to_insert)
    taxonomy.change_requirement_kinds(to_update)
    summary.relations.inserted = len(to_insert)
    summary.relations.updated = len(to_update)
    summary.relations.skipped = missing_occ + missing_skill
    if missing_occ:
        summary.skipped_reasons.append(f"{missing_occ} relation(s) name an occupation not in {esco.OCCUPATIONS}")
    if missing_skill:
        summary.skipped_reasons.append(f"{missing_skill} relation(s) name a skill not in {esco.SKILLS}")


def _count(result: UpsertResult, table: TableSummary) -> dict[str, int]:
    table.inserted += result.inserted
    table.updated += result.updated
    table.unchanged += result.unchanged
    return result.ids


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({r["uri"]: r for r in rows}.values())

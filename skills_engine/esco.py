"""Reading the official ESCO CSV download (v1.1.1 layout) into typed rows.

Validation happens here so that a malformed file fails with its name and line before anything is
written. Data: ESCO, European Commission (CC BY 4.0).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

OCCUPATIONS = Path("en") / "occupations_en.csv"
SKILLS = Path("en") / "skills_en.csv"
RELATIONS = Path("relations") / "occupationSkillRelations.csv"

_OCC_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "iscoGroup", "description", "code")
_SKILL_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "skillType", "reuseLevel", "description")
_REL_COLUMNS = ("occupationUri", "relationType", "skillUri")


class EscoFormatError(ValueError):
    """A file of the download is not what ESCO publishes; names the file and the line."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}: line {line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OccupationRow:
    uri: str
    label: str
    alt_labels: str
    isco_group: str | None
    description: str
    code: str | None


@dataclass(frozen=True, slots=True)
class SkillRow:
    uri: str
    label: str
    alt_labels: str
    skill_type: str | None
    reuse_level: str | None
    description: str


@dataclass(frozen=True, slots=True)
class RelationRow:
    occupation_uri: str
    skill_uri: str
    kind: str  # essential | optional


def locate(directory: Path) -> dict[str, Path]:
    """The three files Ladder reads, found in the ESCO layout; a missing one is an error by name."""
    paths = {"occupations": directory / OCCUPATIONS, "skills": directory / SKILLS, "relations": directory / RELATIONS}
    for path in paths.values():
        if not path.is_file():
            raise EscoFormatError(path, 0, "file not found (expected the ESCO v1.1.1 CSV layout)")
    return paths


def count_rows(path: Path) -> int:
    """Records in a CSV file (quoted newlines counted correctly), for progress bars."""
    with open(path, newline="", encoding="utf-8") as f:
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)


def _records(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f, strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise EscoFormatError(path, 1, "the file is empty") from None
            missing = [c for c in required if c not in header]
            if missing:
                raise EscoFormatError(path, 1, f"missing column(s) {', '.join(missing)}")
            start = reader.line_num
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise EscoFormatError(path, reader.line_num, f"not valid CSV ({exc})") from None
                if not row:
                    continue
                if len(row) != len(header):
                    raise EscoFormatError(
                        path, start + 1, f"expected {len(header)} fields, found {len(row)}"
                    )
                yield start + 1, dict(zip(header, row))
                start = reader.line_num
    except UnicodeDecodeError as exc:
        raise EscoFormatError(path, 0, f"not UTF-8 text ({exc.reason})") from None


def _uri(path: Path, line: int, value: str, kind: str) -> str:
    value = value.strip()
    if not value.startswith("http"):
        raise EscoFormatError(path, line, f"{kind} URI is missing or not a URI: {value!r}")
    return value


def _label(path: Path, line: int, value: str) -> str:
    value = value.strip()
    if not value:
        raise EscoFormatError(path, line, "preferredLabel is empty")
    return value


def read_occupations(path: Path) -> Iterator[OccupationRow]:
    for line, rec in _records(path, _OCC_COLUMNS):
        yield OccupationRow(
            uri=_uri(path, line, rec["conceptUri"], "occupation"),
            label=_label(path, line, rec["preferredLabel"]),
            alt_labels=rec["altLabels"].strip(),
            isco_group=rec["iscoGroup"].strip() or None,
            description=rec["description"].strip(),
            code=rec["code"].strip() or None,
        )


def read_skills(path: Path) -> Iterator[SkillRow]:
    for line, rec in _records(path, _SKILL_COLUMNS):
        yield SkillRow(
            uri=_uri(path, line, rec["conceptUri"], "skill"),
            label=_label(path, line, rec["preferredLabel"]),
            alt_labels=rec["altLabels"].strip(),
            skill_type=rec["skillType"].strip() or None,
            reuse_level=rec["reuseLevel"].strip() or None,
            description=rec["description"].strip(),
        )


def read_relations(path: Path) -> Iterator[RelationRow]:
    for line, rec in _records(path, _REL_COLUMNS):
        kind = rec["relationType"].strip()
        if kind not in ("essential", "optional"):
            raise EscoFormatError(path, line, f"relationType must be essential or optional, not {kind!r}")
        yield RelationRow(
            occupation_uri=_uri(path, line, rec["occupationUri"], "occupation"),
            skill_uri=_uri(path, line, rec["skillUri"], "skill"),
            kind=kind,
        )

"""The column-mapping file: which column of an HRIS export holds which of Ladder's fields.

Real exports never share column names ("Employee ID", "Worker_ID", "EMPLID"), date formats or words for the same
thing ("Resigned", "Voluntary - Better Offer"). A mapping file (YAML or JSON) says, for one kind of file::

    kind: people                      # people | roles | ratings | kpis
    columns:                          # Ladder's field: the export's column header
      external_id: Employee ID
      email: Work Email
    date_formats: ["%d/%m/%Y"]        # tried in order (default ISO 8601, YYYY-MM-DD)
    values:                           # the export's words → Ladder's, per field
      leave_reason: {Resigned: voluntary, Dismissed: involuntary}

An unknown field, a field this kind of file requires but the mapping leaves out, or a column missing from the
file's header is a ``MappingError`` with a message that says which and what would be right.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Kind = Literal["people", "roles", "ratings", "kpis"]

# Ladder's fields per kind of file: field → what it holds. The required ones first.
FIELDS: dict[str, dict[str, str]] = {
    "people": {
        "external_id": "the HRIS's id for the person (required)",
        "email": "work email (required for a new person)",
        "name": "full name (or first_name and last_name)",
        "first_name": "given name, joined with last_name when there is no name column",
        "last_name": "family name",
        "manager_external_id": "the manager's HRIS id (resolved after the whole file is read, so order doesn't matter)",
        "team": "team or department name (created when new)",
        "role": "role: an occupation's label, code or URI in the taxonomy",
        "job_title": "the person's job title as the HRIS says it",
        "hire_date": "start date; a new person starting in the last 30 days or later is onboarded",
        "leave_date": "last day; the person turns inactive on it",
        "leave_reason": "why they left: voluntary | involuntary | retirement | other (map the export's words in values)",
        "location": "office or country",
    },
    "roles": {
        "external_id": "the person's HRIS id (required)",
        "effective_date": "the day the change takes effect (required)",
        "role": "the new role: an occupation's label, code or URI",
        "team": "the new team name",
        "manager_external_id": "the new manager's HRIS id",
        "job_title": "the new job title",
    },
    "ratings": {
        "external_id": "the person's HRIS id (required)",
        "period": "review period, e.g. 2025, 2025-H1, 2025-Q3 (required)",
        "rating": "the rating: a number, or a word mapped to one in values (required)",
        "period_end": "last day of the period (default: worked out from the period's name)",
        "scale_max": "the top of the scale (default: the mapping's scale_max, else 5)",
    },
    "kpis": {
        "team": "the team's name (required; the team must exist)",
        "name": "the KPI's name, e.g. attrition_rate (required)",
        "month": "the month: YYYY-MM or any date in it (required)",
        "value": "the KPI's value (required)",
        "unit": "unit, e.g. %, EUR, tickets",
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "people": ("external_id",),
    "roles": ("external_id", "effective_date"),
    "ratings": ("external_id", "period", "rating"),
    "kpis": ("team", "name", "month", "value"),
}
LEAVE_REASONS = ("voluntary", "involuntary", "retirement", "other")


class MappingError(ValueError):
    """The mapping file (or the file's header against it) is wrong; the message says how, for the person importing."""


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    columns: dict[str, str] = Field(min_length=1)
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"], min_length=1)
    values: dict[str, dict[str, str | float]] = Field(default_factory=dict)
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8-sig"  # a byte-order mark (Excel's CSV) is skipped
    scale_max: float = Field(5.0, gt=0)  # ratings: the top of the scale when the file has no column for it

    @model_validator(mode="after")
    def _known_fields(self) -> "Mapping":
        known = FIELDS[self.kind]
        unknown = sorted(set(self.columns) - set(known))
        if unknown:
            raise ValueError(f"unknown field(s) for a {self.kind} file: {', '.join(unknown)}. "
                             f"The fields are: {', '.join(known)}")
        missing = [f for f in REQUIRED[self.kind] if f not in self.columns]
        if missing:
            raise ValueError(f"a {self.kind} file needs a column for: {', '.join(missing)}")
        if self.kind == "people" and "name" not in self.columns and not {"first_name", "last_name"} <= set(self.columns):
            raise ValueError("a people file needs a column for name, or for both first_name and last_name")
        stray = sorted(set(self.values) - set(self.columns))
        if stray:
            raise ValueError(f"values are given for field(s) with no column: {', '.join(stray)}")
        return self

    def check_header(self, header: list[str]) -> dict[str, int]:
        """Field → column index in this header; a mapped column the header lacks is a MappingError."""
        where = {name.strip(): i for i, name in enumerate(header)}
        missing = [(f, c) for f, c in self.columns.items() if c.strip() not in where]
        if missing:
            said = "; ".join(f"{c!r} (for {f})" for f, c in missing)
            raise MappingError(f"the file has no column {said}. Its columns are: {', '.join(h.strip() for h in header)}")
        return {f: where[c.strip()] for f, c in self.columns.items()}


def parse_mapping(data: object, *, source: str = "the mapping") -> Mapping:
    try:
        return Mapping.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'mapping'}: {_plain(err['msg'])}" for err in e.errors())
        raise MappingError(f"{source} is not a valid mapping — {problems}") from None


def load_mapping(path: Path) -> Mapping:
    """Reads a YAML or JSON mapping file (by its suffix; YAML otherwise)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise MappingError(f"can't read the mapping file {path}: {e.strerror}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise MappingError(f"{path.name} is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {e}") from None
    return parse_mapping(data, source=path.name)


def _plain(msg: str) -> str:
    return msg.removeprefix("Value error, ")

"""The bias audit's arithmetic: selection rates and impact ratios per demographic category. Pure: no SQL, no I/O.

Input: for one audited outcome (say "surfaced as ready for a role"), one ``Decision`` per person — who, their
categories (``{"sex": "Female", "race_ethnicity": "Asian"}``) and whether the outcome selected them. Output: an
``OutcomeAudit`` with one ``DimensionTable`` per category dimension, and one more for the intersection of the
dimensions (sex × race/ethnicity) when there are two or more.

The rules, in our own words
---------------------------
From the rules New York City's Department of Consumer and Worker Protection made for Local Law 144 of 2021
(automated employment decision tools; Rules of the City of New York, title 6, §5-300 and following):

* **Selection rate** of a category = the number of people in it the outcome selected ÷ the number of people in it.
* **Impact ratio** of a category = its selection rate ÷ the selection rate of the category with the highest rate.
  The highest category therefore has 1.0.
* Rates and ratios are reported by sex, by race/ethnicity, and by every intersection of the two
  (e.g. "Female · Asian").
* People whose category is **unknown** (missing, blank or recorded as unknown) are not put in any category and
  are not part of any rate; the audit reports how many there were. In the intersectional table a person is unknown
  when either of their categories is.
* A category holding **less than 2 % of the data** may be left out of the impact-ratio calculation (its rate is
  still shown); when it is, it is listed as excluded, with its counts. Here "the data" is every decision of the
  outcome, unknowns included, and the exclusion is applied (``exclude_under``; 0 turns it off). An excluded
  category cannot be the highest one either.

From the U.S. federal Uniform Guidelines on Employee Selection Procedures (1978), as the EEOC explains them:

* The **four-fifths guideline**: a category whose selection rate is less than four-fifths (80 %) of the highest
  category's — an impact ratio below 0.8 — is generally taken as evidence of adverse impact, and is flagged here.
  It is a rule of thumb that starts a review, not a finding: small groups give noisy ratios, so ``n`` is shown next
  to every ratio.

When no included category has anyone selected, every impact ratio is undefined (``None``) and nothing is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FOUR_FIFTHS = 0.8
SMALL_CATEGORY_SHARE = 0.02  # LL144: categories under 2 % of the data may be excluded from the impact ratios
INTERSECTION_JOIN = " · "
# A category recorded as one of these (any case, surrounding spaces ignored) is unknown, like a blank or a None.
UNKNOWN_VALUES = frozenset({"", "unknown", "not known", "not reported", "prefer not to say", "declined to state"})


@dataclass(frozen=True, slots=True)
class Decision:
    """One person's outcome: selected (surfaced, recommended, approved) or not."""

    subject_id: Any
    categories: Mapping[str, str | None]
    selected: bool


@dataclass(frozen=True, slots=True)
class CategoryRow:
    category: str  # "Female", or "Female · Asian" in the intersectional table
    parts: tuple[str, ...]  # ("Female",) or ("Female", "Asian")
    n: int
    selected: int
    selection_rate: float
    impact_ratio: float | None  # None: excluded (under 2 %), or no included category had anyone selected
    flagged: bool  # impact ratio below the four-fifths line
    excluded: bool  # left out of the impact ratios (under 2 % of the data)
    share: float  # n ÷ every decision of the outcome (unknowns included)

    def as_data(self) -> dict[str, Any]:
        return {"category": self.category, "parts": list(self.parts), "n": self.n, "selected": self.selected,
                "selection_rate": self.selection_rate, "impact_ratio": self.impact_ratio, "flagged": self.flagged,
                "excluded": self.excluded, "share": self.share}


@dataclass(frozen=True, slots=True)
class DimensionTable:
    dimension: str  # "sex", "race_ethnicity", or "sex × race_ethnicity"
    parts: tuple[str, ...]
    rows: tuple[CategoryRow, ...]  # every category, included and excluded, by name
    unknown: int  # people of unknown category: counted here, in no row
    highest_rate: float | None  # among the included categories

    @property
    def included(self) -> tuple[CategoryRow, ...]:
        return tuple(r for r in self.rows if not r.excluded)

    @property
    def excluded(self) -> tuple[CategoryRow, ...]:
        return tuple(r for r in self.rows if r.excluded)

    @property
    def flagged(self) -> tuple[CategoryRow, ...]:
        return tuple(r for r in self.rows if r.flagged)

    def row(self, category: str) -> CategoryRow:
        return next(r for r in self.rows if r.category == category)

    def as_data(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "parts": list(self.parts), "unknown": self.unknown,
                "highest_rate": self.highest_rate, "rows": [r.as_data() for r in self.rows],
                "excluded": [r.category for r in self.excluded], "flagged": [r.category for r in self.flagged]}


@dataclass(frozen=True, slots=True)
class OutcomeAudit:
    outcome: str
    description: str
    total: int  # decisions, unknowns included
    selected: int
    tables: tuple[DimensionTable, ...]
    threshold: float = FOUR_FIFTHS
    exclude_under: float = SMALL_CATEGORY_SHARE

    def table(self, dimension: str) -> DimensionTable:
        return next(t for t in self.tables if t.dimension == dimension)

    @property
    def flagged(self) -> list[tuple[str, str, float]]:
        """(dimension, category, impact ratio) of everything under the four-fifths line."""
        return [(t.dimension, r.category, r.impact_ratio) for t in self.tables for r in t.flagged
                if r.impact_ratio is not None]

    def as_data(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "description": self.description, "total": self.total,
                "selected": self.selected, "threshold": self.threshold, "exclude_under": self.exclude_under,
                "tables": [t.as_data() for t in self.tables],
                "flagged": [{"dimension": d, "category": c, "impact_ratio": r} for d, c, r in self.flagged]}


@dataclass(frozen=True, slots=True)
class Unavailable:
    """An outcome the audit covers but that Ladder does not produce yet (the marketplace's matches)."""

    outcome: str
    description: str
    reason: str = "not yet available"

    def as_data(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "description": self.description, "status": self.reason}


def is_unknown(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_VALUES) or (
        isinstance(value, float) and value != value)  # NaN, as a CSV reader may give for a blank


def audit(outcome: str, decisions: Iterable[Decision], dimensions: Sequence[str] = ("sex", "race_ethnicity"), *,
          description: str = "", threshold: float = FOUR_FIFTHS, exclude_under: float = SMALL_CATEGORY_SHARE,
          intersection: bool = True) -> OutcomeAudit:
    """Selection rates and impact ratios of one outcome, by each dimension and (two or more) their intersection."""
    rows = list(decisions)
    selected = np.fromiter((bool(d.selected) for d in rows), dtype=bool, count=len(rows))
    coded = [_encode([d.categories.get(name) for d in rows]) for name in dimensions]
    tables = [_table(name, (name,), codes, [(label,) for label in labels], selected, threshold, exclude_under)
              for name, (codes, labels) in zip(dimensions, coded)]
    if intersection and len(dimensions) >= 2:
        codes, labels = _cross(coded)
        tables.append(_table(" × ".join(dimensions), tuple(dimensions), codes, labels, selected, threshold, exclude_under))
    return OutcomeAudit(outcome, description, len(rows), int(selected.sum()), tuple(tables), threshold, exclude_under)


def _encode(values: list[object]) -> tuple[np.ndarray, list[str]]:
    """Each value's category as a number (-1: unknown), and the categories' names in that numbering."""
    names: list[str] = []
    number: dict[str, int] = {}
    lookup: dict[object, int] = {}
    for raw in dict.fromkeys(values):  # each distinct value once: a million rows have a handful of them
        if is_unknown(raw):
            lookup[raw] = -1
            continue
        label = str(raw).strip()
        lookup[raw] = number.setdefault(label, len(names))
        if lookup[raw] == len(names):
            names.append(label)
    return np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values)), names


def _cross(coded: list[tuple[np.ndarray, list[str]]]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """The intersection's numbering: one number per combination seen; unknown (-1) when any part is unknown."""
    combined = np.zeros(len(coded[0][0]), dtype=np.int64)
    unknown = np.zeros(len(coded[0][0]), dtype=bool)
    for codes, names in coded:
        combined = combined * max(len(names), 1) + np.maximum(codes, 0)
        unknown |= codes < 0
    seen, inverse = np.unique(combined[~unknown], return_inverse=True)
    labels = []
    for value in seen.tolist():
        parts = []
        for _codes, names in reversed(coded):
            value, code = divmod(value, max(len(names), 1))
            parts.append(names[code])
        labels.append(tuple(reversed(parts)))
    out = np.full(len(combined), -1, dtype=np.int64)
    out[~unknown] = inverse.reshape(-1)
    return out, labels


def _table(name: str, parts: tuple[str, ...], codes: np.ndarray, labels: list[tuple[str, ...]], selected: np.ndarray,
           threshold: float, exclude_under: float) -> DimensionTable:
    total = len(codes)
    known = codes >= 0
    n = np.bincount(codes[known], minlength=len(labels))
    chosen = np.bincount(codes[known], weights=selected[known].astype(np.float64), minlength=len(labels)).astype(np.int64)
    shares = n / total if total else np.zeros(len(labels))
    excluded = shares < exclude_under
    rates = [int(chosen[i]) / int(n[i]) for i in range(len(labels))]
    included_rates = [rates[i] for i in range(len(labels)) if not excluded[i]]
    highest = max(included_rates) if included_rates else None
    out = []
    for i in sorted(range(len(labels)), key=lambda i: labels[i]):
        ratio = None if excluded[i] or not highest else rates[i] / highest
        out.append(CategoryRow(INTERSECTION_JOIN.join(labels[i]), labels[i], int(n[i]), int(chosen[i]), rates[i], ratio,
                               ratio is not None and ratio < threshold, bool(excluded[i]), float(shares[i])))
    return DimensionTable(name, parts, tuple(out), int(total - known.sum()), highest)

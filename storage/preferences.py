"""Repository: a person's opt-outs, and the two filters every read that could break one goes through.

* ``surfaced_people_filter(column)``: people who did not opt out of being shown to others. Readiness lists, the
  agent's readiness nudges and (when it exists) the talent marketplace filter the people they list with it.
* ``inference_allowed_filter(person_column, type_column)``: evidence Ladder inferred from activity (inferred
  skills, course completions counted as weak evidence) only for people who did not opt out of inference.

Both are SQL clauses, so that the rows never leave the database rather than being dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select

from storage.models import EvidenceType, PrivacyPreference, utcnow
from storage.repository import Repository

# Evidence that comes from what a person did rather than from what someone asserted or verified.
FROM_ACTIVITY = frozenset({EvidenceType.inferred, EvidenceType.course_completion})


@dataclass(frozen=True, slots=True)
class OptOuts:
    person_id: int
    inference: bool = False
    surfacing: bool = False
    updated_at: dt.datetime | None = None


def _hidden_ids():
    return select(PrivacyPreference.person_id).where(PrivacyPreference.opt_out_surfacing.is_(True))


def _no_inference_ids():
    return select(PrivacyPreference.person_id).where(PrivacyPreference.opt_out_inference.is_(True))


def surfaced_people_filter(person_column) -> ColumnElement[bool]:
    """True for the people who may be shown to others (the one definition every listing of people uses)."""
    return person_column.not_in(_hidden_ids())


def inference_allowed_filter(person_column, type_column) -> ColumnElement[bool]:
    """True for evidence that is not from activity, or belongs to someone who allows inference."""
    return or_(type_column.not_in(list(FROM_ACTIVITY)), person_column.not_in(_no_inference_ids()))


class PrivacyPreferences(Repository):
    def of(self, person_id: int) -> OptOuts:
        row = self._session.get(PrivacyPreference, person_id)
        if row is None:
            return OptOuts(person_id)
        return OptOuts(person_id, row.opt_out_inference, row.opt_out_surfacing, row.updated_at)

    def set(self, person_id: int, *, inference: bool | None = None, surfacing: bool | None = None,
            at: dt.datetime | None = None) -> tuple[OptOuts, OptOuts]:
        """Change one or both opt-outs: (before, after)."""
        before = self.of(person_id)
        row = self._session.get(PrivacyPreference, person_id)
        if row is None:
            row = PrivacyPreference(person_id=person_id, opt_out_inference=False, opt_out_surfacing=False)
            self._session.add(row)
        if inference is not None:
            row.opt_out_inference = inference
        if surfacing is not None:
            row.opt_out_surfacing = surfacing
        row.updated_at = at or utcnow()
        self._session.flush()
        return before, self.of(person_id)

    def hidden_among(self, person_ids: Iterable[int] | None = None) -> set[int]:
        """Who (of these people, or of everyone) opted out of being surfaced."""
        query = _hidden_ids()
        if person_ids is not None:
            query = query.where(PrivacyPreference.person_id.in_(list(person_ids)))
        return set(self._session.scalars(query))

    def no_inference_among(self, person_ids: Iterable[int] | None = None) -> set[int]:
        """Who (of these people, or of everyone) opted out of inference from activity."""
        query = _no_inference_ids()
        if person_ids is not None:
            query = query.where(PrivacyPreference.person_id.in_(list(person_ids)))
        return set(self._session.scalars(query))

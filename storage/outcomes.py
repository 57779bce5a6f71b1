"""What outcome analytics reads: one row per person who was ever employed (hire and leave dates, team, job title,
course history) and the performance ratings around a course. Plain tuples and dicts: the statistics live in
``insights/``, the SQL here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from storage.models import Course, Enrolment, EnrolmentStatus, PerformanceRating, Person, Team
from storage.repository import Repository, utc


class Outcomes(Repository):
    def people(self) -> list[dict[str, Any]]:
        """Everyone with a hire date, leavers included: id, hire_date, leave_date, leave_reason, active, team,
        job_title, access_role."""
        rows = self._session.execute(
            select(Person.id, Person.hire_date, Person.leave_date, Person.leave_reason, Person.active, Team.name,
                   Person.job_title, Person.access_role)
            .outerjoin(Team, Team.id == Person.team_id).where(Person.hire_date.is_not(None)).order_by(Person.id))
        return [{"id": pid, "hire_date": hired, "leave_date": left, "leave_reason": reason, "active": active,
                 "team": team, "job_title": title, "access_role": getattr(role, "value", role)}
                for pid, hired, left, reason, active, team, title, role in rows]

    def completions(self) -> list[tuple[int, str, dt.datetime]]:
        """(person, course code, completed at) of every completed enrolment."""
        rows = self._session.execute(
            select(Enrolment.person_id, Course.code, Enrolment.completed_at).join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.status == EnrolmentStatus.completed, Enrolment.completed_at.is_not(None))
            .order_by(Enrolment.person_id, Enrolment.completed_at))
        return [(pid, code, utc(at)) for pid, code, at in rows]

    def ratings(self) -> list[tuple[int, dt.date, float, float]]:
        """(person, period end, rating, scale max) of every performance rating, in order of period per person."""
        rows = self._session.execute(
            select(PerformanceRating.person_id, PerformanceRating.period_end, PerformanceRating.rating,
                   PerformanceRating.scale_max).order_by(PerformanceRating.person_id, PerformanceRating.period_end))
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def course_titles(self) -> dict[str, str]:
        """Course code → title."""
        return dict(self._session.execute(select(Course.code, Course.title)).all())

"""Repository: drafted course outlines (authoring/), their assessment questions, and the one step that turns an
approved draft into a catalogue course tagged with its skills."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from storage.models import Course, CourseAssessment, CourseDraft, CourseSkill, TagStatus
from storage.repository import Repository

DRAFT, APPROVED, REJECTED = "draft", "approved", "rejected"


class CourseDrafts(Repository):
    def add(self, *, title: str, outline: dict[str, Any], source_name: str, source_kind: str, method: str,
            created_by: int | None, at: dt.datetime) -> CourseDraft:
        draft = CourseDraft(title=title[:300], outline=outline, source_name=source_name[:500], source_kind=source_kind,
                            method=method, created_by=created_by, created_at=at, status=DRAFT, version=1)
        self._session.add(draft)
        self._session.flush()
        self._replace_questions(draft.id, outline)
        return draft

    def _replace_questions(self, draft_id: int, outline: dict[str, Any]) -> None:
        for row in self._session.scalars(select(CourseAssessment).where(CourseAssessment.draft_id == draft_id)):
            self._session.delete(row)
        for position, q in enumerate(outline.get("questions", [])):
            self._session.add(CourseAssessment(draft_id=draft_id, position=position, prompt=q["prompt"],
                                               answer=q["answer"], location=q.get("location", "")[:300]))
        self._session.flush()

    def get(self, draft_id: int) -> CourseDraft | None:
        return self._session.get(CourseDraft, draft_id, populate_existing=True)

    def questions(self, draft_id: int) -> list[CourseAssessment]:
        return list(self._session.scalars(select(CourseAssessment).where(CourseAssessment.draft_id == draft_id)
                                          .order_by(CourseAssessment.position)))

    def pending(self, limit: int = 20) -> list[CourseDraft]:
        return list(self._session.scalars(select(CourseDraft).where(CourseDraft.status == DRAFT)
                                          .order_by(CourseDraft.id.desc()).limit(limit)))

    def edit(self, draft_id: int, version: int, *, title: str, outline: dict[str, Any]) -> bool:
        """Save an edit made on version ``version``; False when the draft was decided or edited since."""
        result = self._session.execute(
            update(CourseDraft).where(CourseDraft.id == draft_id, CourseDraft.status == DRAFT,
                                      CourseDraft.version == version)
            .values(title=title[:300], outline=outline, version=CourseDraft.version + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return False
        self._replace_questions(draft_id, outline)
        return True

    def decide(self, draft_id: int, status: str, *, by: int | None, at: dt.datetime) -> bool:
        """draft → approved | rejected, exactly once: the conditional update is the decision (a second click, or a
        concurrent one on another replica, matches no row)."""
        assert status in (APPROVED, REJECTED)
        result = self._session.execute(
            update(CourseDraft).where(CourseDraft.id == draft_id, CourseDraft.status == DRAFT)
            .values(status=status, decided_by=by, decided_at=at, version=CourseDraft.version + 1)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    def publish(self, draft_id: int, *, code: str, description: str, skill_ids: list[int], hours: float) -> Course:
        """The approved draft's catalogue course, tagged (accepted tags: paths find it) with its skills."""
        draft = self.get(draft_id)
        assert draft is not None and draft.status == APPROVED
        course = Course(code=code, title=draft.title, description=description, provider="Ladder authoring",
                        duration_hours=hours)
        self._session.add(course)
        self._session.flush()
        for skill_id in dict.fromkeys(skill_ids):
            self._session.add(CourseSkill(course_id=course.id, skill_id=skill_id, level=2, status=TagStatus.accepted))
        self._session.execute(update(CourseDraft).where(CourseDraft.id == draft_id).values(course_id=course.id)
                              .execution_options(synchronize_session=False))
        self._session.execute(update(CourseAssessment).where(CourseAssessment.draft_id == draft_id)
                              .values(course_id=course.id).execution_options(synchronize_session=False))
        self._session.flush()
        return course

"""Use cases for admins: suggest ESCO skills for courses from their title and description, and accept a tag.

Suggestions stay suggestions (they teach nothing in a path answer) until an admin accepts them. Label matching
(title counted above description) comes first; the skill extraction every other reader uses
(``skills_engine.extraction``, by meaning) adds what the text says without naming a label, up to the same limit.
"""

from __future__ import annotations

from handlers.context import Ladder, skill_extractor
from skills_engine import tagging
from storage import UnitOfWork
from storage.models import Person

COURSE_MIN_SCORE = 0.5  # the extractor's calibrated score: a course tag wants a likely skill, not a possible one


def tag_courses(ladder: Ladder, uow: UnitOfWork, *, min_score: float | None = None) -> dict:
    """Suggest ESCO skills for every course without accepted tags; stored as ``suggested`` with a score."""
    index = ladder.indexes.skills(uow.skills.taxonomy)
    forms = index.forms()
    out = []
    for course in uow.skills.courses_without_accepted_tags():
        suggestions = tagging.suggest(index, course.title, course.description or "", fuzzy_labels=forms,
                                      min_score=min_score if min_score is not None else tagging.MIN_SCORE)
        suggestions += _by_meaning(ladder, course.title, course.description or "", {s.skill_id for s in suggestions},
                                   tagging.MAX_SUGGESTIONS - len(suggestions))
        for s in suggestions:
            uow.skills.suggest_tag(course.id, s.skill_id, s.score)
        labels = uow.skills.skill_labels([s.skill_id for s in suggestions])
        out.append({"course": course.code, "title": course.title,
                    "suggestions": [{"skill_id": s.skill_id, "uri": labels[s.skill_id][0], "label": s.label, "score": s.score,
                                     "matched": s.matched} for s in suggestions]})
    uow.audit.record(action="course_tags.suggested", actor_kind="system", object_type="course",
                     detail={"courses": len(out), "suggestions": sum(len(c["suggestions"]) for c in out)}, at=ladder.now())
    return {"courses": out}


def _by_meaning(ladder: Ladder, title: str, description: str, known: set[int], room: int) -> list[tagging.TagSuggestion]:
    """What the extractor finds (score 0..1, shown 0..100 like label matches) beyond the label matches."""
    extractor = skill_extractor(ladder)
    if room <= 0 or not extractor.uses_embeddings:
        return []
    found = extractor.extract(f"{title}.\n{description}", top_k=tagging.MAX_SUGGESTIONS + len(known),
                              min_score=COURSE_MIN_SCORE)
    return [tagging.TagSuggestion(s.skill_id, s.label, round(100 * s.score, 1), s.sentence)
            for s in found if s.skill_id not in known][:room]


def accept_tag(ladder: Ladder, uow: UnitOfWork, course_code: str, skill_uri: str, actor: Person | None = None) -> dict:
    """An admin accepts a suggested (or new) tag: the course then counts as teaching the skill."""
    course = uow.skills.course_by_code(course_code)
    skill = uow.skills.skill_by_uri(skill_uri)
    if course is None or skill is None:
        return {"accepted": False, "reason": "unknown course" if course is None else "unknown skill"}
    changed = uow.skills.accept_tag(course.id, skill.id)
    if changed:
        uow.audit.record(action="course_tag.accepted", actor_id=actor.id if actor else None,
                         actor_kind="person" if actor else "system", object_type="course", object_id=str(course.id),
                         detail={"skill": skill.uri, "course": course.code}, at=ladder.now())
    return {"accepted": True, "changed": changed, "course": course.code, "skill": {"uri": skill.uri, "label": skill.label}}

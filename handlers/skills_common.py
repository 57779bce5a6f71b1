"""What the skills use cases share: resolving a typed skill name, the wording of levels and dates."""

from __future__ import annotations

import datetime as dt

from conversation import Reply
from handlers.context import Ladder
from skills_engine.labels import LabelMatch
from skills_engine.proficiency import LEVEL_NAMES
from storage import UnitOfWork
from storage.models import Skill

DEFAULT_CLAIM_LEVEL = 2


def resolve_skill(ladder: Ladder, uow: UnitOfWork, text: str) -> tuple[Skill | None, Reply | None]:
    """The skill a person named, or the reply that asks them which one they mean."""
    if not text.strip():
        return None, Reply(text="Which skill? Try “I know SQL” or “I have Python at level 3”.")
    match = ladder.indexes.skills(uow.skills.taxonomy).resolve(text)
    if match.status == "found" and match.best is not None:
        return uow.skills.skill(match.best.id), None
    return None, _choice_reply(match)


def _choice_reply(match: LabelMatch) -> Reply:
    names = [c.label for c in match.candidates[:5]]
    if match.status == "ambiguous":
        text = f"I know several skills that could be “{match.query}”: " + "; ".join(f"“{n}”" for n in names) + \
            ". Say it again with the exact name."
    elif names:
        text = f"I couldn't find a skill called “{match.query}”. The closest I know: " + "; ".join(f"“{n}”" for n in names) + "."
    else:
        text = f"I couldn't find a skill called “{match.query}”. Try its usual name, e.g. “SQL” or “data mining”."
    return Reply(text=text, data={"intent": "skill_choice", "status": match.status, "query": match.query,
                                   "candidates": [{"id": c.id, "label": c.label, "score": c.score} for c in match.candidates]})


def level_text(level: int) -> str:
    return f"level {level} ({LEVEL_NAMES.get(level, '?')})"


def date_text(value: dt.datetime) -> str:
    return value.date().isoformat()


def skill_json(skill: Skill) -> dict:
    return {"id": skill.id, "uri": skill.uri, "label": skill.label}



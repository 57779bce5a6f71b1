"""The phrasings of the skills questions are understood, their slots found, and they don't steal other questions."""

from __future__ import annotations

import pytest

from handlers.intents import IntentKind

CASES = [
    ("I know SQL", IntentKind.claim_skill, "SQL", None, ""),
    ("I have Python at level 3", IntentKind.claim_skill, "Python", 3, ""),
    ("I'm good at data mining", IntentKind.claim_skill, "data mining", None, ""),
    ("my SQL is level 3", IntentKind.claim_skill, "SQL", 3, ""),
    ("why do you think I know SQL?", IntentKind.explain_skill, "SQL", None, ""),
    ("explain my SQL skill", IntentKind.explain_skill, "SQL", None, ""),
    ("ask my manager to validate SQL", IntentKind.request_validation, "SQL", None, ""),
    ("please ask my manager to validate statistics at level 3", IntentKind.request_validation, "statistics", 3, ""),
    ("pending validations", IntentKind.pending_validations, "", None, ""),
    ("validate SQL for maya.patel@kestrel.example", IntentKind.validate_for, "SQL", None, "maya.patel@kestrel.example"),
    ("validate SQL for Maya Patel at level 2", IntentKind.validate_for, "SQL", 2, "maya.patel@kestrel.example"),
    ("what skills do I have?", IntentKind.my_skills, "", None, ""),
    ("which skills did you infer?", IntentKind.suggested_skills, "", None, ""),
    ("What roles am I closest to?", IntentKind.closest_roles, "", None, ""),
]


@pytest.mark.parametrize("text,kind,skill,level,who", CASES)
def test_skill_phrasings(understand, text, kind, skill, level, who):
    intent = understand(text, "daniel.okafor@kestrel.example" if kind == IntentKind.validate_for else "maya.patel@kestrel.example")
    typed = intent.slots.text("skill")
    assert (intent.kind, typed.lower(), intent.level, intent.person_text) == (kind, skill.lower(), level, who)
    if skill:
        assert intent.slots.get("skill").status == "found"  # the typed name resolves to one ESCO skill


def test_team_questions_carry_the_role(understand):
    daniel = "daniel.okafor@kestrel.example"
    ready = understand("who on my team is ready for data scientist?", daniel)
    assert (ready.kind, ready.role_text) == (IntentKind.team_ready, "data scientist")
    gaps = understand("team gaps for cloud engineer", daniel)
    assert (gaps.kind, gaps.role_text) == (IntentKind.team_gaps, "cloud engineer")


@pytest.mark.parametrize("text", ["what's my path to data scientist?", "skills gap for data scientist", "who am i",
                                  "I know I should ask but how much parental leave do I get?", "I have a question about leave"])
def test_other_questions_are_left_alone(understand, text):
    assert understand(text).kind not in {IntentKind.claim_skill, IntentKind.explain_skill, IntentKind.team_gaps, IntentKind.team_ready}

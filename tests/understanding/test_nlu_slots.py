"""Slots found anywhere in the sentence, typo-tolerant, never a silent guess."""

from __future__ import annotations

import pytest

from understanding.slots import (Directory, find_course, find_keyword, find_level, find_number, find_ordinal,
                                 find_person, find_reason)

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"


@pytest.mark.parametrize("text,role", [
    ("what's my path to data scientist?", "data scientist"),
    ("data scientist — how far am I?", "data scientist"),  # the role first
    ("hey, roughly how far off am I from being a database admin", "database administrator"),
    ("my manager said I should look at software architect roles, what would that take", "software architect"),
    ("how do i become a datta scientist", "data scientist"),  # a typo
    ("path to DBA?", "database administrator"),  # an abbreviation
    ("I'm a tester now, what's the gap between me and a games developer?", "digital games developer"),  # the last named
    ("skills for network engineers", "ICT network engineer"),  # a plural label
])
def test_the_role_is_found_wherever_it_is(understand, text, role):
    intent = understand(text)
    assert intent.kind.value == "career_path"
    assert intent.role_text == role


def test_a_role_two_labels_share_comes_back_as_candidates(understand):
    slot = understand("what's my path to developer?").slots.get("role")
    assert slot.status == "ambiguous" and slot.value is None and len(slot.candidates) >= 2


@pytest.mark.parametrize("text,skill", [
    ("I know Python at level 3", "Python (computer programming)"),
    ("why do you think i know statistcs", "statistics"),
    ("ask my manager to validate my data mining skill", "data mining"),
])
def test_the_skill_is_found_by_any_label(understand, text, skill):
    assert understand(text).slots.value("skill") == skill


DIRECTORY = Directory(people=[(1, "Maya Patel", MAYA), (2, "Daniel Okafor", DANIEL), (3, "Mayank Shah", "mayank.shah@kestrel.example")],
                      courses=[(10, "DB120", "Database Design"), (11, "DS101", "Statistics for Data Work")],
                      manager_email=DANIEL)


@pytest.mark.parametrize("text,email", [
    ("validate SQL for maya.patel@kestrel.example", MAYA),
    ("confirm statistics for Maya", MAYA),
    ("confirm statistics for maya patel", MAYA),
    ("can you show the audit trail for Daniel", DANIEL),
    ("ask my manager", DANIEL),
    ("validate SQL for Daneil", DANIEL),  # a typo
])
def test_people_by_email_name_or_relation(text, email):
    assert find_person(text, DIRECTORY, frozenset({"validate", "confirm", "audit", "trail", "ask"})).value == email


def test_two_people_with_close_names_are_candidates_not_a_guess():
    directory = Directory(people=[(1, "Sam Lee", "sam.lee@x.example"), (2, "Sam Leigh", "sam.leigh@x.example")])
    found = find_person("validate SQL for Sam", directory, frozenset({"validate"}))
    assert found.status == "ambiguous" and set(found.candidates) == {"sam.lee@x.example", "sam.leigh@x.example"}


def test_courses_by_code_or_title():
    assert find_course("enrol me in db 120 please", DIRECTORY).value == "DB120"
    assert find_course("sign me up for database design", DIRECTORY).value == "DB120"
    assert find_course("enrol me in XY999", DIRECTORY).status == "unknown"


def test_numbers_words_and_reasons():
    assert find_number("approve proposal #12 please", "proposal_id").value == 12
    assert find_number("override 7 with DB120", "proposal_id").value == 7  # not the course code's number
    assert find_number("uphold challenge 3", "challenge_id").value == 3
    assert find_level("I know SQL at level 3").value == 3 and find_level("I know SQL") is None
    assert find_keyword("go ahead with 5", "verb").value == "approve"
    assert find_keyword("turn down 5", "verb").value == "reject"
    assert find_keyword("I'm dismissing challenge 6", "verdict").value == "dismiss"
    assert find_keyword("make check-ins automatic", "action_type").value == "schedule_checkin"
    assert find_reason("reject 9, she's already booked on a course") is not None
    assert find_reason("reject 9 because budget is gone").text == "budget is gone"
    assert find_reason("approve 12 thanks a lot") is None
    assert find_ordinal("the second one").value == 2 and find_ordinal("the last one").value == -1

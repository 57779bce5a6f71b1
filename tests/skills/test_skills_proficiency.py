"""Proficiency rules: each evidence type, decay with the documented half-life, and verification."""

from __future__ import annotations

import datetime as dt

import pytest

from skills_engine import proficiency
from skills_engine.proficiency import HALF_LIFE_DAYS, VERIFYING, WEIGHTS, EvidenceItem, assess
from storage.models import EvidenceType

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)


def item(kind: EvidenceType, level: int, days_ago: float = 0.0, skill_id: int = 1) -> EvidenceItem:
    return EvidenceItem(skill_id, kind, level, NOW - dt.timedelta(days=days_ago))


@pytest.mark.parametrize("kind", list(EvidenceType))
def test_each_evidence_type_alone(kind):
    p = assess(1, [item(kind, 3)], NOW)
    assert p.level == 3
    assert p.confidence == pytest.approx(min(WEIGHTS[kind], 0.99), abs=1e-3)
    assert p.verified is (kind in VERIFYING)
    assert p.verified_level == (3 if kind in VERIFYING else 0)


def test_weights_are_ordered_by_how_much_they_say_about_competence():
    order = [EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome, EvidenceType.peer_review,
             EvidenceType.course_completion, EvidenceType.self_assessment, EvidenceType.inferred]
    assert [WEIGHTS[k] for k in order] == sorted(WEIGHTS.values(), reverse=True)
    assert VERIFYING == {EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome, EvidenceType.peer_review}


def test_evidence_loses_half_its_weight_every_half_life():
    fresh = proficiency.decayed_weight(item(EvidenceType.assessment, 2), NOW)
    one = proficiency.decayed_weight(item(EvidenceType.assessment, 2, HALF_LIFE_DAYS), NOW)
    two = proficiency.decayed_weight(item(EvidenceType.assessment, 2, 2 * HALF_LIFE_DAYS), NOW)
    assert HALF_LIFE_DAYS == 730
    assert fresh == pytest.approx(1.0) and one == pytest.approx(0.5) and two == pytest.approx(0.25)


def test_newer_evidence_outweighs_older():
    p = assess(1, [item(EvidenceType.assessment, 4, days_ago=3 * 365), item(EvidenceType.assessment, 2, days_ago=10)], NOW)
    weights = (0.5 ** (3 * 365 / 730), 0.5 ** (10 / 730))
    expected = int((4 * weights[0] + 2 * weights[1]) / sum(weights) + 0.5)
    assert p.level == expected == p.verified_level


def test_course_completion_and_self_assessment_never_verify_however_many_or_high():
    items = [item(EvidenceType.course_completion, 4), item(EvidenceType.self_assessment, 4),
             item(EvidenceType.course_completion, 4, 5), item(EvidenceType.inferred, 4)]
    p = assess(1, items, NOW)
    assert p.level == 4 and not p.verified and p.verified_level == 0
    assert p.confidence > 0.6  # they do raise confidence in the claim


def test_old_verifying_evidence_stops_verifying():
    # 0.9 * 0.5 ** (d / 730) < 0.25 after ~1,349 days
    assert assess(1, [item(EvidenceType.manager_validation, 3, 1300)], NOW).verified
    assert not assess(1, [item(EvidenceType.manager_validation, 3, 1400)], NOW).verified
    assert assess(1, [item(EvidenceType.assessment, 3, 1400)], NOW).verified  # weight 1.0 lasts ~1,460 days
    assert not assess(1, [item(EvidenceType.peer_review, 3, 1100)], NOW).verified  # 0.7 → below 0.25 after ~1,084 days


def test_verified_level_uses_verifying_evidence_only():
    p = assess(1, [item(EvidenceType.self_assessment, 4), item(EvidenceType.peer_review, 2)], NOW)
    assert p.verified_level == 2
    assert p.level == 3  # (0.3*4 + 0.7*2) / 1.0 = 2.6 → 3


def test_levels_round_half_up():
    # equal weights at 2 and 3 → 2.5 → 3 (documented: rounded half up)
    p = assess(1, [item(EvidenceType.assessment, 2), item(EvidenceType.assessment, 3)], NOW)
    assert p.level == 3 and p.verified_level == 3


def test_profile_groups_by_skill_and_keeps_evidence_newest_first():
    items = [item(EvidenceType.assessment, 2, 100, skill_id=1), item(EvidenceType.self_assessment, 3, 5, skill_id=1),
             item(EvidenceType.course_completion, 2, 1, skill_id=2)]
    prof = proficiency.profile(items, NOW)
    assert set(prof) == {1, 2}
    assert [e.evidence_type for e in prof[1].evidence] == [EvidenceType.self_assessment, EvidenceType.assessment]
    assert prof[1].verified and not prof[2].verified


def test_documentation_states_the_scale_weights_and_half_life():
    doc = proficiency.__doc__
    for text in ("awareness", "working", "practitioner", "expert", "730", "never verifies", "0.25"):
        assert text in doc
    for kind, weight in WEIGHTS.items():
        assert kind.value in doc and f"{weight:.2f}" in doc


def test_verified_levels_shortcut_agrees_with_assess():
    import random

    rng = random.Random(3)
    items = [item(rng.choice(list(EvidenceType)), rng.randint(1, 4), rng.uniform(0, 1800), skill_id=rng.randint(1, 40))
             for _ in range(600)]
    full = {sid: p.verified_level for sid, p in proficiency.profile(items, NOW).items() if p.verified_level}
    assert proficiency.verified_levels(items, NOW) == full

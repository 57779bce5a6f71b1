"""From evidence to proficiency: a level on Ladder's 1–4 scale, a confidence and a verified flag.

The scale (the same one role requirements use; ESCO requirements default to level 2):

=====  ============  =====================================================================
level  name          what it means
=====  ============  =====================================================================
1      awareness     knows what it is and when it matters; needs guidance to apply it
2      working       applies it to routine work without help
3      practitioner  handles non-routine cases, reviews others' work
4      expert        sets the standard, teaches it, solves the hardest cases
=====  ============  =====================================================================

Evidence weights (how much one piece of evidence says about real competence):

===================  ======  ========
evidence             weight  verifies
===================  ======  ========
assessment           1.00    yes
manager_validation   0.90    yes
project_outcome      0.85    yes
peer_review          0.70    yes
course_completion    0.40    no
self_assessment      0.30    no
inferred             0.20    no
===================  ======  ========

Rules (``assess``):

* Evidence loses half of its weight every ``HALF_LIFE_DAYS`` (730 days):
  ``weight = WEIGHTS[type] * 0.5 ** (age_days / 730)``.
* Only *active* evidence counts (pending validations and rejected suggestions don't).
* ``level`` — the weighted mean of all evidence levels, rounded half up, clamped to 1–4.
* ``verified_level`` — the same weighted mean over *verifying* evidence only (assessment,
  manager validation, project outcome, peer review) whose decayed weight is still at least
  ``VERIFIED_MIN_WEIGHT`` (0.25: a manager validation stops verifying after about 3.7 years, a peer
  review after about 3 years). 0 means not verified. A course completion or a self-assessment alone
  never verifies a skill, whatever its level or age.
* ``confidence`` — ``1 - prod(1 - min(w, 0.99))`` over all evidence: more, stronger, fresher evidence
  means more confidence.
* A person *has* a required skill when ``verified_level >= target_level`` of the requirement.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage.models import EvidenceType
from storage.skills import EvidenceRecord, Skills

HALF_LIFE_DAYS = 730.0  # two years
VERIFIED_MIN_WEIGHT = 0.25  # verifying evidence older than ~3 years (decayed below this) no longer verifies

WEIGHTS: dict[EvidenceType, float] = {
    EvidenceType.assessment: 1.0,
    EvidenceType.manager_validation: 0.9,
    EvidenceType.project_outcome: 0.85,
    EvidenceType.peer_review: 0.7,
    EvidenceType.course_completion: 0.4,
    EvidenceType.self_assessment: 0.3,
    EvidenceType.inferred: 0.2,
}
VERIFYING = frozenset(
    {EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome, EvidenceType.peer_review}
)
LEVEL_NAMES = {1: "awareness", 2: "working", 3: "practitioner", 4: "expert"}


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    skill_id: int
    evidence_type: EvidenceType
    level: int
    observed_at: dt.datetime
    source: str = ""
    verifier: str | None = None
    evidence_id: int | None = None


@dataclass(slots=True)
class Proficiency:
    skill_id: int
    level: int  # best estimate from all evidence
    verified_level: int  # from verifying evidence only; 0 when not verified
    confidence: float  # 0..1
    evidence: list[EvidenceItem] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.verified_level > 0


def evidence_items(records: Iterable[EvidenceRecord]) -> list[EvidenceItem]:
    """The proficiency rules' view of stored evidence."""
    return [EvidenceItem(r.skill_id, r.evidence_type, r.level, r.observed_at, r.source, r.verifier, r.evidence_id)
            for r in records]


def decayed_weight(item: EvidenceItem, now: dt.datetime) -> float:
    observed = item.observed_at if item.observed_at.tzinfo else item.observed_at.replace(tzinfo=dt.timezone.utc)
    age_days = max((now - observed).total_seconds() / 86400.0, 0.0)
    return WEIGHTS[item.evidence_type] * 0.5 ** (age_days / HALF_LIFE_DAYS)


def _weighted_level(pairs: list[tuple[float, int]]) -> int:
    total = sum(w for w, _ in pairs)
    if total <= 0:
        return 0
    return max(1, min(4, math.floor(sum(w * lvl for w, lvl in pairs) / total + 0.5)))  # half up, documented


def assess(skill_id: int, items: Iterable[EvidenceItem], now: dt.datetime) -> Proficiency:
    items = list(items)
    weighted = [(decayed_weight(i, now), i) for i in items]
    all_pairs = [(w, i.level) for w, i in weighted]
    verifying = [(w, i.level) for w, i in weighted if i.evidence_type in VERIFYING and w >= VERIFIED_MIN_WEIGHT]
    miss = 1.0
    for w, _ in all_pairs:
        miss *= 1.0 - min(w, 0.99)
    return Proficiency(
        skill_id=skill_id,
        level=_weighted_level(all_pairs),
        verified_level=_weighted_level(verifying),
        confidence=round(1.0 - miss, 3),
        evidence=sorted(items, key=lambda i: i.observed_at, reverse=True),
    )


def is_verifying(item: EvidenceItem, now: dt.datetime) -> bool:
    """Does this one piece of evidence count towards the verified level today?"""
    return item.evidence_type in VERIFYING and decayed_weight(item, now) >= VERIFIED_MIN_WEIGHT


def verified_levels(items: Iterable[EvidenceItem], now: dt.datetime) -> dict[int, int]:
    """Only the verified level per skill — the same rule as ``assess(...).verified_level``, without the
    rest (team views compute it for hundreds of people at a time)."""
    sums: dict[int, list[float]] = {}
    for item in items:
        if item.evidence_type not in VERIFYING:
            continue
        weight = decayed_weight(item, now)
        if weight < VERIFIED_MIN_WEIGHT:
            continue
        acc = sums.get(item.skill_id)
        if acc is None:
            acc = sums[item.skill_id] = [0.0, 0.0]
        acc[0] += weight * item.level
        acc[1] += weight
    return {sid: max(1, min(4, math.floor(num / den + 0.5))) for sid, (num, den) in sums.items() if den > 0}


def profile(items: Iterable[EvidenceItem], now: dt.datetime) -> dict[int, Proficiency]:
    by_skill: dict[int, list[EvidenceItem]] = {}
    for item in items:
        by_skill.setdefault(item.skill_id, []).append(item)
    return {skill_id: assess(skill_id, group, now) for skill_id, group in by_skill.items()}


def person_profile(skills: Skills, person_id: int, now: dt.datetime) -> dict[int, Proficiency]:
    """A person's proficiency in every skill they have active evidence for."""
    return profile(evidence_items(skills.evidence_for(person_id)), now)

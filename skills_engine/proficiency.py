"""From evidence to proficiency: a level on Ladder's 1–4 scale, a confidence and a verified flag.

Levels: 1 awareness, 2 working, 3 practitioner, 4 expert.

Each kind of evidence carries a weight (how much it says about real competence), and evidence
loses half of its weight every ``HALF_LIFE_DAYS``. Only *verifying* evidence — an assessment, a
manager's validation, a project outcome, a peer review — can make a skill verified; a finished
course or a self-assessment alone never does, whatever its level or age.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage.models import EvidenceType

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


def decayed_weight(item: EvidenceItem, now: dt.datetime) -> float:
    observed = item.observed_at if item.observed_at.tzinfo else item.observed_at.replace(tzinfo=dt.timezone.utc)
    age_days = max((now - observed).total_seconds() / 86400.0, 0.0)
    return WEIGHTS[item.evidence_type] * 0.5 ** (age_days / HALF_LIFE_DAYS)


def _weighted_level(pairs: list[tuple[float, int]]) -> int:
    total = sum(w for w, _ in pairs)
    if total <= 0:
        return 0
    return max(1, min(4, round(sum(w * lvl for w, lvl in pairs) / total)))


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


def profile(items: Iterable[EvidenceItem], now: dt.datetime) -> dict[int, Proficiency]:
    by_skill: dict[int, list[EvidenceItem]] = {}
    for item in items:
        by_skill.setdefault(item.skill_id, []).append(item)
    return {skill_id: assess(skill_id, group, now) for skill_id, group in by_skill.items()}

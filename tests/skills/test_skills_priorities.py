"""Which three missing skills the path answer opens with: the score's reasons, its order and its ties."""

from __future__ import annotations

import datetime as dt

from skills_engine import gaps, priorities
from skills_engine.priorities import Closeness, ReasonKind
from skills_engine.proficiency import EvidenceItem, Proficiency
from storage.models import EvidenceType, RequirementKind
from storage.skills import CourseOffer, OpportunityOffer

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def gap(skill_id: int, label: str, *, related: int = 0, demand: int = 0, target: int = 2, verified: int = 0,
        claimed: int = 0) -> gaps.GapItem:
    return gaps.GapItem(skill_id, f"urn:{skill_id}", label, RequirementKind.essential, target, verified, claimed, demand,
                        related)


def prof(skill_id: int, level: int, verified: int, *kinds: EvidenceType) -> Proficiency:
    return Proficiency(skill_id, level, verified, 0.5, [EvidenceItem(skill_id, k, level, WHEN) for k in kinds])


def options(courses: list[CourseOffer], skill_ids: list[int]) -> dict[int, gaps.SkillOptions]:
    return gaps.options_per_skill(skill_ids, courses, [])


def test_each_reason_earns_the_points_the_table_says():
    course = CourseOffer(1, "C1", "Stats", 16.0, frozenset({1}))
    missing = [gap(1, "statistics", related=5, claimed=2), gap(2, "mining", related=1, verified=1, claimed=1),
               gap(3, "research", claimed=1), gap(4, "funding", related=10)]
    profile = {1: prof(1, 2, 0, EvidenceType.course_completion, EvidenceType.self_assessment),
               2: prof(2, 1, 1, EvidenceType.peer_review), 3: prof(3, 1, 0, EvidenceType.inferred)}
    ranked = {p.item.label: p for p in priorities.rank(missing, options([course], [1, 2, 3, 4]), profile, neighbours=10)}

    stats = ranked["statistics"]
    assert [(r.kind, r.points) for r in stats.reasons] == [
        (ReasonKind.essential, 3), (ReasonKind.neighbours, 2), (ReasonKind.course, 2), (ReasonKind.close, 3)]
    assert stats.score == 10
    neighbours = stats.reason(ReasonKind.neighbours)
    assert (neighbours.related, neighbours.of) == (5, 10)  # 3 × 5/10 = 1.5, rounded half up
    assert stats.reason(ReasonKind.course).course == course
    close = stats.reason(ReasonKind.close)
    assert close.closeness == Closeness.claimed_at_target and close.level == 2
    assert close.evidence == (EvidenceType.course_completion, EvidenceType.self_assessment)

    mining = ranked["mining"]  # 3 × 1/10 rounds to 0: no neighbours reason at all
    assert [r.kind for r in mining.reasons] == [ReasonKind.essential, ReasonKind.close]
    assert mining.reason(ReasonKind.close).closeness == Closeness.verified_below and mining.score == 3 + 2

    research = ranked["research"]
    assert research.reason(ReasonKind.close).closeness == Closeness.some_evidence and research.score == 3 + 1
    assert ranked["funding"].score == 3 + 3 and ranked["funding"].reason(ReasonKind.close) is None


def test_the_order_is_by_score_then_related_roles_then_demand_then_name():
    missing = [gap(1, "zeta", related=2, demand=9), gap(2, "alpha", related=2, demand=9), gap(3, "beta", related=4),
               gap(4, "gamma", related=2, demand=50), gap(5, "claimed", claimed=2)]
    profile = {5: prof(5, 2, 0, EvidenceType.self_assessment)}
    # neighbours=12: 3 × 2/12 = 0.5 rounds up to 1 and 3 × 4/12 = 1; "claimed" earns 3 for being a validation away
    ranked = priorities.rank(missing, {}, profile, neighbours=12)
    assert [p.item.label for p in ranked] == ["claimed", "beta", "gamma", "alpha", "zeta"]
    assert [p.score for p in ranked] == [6, 4, 4, 4, 4]
    again = priorities.rank(list(reversed(missing)), {}, profile, neighbours=12)
    assert [p.item.skill_id for p in again] == [p.item.skill_id for p in ranked]  # input order doesn't matter


def test_focus_picks_the_top_three_the_project_using_them_and_the_course_teaching_them():
    missing = [gap(i, f"skill {i}", related=10 - i) for i in range(1, 7)]  # skill 1 ranks first
    courses = [CourseOffer(1, "C1", "broad but off-target", 5.0, frozenset({4, 5, 6})),
               CourseOffer(2, "C2", "two top skills", 20.0, frozenset({1, 2})),
               CourseOffer(3, "C3", "one top skill", 3.0, frozenset({3}))]
    openings = [OpportunityOffer(7, "gig", "many others", frozenset({4, 5, 6})),
                OpportunityOffer(9, "project", "two top skills", frozenset({2, 3, 6})),
                OpportunityOffer(8, "project", "two top skills, older", frozenset({1, 3, 4}))]
    skill_ids = [g.skill_id for g in missing]
    focus = priorities.focus(missing, gaps.options_per_skill(skill_ids, courses, openings), {}, 10, courses, openings)
    assert [p.item.skill_id for p in focus.top] == [1, 2, 3]
    assert focus.project.opportunity_id == 8  # two of the top three and three gaps in all, like 9, and posted first
    assert focus.project_skills == [1, 3, 4]  # top skills first
    assert focus.first_course.course_id == 2
    assert [c.course_id for c, _ in focus.plan.courses] == [3, 2] and focus.plan.hours == 23.0  # the top three only


def test_fewer_than_three_no_course_no_project_and_nothing_missing():
    one = priorities.focus([gap(1, "only")], {}, {}, 0, [], [])
    assert [p.item.label for p in one.top] == ["only"] and one.top[0].score == 3  # essential, nothing else
    assert one.project is None and one.project_skills == [] and one.first_course is None
    assert one.plan.courses == [] and one.plan.hours == 0
    nothing = priorities.focus([], {}, {}, 5, [CourseOffer(1, "C", "c", 1.0, frozenset({9}))], [])
    assert nothing.top == [] and nothing.project is None and nothing.first_course is None


def test_a_lapsed_verification_at_the_target_level_counts_as_close_without_claims():
    # an old assessment at level 2 no longer verifies (verified 0) but still sets the estimated level
    [p] = priorities.rank([gap(1, "old")], {}, {1: prof(1, 2, 0, EvidenceType.assessment)}, neighbours=0)
    close = p.reason(ReasonKind.close)
    assert close.closeness == Closeness.claimed_at_target and close.evidence == ()

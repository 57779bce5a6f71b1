"""Which open opportunities fit a person, ranked on skills alone (docs/marketplace.md has the method).

What the ranking reads, and nothing else:

* the person's proficiency from their active evidence (``skills_engine.proficiency``; evidence inferred from activity
  is already left out for someone who opted out of inference),
* each opportunity's skills: the required ones (at a level) and the ones it teaches on the job,
* the person's declared interest in an opportunity,
* the gap between the person and their target role (skills an opportunity would teach them that the role needs).

Never tenure, hire date, age, demographics, manager, team or who a person knows: the function does not read the
person's record beyond their target role, so none of these can move a score (a test shuffles them to show it).

Score (0..1) = 0.6 · fit + 0.3 · growth + 0.1 · interest, where

* fit = the mean, over the required skills, of 1.0 (verified at the level), 0.75 (at the level, not verified),
  0.4 (below the level) or 0 (no evidence); an opportunity that requires nothing has fit 0.5;
* growth = the share of what it would teach the person (skills they don't hold at its level) that they want to
  learn (asked for, or missing for their target role), at most 1;
* interest = 1 when the person said they are interested.

Ties go to the opportunity that closes first, then the lower id, so the order is stable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from skills_engine import proficiency
from storage import UnitOfWork
from storage.marketplace import OpenOpportunity
from storage.scope import Scope

FIT_WEIGHT, GROWTH_WEIGHT, INTEREST_WEIGHT = 0.6, 0.3, 0.1
VERIFIED_CREDIT, CLAIMED_CREDIT, PARTIAL_CREDIT = 1.0, 0.75, 0.4
NOTHING_REQUIRED_FIT = 0.5
KINDS = ("project", "gig", "role")


@dataclass(frozen=True)
class Match:
    opportunity_id: int
    title: str
    kind: str
    hours_per_week: float | None
    closes_on: dt.date | None
    score: float
    have: tuple[str, ...]  # labels of the skills it needs that the person has at its level
    learn: tuple[str, ...]  # labels of the skills the person would learn there


@dataclass(frozen=True)
class _Scored:
    opportunity: OpenOpportunity
    score: float
    have: tuple[int, ...]
    learn: tuple[int, ...]


def matches_for(uow: UnitOfWork, person_id: int, *, today: dt.date, limit: int = 10, kinds: Iterable[str] | None = None,
                learn_skill_ids: Iterable[int] | None = None) -> list[Match]:
    """The open opportunities that fit ``person_id`` best, at most ``limit``, best first.

    ``kinds``: only these kinds (project, gig, role). ``learn_skill_ids``: only opportunities that exercise one of these
    skills — the person learns it there, or practises it ("projects where I could learn Python"). Opportunities the person owns, is already
    placed on, that are full, closed, filled or past their closing date are never listed.
    """
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)
    levels = _levels(uow, person_id, now)
    wanted_learning = set(learn_skill_ids or ())
    target_gap = _target_gap(uow, person_id, levels)
    relevant = set(levels) | target_gap | wanted_learning
    # One read: full ones, the person's own and ones they hold a place on are already left out.
    candidates = uow.marketplace.open_for(person_id, relevant, today, list(kinds) if kinds is not None else None)
    ranked = _ranked(candidates, levels, wanted_learning or target_gap, wanted_learning, lambda o: o.interested)
    return _as_matches(uow, {person_id: ranked[:max(0, limit)]})[person_id]


def matches_for_people(uow: UnitOfWork, person_ids: Iterable[int], *, today: dt.date, limit: int,
                       skip_applied: bool = True, exclude: dict[int, set[int]] | None = None) -> dict[int, list[Match]]:
    """``matches_for`` for many people at once (the weekly digest): the same score and order, from a handful of reads
    for everybody — the people's evidence, their target roles' requirements, their applications and interests, and
    every open opportunity once — instead of a few queries per person. ``skip_applied``: also leave out the
    opportunities a person has applied to (in any state), not only those they hold a place on. ``exclude``: person ->
    opportunities to leave out for them (those an earlier digest already listed)."""
    ids = sorted(set(person_ids))
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)
    by_skill: dict[int, list[OpenOpportunity]] = {}
    for opp in uow.marketplace.open_opportunities(today):
        for s in opp.skills:
            by_skill.setdefault(s.skill_id, []).append(opp)
    if not by_skill:
        return {pid: [] for pid in ids}
    # Only the skills open opportunities use can move a score or pick a candidate: the rest is not read.
    evidence = uow.skills.evidence_for_people(ids, Scope(frozenset(ids)), skill_ids=by_skill)
    targets = uow.marketplace.target_requirements_of(ids)
    applications, interests = uow.marketplace.links_of(ids)
    ranked: dict[int, list[_Scored]] = {}
    for pid in ids:
        profile = proficiency.profile(proficiency.evidence_items(evidence.get(pid, [])), now)
        levels = {sid: (p.level, p.verified_level) for sid, p in profile.items() if p.level > 0}
        gap = {sid for sid, target in targets.get(pid, []) if sid in by_skill and levels.get(sid, (0, 0))[0] < target}
        applied = applications.get(pid, {})
        seen: dict[int, OpenOpportunity] = {}
        for sid in set(levels) | gap:
            for opp in by_skill.get(sid, ()):
                seen[opp.opportunity_id] = opp
        left_out = (exclude or {}).get(pid, set())
        candidates = [o for o in seen.values() if o.owner_id != pid and applied.get(o.opportunity_id) != "placed"
                      and not (skip_applied and o.opportunity_id in applied) and o.opportunity_id not in left_out]
        mine = interests.get(pid, set())
        ranked[pid] = _ranked(candidates, levels, gap, set(), lambda o: o.opportunity_id in mine)[:max(0, limit)]
    return _as_matches(uow, ranked)


def _ranked(candidates: Iterable[OpenOpportunity], levels: dict[int, tuple[int, int]], wanted: set[int],
            wanted_learning: set[int], interested: Callable[[OpenOpportunity], bool]) -> list[_Scored]:
    """The candidates that connect to the person, best first (ties: closing first, then the lower id)."""
    scored: list[_Scored] = []
    for opp in candidates:
        s = score(opp, levels, wanted=wanted, interested=interested(opp))
        if s is None:
            continue
        if wanted_learning and not wanted_learning & {*s.learn, *s.have}:
            continue
        scored.append(s)
    scored.sort(key=lambda s: (-s.score, s.opportunity.closes_on or dt.date.max, s.opportunity.opportunity_id))
    return scored


def _as_matches(uow: UnitOfWork, ranked: dict[int, list[_Scored]]) -> dict[int, list[Match]]:
    labels = uow.skills.skill_labels(sorted({sid for top in ranked.values() for s in top for sid in (*s.have, *s.learn)}))
    name = lambda sid: labels.get(sid, ("", f"skill {sid}"))[1]  # noqa: E731 - a short local lookup
    return {pid: [Match(s.opportunity.opportunity_id, s.opportunity.title, s.opportunity.kind, s.opportunity.hours_per_week,
                        s.opportunity.closes_on, s.score, tuple(name(i) for i in s.have), tuple(name(i) for i in s.learn))
                  for s in top] for pid, top in ranked.items()}


def score(opp: OpenOpportunity, levels: dict[int, tuple[int, int]], *, wanted: set[int], interested: bool) -> _Scored | None:
    """One opportunity against one person's (level, verified level) per skill; None when nothing connects them."""
    required = [s for s in opp.skills if s.required]
    credits, have, learn = [], [], []
    for s in opp.skills:
        level, verified = levels.get(s.skill_id, (0, 0))
        if level >= s.level:
            have.append(s.skill_id)
        else:
            learn.append(s.skill_id)
        if s.required:
            credits.append(VERIFIED_CREDIT if verified >= s.level else CLAIMED_CREDIT if level >= s.level
                           else PARTIAL_CREDIT if level > 0 else 0.0)
    fit = sum(credits) / len(credits) if required else NOTHING_REQUIRED_FIT
    wanted_here = [sid for sid in learn if sid in wanted]
    if not have and not wanted_here:
        return None  # shares no skill the person has, and teaches nothing they want
    growth = min(1.0, len(wanted_here) / len(learn)) if learn else 0.0
    total = FIT_WEIGHT * fit + GROWTH_WEIGHT * growth + INTEREST_WEIGHT * (1.0 if interested else 0.0)
    return _Scored(opp, round(total, 4), tuple(sorted(have)), tuple(sorted(learn)))


def person_fit(uow: UnitOfWork, person_id: int, opportunity: OpenOpportunity, *, today: dt.date) -> _Scored | None:
    """The same score for one person and one opportunity (an application's fit on the owner's shortlist)."""
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)
    levels = _levels(uow, person_id, now)
    return score(opportunity, levels, wanted=_target_gap(uow, person_id, levels),
                 interested=opportunity.opportunity_id in uow.marketplace.interested_in(person_id))


def _levels(uow: UnitOfWork, person_id: int, now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Skill id -> (level from all active evidence, verified level) for the person."""
    profile = proficiency.person_profile(uow.skills, person_id, now)
    return {sid: (p.level, p.verified_level) for sid, p in profile.items() if p.level > 0}


def _target_gap(uow: UnitOfWork, person_id: int, levels: dict[int, tuple[int, int]]) -> set[int]:
    """The skills the person's target role needs that they don't hold at its level (empty without a target)."""
    return {sid for sid, target in uow.marketplace.target_requirements(person_id) if levels.get(sid, (0, 0))[0] < target}

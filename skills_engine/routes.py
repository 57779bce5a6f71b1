"""Multi-step career routes over the role graph: when the jump to a role is large, a way through at most
two stepping-stone roles that keeps every step smaller.

The first stepping stone is a role linked to the person's current role or to the target, or one their
verified skills are already close to; every later step follows a link. A route's cost is the *largest
single step* (skills to learn before the next role), then the total to learn, then the number of steps:
a long jump split into smaller ones, with everything verified on the way counting towards the target.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from skills_engine.graph import MAX_NEIGHBOURS, HaveSets, RoleGraph, RoleNode

LARGE_JUMP = 8  # a direct gap this big (missing essentials) makes Ladder look for a stepping stone
STEP_SHRINK = 0.75  # a stepping stone must cut the largest step by a quarter at least
MAX_DETOUR = 1.5  # ... without more than half again as many skills to learn in total


@dataclass(frozen=True, slots=True)
class Step:
    role_id: int
    learn: frozenset[int]  # skills to learn for this step


@dataclass(frozen=True)
class CareerRoute:
    steps: tuple[Step, ...]  # the last step is the target role

    @functools.cached_property
    def largest_step(self) -> int:
        return max((len(s.learn) for s in self.steps), default=0)

    @functools.cached_property
    def total(self) -> int:
        return sum(len(s.learn) for s in self.steps)

    @property
    def cost(self) -> tuple[int, int, int]:
        return (self.largest_step, self.total, len(self.steps))

    @property
    def via(self) -> list[int]:
        return [s.role_id for s in self.steps[:-1]]


def worthwhile(route: CareerRoute, direct: CareerRoute) -> bool:
    """A detour is only worth proposing when its largest step is clearly smaller (by a quarter at
    least) and it doesn't ask for more than half again as many skills in total."""
    return (route.largest_step <= STEP_SHRINK * direct.largest_step
            and route.total <= MAX_DETOUR * max(direct.total, 1))


def _covered(by: RoleNode, skills: frozenset[int], of: RoleNode) -> frozenset[int]:
    """Which of ``skills`` (missing for role ``of``) holding role ``by`` would close: those ``by``
    needs at least at the level ``of`` needs them."""
    shared = skills & by.essential
    if not shared:
        return shared
    if len(by.by_level) == 1 and len(of.by_level) == 1 and by.by_level[0][0] >= of.by_level[0][0]:
        return shared
    return frozenset(s for s in shared if by.target_level(s) >= of.target_level(s))


def route(graph: RoleGraph, have: HaveSets, target: int, *, current: int | None = None, max_via: int = 2,
          large_jump: int = LARGE_JUMP) -> tuple[CareerRoute, CareerRoute | None]:
    """The direct route and, when the jump is large, the best route through 1–2 linked roles
    (``None`` when no stepping stone makes the largest step clearly smaller)."""
    goal = graph.roles[target]
    gap = graph.missing(target, have)
    direct = CareerRoute((Step(target, gap),))
    if len(gap) < large_jump or max_via <= 0:
        return direct, None
    bound = STEP_SHRINK * len(gap)
    into_target = {rid for rid, _ in graph.neighbours.get(target, [])}
    # First stepping stones: roles linked to where the person is (their current role), roles linked
    # to the target, and the roles their verified skills are already closest to.
    first = set(into_target)
    if current is not None and current in graph.roles:
        first |= {rid for rid, _ in graph.neighbours.get(current, [])}
    first |= {c.role_id for c in graph.closest(have, limit=MAX_NEIGHBOURS, exclude=(target,))}
    first -= {target, current}
    best: tuple[tuple[int, int, int], tuple[tuple[int, frozenset[int]], ...]] | None = None

    def consider(steps: tuple[tuple[int, frozenset[int]], ...]) -> None:
        nonlocal best
        sizes = [len(learn) for _, learn in steps]
        cost = (max(sizes), sum(sizes), len(steps))
        if cost[0] <= bound and cost[1] <= MAX_DETOUR * len(gap) and (best is None or cost < best[0]):
            best = (cost, steps)

    missing_from_start: dict[int, frozenset[int]] = {}

    def start_gap(rid: int) -> frozenset[int]:
        found = missing_from_start.get(rid)
        if found is None:
            found = missing_from_start[rid] = graph.missing(rid, have)
        return found

    # Nearest stepping stones first, so that a good route found early prunes the rest.
    for i1 in sorted(first, key=lambda r: (len(start_gap(r)), r)):
        node1 = graph.roles[i1]
        learn1 = start_gap(i1)
        if len(learn1) > bound or (best is not None and len(learn1) > best[0][0]):
            break  # sorted: every later stone is at least as far (and nearly as far as the target is no help)
        left1 = gap - _covered(node1, gap, goal)
        if i1 in into_target:
            consider(((i1, learn1), (target, left1)))
        if max_via < 2:
            continue
        for i2 in sorted(graph.linked.get(i1, frozenset()) & into_target):
            if i2 in (target, current, i1):
                continue
            node2 = graph.roles[i2]
            need2 = start_gap(i2)
            learn2 = need2 - _covered(node1, need2, node2)
            if len(learn2) > bound or (best is not None and len(learn2) > best[0][0]):
                continue
            consider(((i1, learn1), (i2, learn2), (target, left1 - _covered(node2, left1, goal))))
    if best is None:
        return direct, None
    return direct, CareerRoute(tuple(Step(rid, learn) for rid, learn in best[1]))

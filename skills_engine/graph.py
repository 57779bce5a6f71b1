"""The role graph: every role's essential skills in memory, roles linked by skill overlap.

Built once per taxonomy version (``skills_engine.indexes``) so that "closest roles" over all 3,007 ESCO
occupations and multi-step path search (``skills_engine.routes``) are set arithmetic, not SQL. Pure data
once built.

Two roles are linked when the Jaccard similarity of their essential skill sets is at least
``LINK_THRESHOLD`` (each role keeps its ``MAX_NEIGHBOURS`` most similar roles).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

LINK_THRESHOLD = 0.2
MAX_NEIGHBOURS = 30
DEFAULT_LEVEL = 2


@dataclass(frozen=True, slots=True)
class RoleNode:
    id: int
    uri: str
    label: str
    essential: frozenset[int]
    by_level: tuple[tuple[int, frozenset[int]], ...]  # (target level, essential skills at that level)
    optional: frozenset[int]
    optional_levels: tuple[tuple[int, frozenset[int]], ...] = ()

    def requirements(self) -> list[tuple[int, str, int]]:
        """(skill id, "essential" | "optional", target level) for every requirement of the role."""
        out = [(s, "essential", level) for level, skills in self.by_level for s in skills]
        out += [(s, "optional", level) for level, skills in self.optional_levels for s in skills if s not in self.essential]
        return out

    def target_level(self, skill_id: int) -> int:
        for level, skills in self.by_level:
            if skill_id in skills:
                return level
        return DEFAULT_LEVEL


@dataclass(frozen=True, slots=True)
class Closeness:
    role_id: int
    missing: int
    have: int
    essential: int


class HaveSets:
    """A person's verified skills as one set per level (``at(2)`` = skills verified at level ≥ 2)."""

    __slots__ = ("_levels", "_cache", "_parent", "_role")

    def __init__(self, verified_levels: Mapping[int, int]) -> None:
        self._levels = {s: lvl for s, lvl in verified_levels.items() if lvl > 0}
        self._cache: dict[int, frozenset[int]] = {}
        self._parent: HaveSets | None = None
        self._role: RoleNode | None = None

    def at(self, level: int) -> frozenset[int]:
        found = self._cache.get(level)
        if found is None:
            if self._parent is not None and self._role is not None:
                gained = [skills for lvl, skills in self._role.by_level if lvl >= level]
                found = self._parent.at(level).union(*gained)
            else:
                found = frozenset(s for s, lvl in self._levels.items() if lvl >= level)
            self._cache[level] = found
        return found

    def levels(self) -> dict[int, int]:
        if self._parent is None or self._role is None:
            return self._levels
        levels = dict(self._parent.levels())
        for level, skills in self._role.by_level:
            for s in skills:
                if levels.get(s, 0) < level:
                    levels[s] = level
        return levels

    def after(self, role: RoleNode) -> HaveSets:
        """What the person has once verified in every essential skill of ``role`` at its level."""
        child = HaveSets({})
        child._parent, child._role = self, role
        return child


@dataclass
class RoleGraph:
    roles: dict[int, RoleNode]
    skills: dict[int, tuple[str, str]]  # skill id -> (uri, label)
    demand: dict[int, int]  # skill id -> how many roles need it as essential
    neighbours: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    _dense: _Dense | None = field(default=None, repr=False)
    linked: dict[int, frozenset[int]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        roles: Iterable[tuple[int, str, str]],
        requirements: Iterable[tuple[int, int, str, int]],
        skills: Iterable[tuple[int, str, str]],
        *,
        threshold: float = LINK_THRESHOLD,
        max_neighbours: int = MAX_NEIGHBOURS,
    ) -> RoleGraph:
        """``roles``: (id, uri, label); ``requirements``: (role id, skill id, kind, target level)."""
        meta = {rid: (uri, label) for rid, uri, label in roles}
        essential: dict[int, dict[int, set[int]]] = {rid: {} for rid in meta}
        optional: dict[int, dict[int, set[int]]] = {rid: {} for rid in meta}
        demand: dict[int, int] = {}
        for rid, sid, kind, level in requirements:
            if rid not in meta:
                continue
            kind = getattr(kind, "value", kind)
            if kind == "essential":
                essential[rid].setdefault(int(level or DEFAULT_LEVEL), set()).add(sid)
                demand[sid] = demand.get(sid, 0) + 1
            else:
                optional[rid].setdefault(int(level or DEFAULT_LEVEL), set()).add(sid)
        nodes: dict[int, RoleNode] = {}
        for rid, (uri, label) in meta.items():
            levels = tuple(sorted((lvl, frozenset(s)) for lvl, s in essential[rid].items()))
            ess = frozenset().union(*(s for _, s in levels)) if levels else frozenset()
            opt_levels = tuple(sorted((lvl, frozenset(s - ess)) for lvl, s in optional[rid].items()))
            opt = frozenset().union(*(s for _, s in opt_levels)) if opt_levels else frozenset()
            nodes[rid] = RoleNode(rid, uri, label, ess, levels, opt, opt_levels)
        graph = cls(nodes, {sid: (uri, label) for sid, uri, label in skills}, demand)
        graph.neighbours = _links(nodes, threshold, max_neighbours)
        graph.linked = {rid: frozenset(r for r, _ in links) for rid, links in graph.neighbours.items()}
        graph._dense = _Dense.build(nodes)
        return graph

    # ------------------------------------------------------------------ questions

    def missing(self, role_id: int, have: HaveSets) -> frozenset[int]:
        """Essential skills of the role not verified at their target level."""
        role = self.roles[role_id]
        if len(role.by_level) == 1:
            level, skills = role.by_level[0]
            return skills - have.at(level)
        out: set[int] = set()
        for level, skills in role.by_level:
            out |= skills - have.at(level)
        return frozenset(out)

    def closest(self, have: HaveSets, *, limit: int = 10, exclude: Iterable[int] = ()) -> list[Closeness]:
        """The roles with the fewest essential skills still missing (then the most already verified);
        roles sharing no verified skill with the person come last.

        Vectorised over every role at once: one gather and one segmented sum over the flat
        (role, skill, level) requirement arrays built with the graph."""
        dense = self._dense
        levels = np.zeros(len(dense.skill_index) + 1, dtype=np.int8)  # last slot: skills never required
        for s, lvl in have.levels().items():
            levels[dense.skill_index.get(s, -1)] = lvl
        levels[-1] = 0
        met = (levels[dense.req_skill] >= dense.req_level).astype(np.int32)
        covered = np.add.reduceat(met, dense.starts) if met.size else np.zeros(0, dtype=np.int32)
        missing = dense.sizes - covered
        order = np.lexsort((dense.role_ids, -covered, missing, covered == 0))  # sharing no skill ranks last
        skip = set(exclude)
        out: list[Closeness] = []
        for j in order:
            rid = int(dense.role_ids[j])
            if rid in skip:
                continue
            out.append(Closeness(rid, int(missing[j]), int(covered[j]), int(dense.sizes[j])))
            if len(out) >= limit:
                break
        return out

    def related(self, role_id: int) -> list[int]:
        return [rid for rid, _ in self.neighbours.get(role_id, [])]

    def related_demand(self, role_id: int, skill_ids: Iterable[int]) -> dict[int, int]:
        """How many roles related to ``role_id`` (its graph neighbours) need each skill as essential."""
        related = [self.roles[r].essential for r in self.related(role_id)]
        return {s: sum(1 for ess in related if s in ess) for s in skill_ids}

    def similarity(self, a: int, b: int) -> float:
        ea, eb = self.roles[a].essential, self.roles[b].essential
        union = len(ea | eb)
        return len(ea & eb) / union if union else 0.0

@dataclass
class _Dense:
    """Every essential requirement as flat arrays, grouped by role (roles without essentials left out)."""

    role_ids: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    req_skill: np.ndarray
    req_level: np.ndarray
    skill_index: dict[int, int]

    @classmethod
    def build(cls, nodes: dict[int, RoleNode]) -> _Dense:
        skill_index: dict[int, int] = {}
        role_ids, starts, sizes, req_skill, req_level = [], [], [], [], []
        for rid in sorted(nodes):
            node = nodes[rid]
            if not node.essential:
                continue
            role_ids.append(rid)
            starts.append(len(req_skill))
            sizes.append(len(node.essential))
            for level, skills in node.by_level:
                for s in sorted(skills):
                    req_skill.append(skill_index.setdefault(s, len(skill_index)))
                    req_level.append(level)
        return cls(np.asarray(role_ids, dtype=np.int64), np.asarray(starts, dtype=np.int64),
                   np.asarray(sizes, dtype=np.int32), np.asarray(req_skill, dtype=np.int64),
                   np.asarray(req_level, dtype=np.int8), skill_index)


def _links(nodes: dict[int, RoleNode], threshold: float, max_neighbours: int) -> dict[int, list[tuple[int, float]]]:
    """Jaccard over essential skill sets for all pairs sharing a skill, with an inverted index."""
    ids = [rid for rid, n in nodes.items() if n.essential]
    index = {rid: i for i, rid in enumerate(ids)}
    postings: dict[int, list[int]] = {}
    for rid in ids:
        for s in nodes[rid].essential:
            postings.setdefault(s, []).append(index[rid])
    post_arrays = {s: np.asarray(v, dtype=np.int32) for s, v in postings.items()}
    sizes = np.asarray([len(nodes[rid].essential) for rid in ids], dtype=np.float64)
    out: dict[int, list[tuple[int, float]]] = {rid: [] for rid in nodes}
    n = len(ids)
    for i, rid in enumerate(ids):
        arrays = [post_arrays[s] for s in nodes[rid].essential]
        shared = np.bincount(np.concatenate(arrays), minlength=n).astype(np.float64)
        shared[i] = 0.0
        jaccard = shared / (sizes[i] + sizes - shared)
        candidates = np.nonzero(jaccard >= threshold)[0]
        if candidates.size == 0:
            continue
        top = candidates[np.argsort(-jaccard[candidates], kind="stable")][:max_neighbours]
        out[rid] = [(ids[j], round(float(jaccard[j]), 3)) for j in top]
    return out

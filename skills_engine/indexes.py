"""The in-memory indexes built from one database's taxonomy: role names, skill names and the role graph.

One ``TaxonomyIndexes`` per application (the composition root makes it; ``Ladder.indexes``). Each index is
rebuilt when its part of the taxonomy changes, seen through a cheap signature checked on every use:

* role names: number of roles and highest role id;
* skill names: number of skills and highest skill id;
* the role graph: highest role and skill ids on every use, and at most every ``recheck_seconds`` the full
  signature, which also sums over the ~120k requirement rows.

Role names and the graph's cheap check share one read per unit of work (``Taxonomy.quick_signature``).

A changed label changes no signature: an import in this process calls ``invalidate()``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skills_engine.graph import RoleGraph
from skills_engine.roles import RoleIndex
from skills_engine.skill_index import SkillIndex
from storage.taxonomy import Taxonomy


@dataclass(frozen=True)
class _Graph:
    cheap: tuple[Any, ...]
    full: tuple[Any, ...]
    checked_at: float
    graph: RoleGraph


class TaxonomyIndexes:
    def __init__(self, recheck_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._roles: tuple[tuple[int, int], RoleIndex] | None = None
        self._skills: tuple[tuple[int, int], SkillIndex] | None = None
        self._graph: _Graph | None = None

    def roles(self, taxonomy: Taxonomy) -> RoleIndex:
        roles, top_role, _top_skill = taxonomy.quick_signature()
        signature = (roles, top_role)
        with self._lock:  # built under the lock: concurrent first questions build it once
            if self._roles is None or self._roles[0] != signature:
                self._roles = (signature, RoleIndex(taxonomy.role_label_rows()))
            return self._roles[1]

    def skills(self, taxonomy: Taxonomy) -> SkillIndex:
        signature = taxonomy.skill_signature()
        with self._lock:
            entry = self._skills
        if entry is not None and entry[0] == signature:
            return entry[1]
        index = SkillIndex(taxonomy.skill_label_rows())
        with self._lock:
            self._skills = (signature, index)
        return index

    def graph(self, taxonomy: Taxonomy) -> RoleGraph:
        _roles, top_role, top_skill = taxonomy.quick_signature()
        cheap = (top_role, top_skill)
        now = self._clock()
        with self._lock:
            entry = self._graph
        if entry is not None and entry.cheap == cheap and now - entry.checked_at < self.recheck_seconds:
            return entry.graph
        full = taxonomy.full_signature()
        if entry is not None and entry.cheap == cheap and entry.full == full:
            graph = entry.graph
        else:
            graph = RoleGraph.build(taxonomy.role_rows(), taxonomy.requirement_rows(), taxonomy.skill_rows())
        with self._lock:
            self._graph = _Graph(cheap, full, now, graph)
        return graph

    def invalidate(self) -> None:
        """Forget every index: the next question rebuilds what it needs from the database."""
        with self._lock:
            self._roles = self._skills = self._graph = None

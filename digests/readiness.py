"""Who is ready for their target role: every essential skill verified at its level (the same rule as the path
answer and the manager's "who is ready" view)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from skills_engine import proficiency
from skills_engine.graph import HaveSets, RoleGraph
from storage import UnitOfWork
from storage.scope import Scope


def missing_for_targets(uow: UnitOfWork, graph: RoleGraph, targets: dict[int, int], readable: Scope,
                        now: dt.datetime) -> dict[int, frozenset[int]]:
    """person id -> essential skills of their target role still missing (people ``readable`` covers whose target
    role is in the graph; ``targets``: person id -> target role id)."""
    ids = [pid for pid, role in targets.items() if role in graph.roles]
    evidence = uow.skills.evidence_for_people(ids, readable)
    out: dict[int, frozenset[int]] = {}
    for pid in ids:
        if pid not in evidence:
            continue
        have = HaveSets(proficiency.verified_levels(proficiency.evidence_items(evidence[pid]), now))
        out[pid] = graph.missing(targets[pid], have)
    return out


def labels(graph: RoleGraph, skill_ids: Iterable[int], limit: int = 3) -> str:
    names = sorted(graph.skills[s][1] for s in skill_ids if s in graph.skills)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")

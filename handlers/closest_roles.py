"""Use case: "what roles am I closest to?" — every role ranked by how few essential skills are still missing."""

from __future__ import annotations

from conversation import ActionKind, ActionRef, Button, Card, Reply
from handlers.context import Ladder
from skills_engine import proficiency
from skills_engine.graph import HaveSets
from storage import UnitOfWork
from storage.models import Person


def closest_roles(ladder: Ladder, uow: UnitOfWork, person: Person, limit: int = 8) -> Reply:
    graph = ladder.indexes.graph(uow.skills.taxonomy)
    evidence = proficiency.evidence_items(uow.skills.evidence_for(person.id))
    have = HaveSets(proficiency.verified_levels(evidence, ladder.now()))
    exclude = (person.role_id,) if person.role_id else ()
    nearest = graph.closest(have, limit=limit, exclude=exclude)
    lines = [f"*Roles you're closest to* (from your {len(have.at(1))} verified skill(s))"]
    for c in nearest:
        lines.append(f"• {graph.roles[c.role_id].label} — {c.missing} essential skill(s) to go, {c.have} of {c.essential} verified")
    buttons = [Button(label=f"Show my path to {graph.roles[c.role_id].label}"[:75],
                      ref=ActionRef(kind=ActionKind.show_path, target=str(c.role_id)).encode()) for c in nearest[:3]]
    return Reply(text="\n".join(lines), cards=[Card(title="Closest roles", buttons=buttons)] if buttons else [],
                 data={"intent": "closest_roles", "person": person.email, "roles": [
                     {"id": c.role_id, "uri": graph.roles[c.role_id].uri, "label": graph.roles[c.role_id].label,
                      "missing": c.missing, "have": c.have, "essential": c.essential} for c in nearest]})

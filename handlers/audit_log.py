"""Use case: `/ladder audit <email>` — a person's audit trail; `/ladder audit proposal <id>` — one proposal's;
`/ladder audit verify` — is the whole trail intact (handlers.audit_verify)?

Capability ``read_audit``: everyone may read their own, HR and admins anyone's. The read itself is scoped, so
a proposal's trail shows only events about people the reader may see.
"""

from __future__ import annotations

from typing import Any

from approvals.utc import when
from conversation import Reply
from governance.permissions import Capability
from handlers.access import Scope, allowed, refused, scope
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

LIMIT = 40
SHOWN = ("action_type", "reason", "changes", "result", "error", "from", "to", "date", "policy", "outcome", "deadline", "subject")


def _detail(detail: dict[str, Any]) -> str:
    keep = []
    for key in SHOWN:
        value = detail.get(key)
        if value not in (None, "", {}, []):
            keep.append(f"{key}={value}")
    return "; ".join(keep)[:300]


def events(uow: UnitOfWork, readable: Scope, *, person_id: int | None = None, proposal_id: int | None = None,
           limit: int = LIMIT) -> list[dict[str, Any]]:
    rows = uow.audit.trail(scope=readable, person_id=person_id, object_type="proposal" if proposal_id is not None else None,
                           object_id=str(proposal_id) if proposal_id is not None else None, limit=limit)
    return [{"id": e.id, "at": when(e.at), "action": e.action, "actor": name or e.actor_kind, "object": f"{e.object_type or ''} {e.object_id or ''}".strip(),
             "detail": e.detail or {}} for e, name in rows]


def render(title: str, items: list[dict[str, Any]]) -> str:
    if not items:
        return f"*{title}*\nNothing recorded."
    lines = [f"*{title}* (newest first, up to {LIMIT})"]
    for e in items:
        extra = _detail(e["detail"])
        lines.append(f"• {e['at']} · {e['action']} · {e['object']} · by {e['actor']}" + (f" · {extra}" if extra else ""))
    return "\n".join(lines)


def admin_audit(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    args = args.strip().lstrip("@")
    parts = args.split()
    if [p.lower() for p in parts] == ["verify"]:
        from handlers.audit_verify import admin_verify

        return admin_verify(ladder, uow, actor)
    if len(parts) == 2 and parts[0].lower() == "proposal" and parts[1].lstrip("#").isdigit():
        pid = int(parts[1].lstrip("#"))
        items = events(uow, scope(uow, actor, Capability.read_audit), proposal_id=pid)
        return Reply(text=render(f"Audit trail of proposal {pid}", items), ephemeral=True,
                     data={"intent": "admin_audit", "proposal_id": pid, "events": items})
    if not args:
        return Reply(text="Usage: `/ladder audit <email>`, `/ladder audit proposal <id>` or `/ladder audit verify`.", ephemeral=True)
    person = uow.people.by_email(args)
    if person is None:
        return Reply(text=f"I can't find {args} in the directory.", ephemeral=True)
    permission = allowed(uow, actor, Capability.read_audit, person.id)
    if not permission:
        return refused(permission, "admin_denied", command="audit", email=person.email)
    items = events(uow, scope(uow, actor, Capability.read_audit), person_id=person.id)
    return Reply(text=render(f"Audit trail for {person.name}", items), ephemeral=True,
                 data={"intent": "admin_audit", "email": person.email, "events": items})

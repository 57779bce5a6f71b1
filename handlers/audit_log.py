"""Use case: `/ladder audit <email>` (HR admins) — a person's audit trail; `/ladder audit proposal <id>` — one proposal's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from approvals.service import when
from conversation import Reply
from handlers.context import Ladder
from storage import queries
from storage.models import AuditEvent, Person

LIMIT = 40


def _detail(detail: dict[str, Any]) -> str:
    keep = []
    for key in ("action_type", "reason", "changes", "result", "error", "from", "to", "date", "policy", "outcome", "deadline", "subject"):
        value = detail.get(key)
        if value not in (None, "", {}, []):
            keep.append(f"{key}={value}")
    return "; ".join(keep)[:300]


def events(session: Session, *, person_id: int | None = None, proposal_id: int | None = None, limit: int = LIMIT) -> list[dict[str, Any]]:
    actor = aliased(Person)
    query = select(AuditEvent, actor.name).outerjoin(actor, actor.id == AuditEvent.actor_id)
    if person_id is not None:
        query = query.where(or_(AuditEvent.subject_id == person_id, AuditEvent.actor_id == person_id))
    if proposal_id is not None:
        query = query.where(AuditEvent.object_type == "proposal", AuditEvent.object_id == str(proposal_id))
    rows = session.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
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


def _audit(ladder: Ladder, session: Session, args: str) -> Reply:
    args = args.strip().lstrip("@")
    parts = args.split()
    if len(parts) == 2 and parts[0].lower() == "proposal" and parts[1].lstrip("#").isdigit():
        pid = int(parts[1].lstrip("#"))
        items = events(session, proposal_id=pid)
        return Reply(text=render(f"Audit trail of proposal {pid}", items), ephemeral=True,
                     data={"intent": "admin_audit", "proposal_id": pid, "events": items})
    if not args:
        return Reply(text="Usage: `/ladder audit <email>` or `/ladder audit proposal <id>`.", ephemeral=True)
    person = queries.person_by_email(session, args)
    if person is None:
        return Reply(text=f"I can't find {args} in the directory.", ephemeral=True)
    items = events(session, person_id=person.id)
    return Reply(text=render(f"Audit trail for {person.name}", items), ephemeral=True,
                 data={"intent": "admin_audit", "email": person.email, "events": items})


# MERGE: the admin-command signature of handlers.admin.ADMIN_COMMANDS (the s-approvals branch has its own).
def admin_audit(ladder: Ladder, uow, actor: Person, args: str) -> Reply:
    return _audit(ladder, uow, args)

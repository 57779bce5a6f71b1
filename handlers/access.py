"""What every use case asks before it acts for someone: the permission model (``governance.permissions``),
and the plain-language reply when the answer is no (what is needed and who can grant it)."""

from __future__ import annotations

from conversation import Reply
from governance.permissions import Capability, Permission, Role, Scope, check, may_use, roles_for, scope_for
from storage import UnitOfWork
from storage.models import Person

__all__ = ["Capability", "Permission", "Role", "Scope", "allowed", "gate", "refused", "roles", "scope"]


def allowed(uow: UnitOfWork, person: Person | None, capability: Capability, subject_id: int | None = None) -> Permission:
    """May ``person`` use ``capability`` on ``subject_id`` (``None``: themselves or the organisation)?"""
    return check(uow.people, person, capability, subject_id)


def gate(uow: UnitOfWork, person: Person | None, capability: Capability) -> Permission:
    """May ``person`` use ``capability`` on anybody at all (the check in front of an entry point)?"""
    return may_use(uow.people, person, capability)


def scope(uow: UnitOfWork, person: Person | None, capability: Capability) -> Scope:
    """Whose records a read for ``capability`` may return: what repositories filter by."""
    return scope_for(uow.people, person, capability)


def roles(uow: UnitOfWork, person: Person | None) -> frozenset[Role]:
    return roles_for(uow.people, person)


def refused(permission: Permission, intent: str, **data) -> Reply:
    """The refusal a person reads: that Ladder won't, what it needs and who can grant it. Changes nothing."""
    text = f"Sorry — I can't do that for you. {permission.reason}".strip()
    return Reply(text=text, ephemeral=True,
                 data={"intent": intent, "status": "forbidden", "denied": True, "capability": permission.capability.value,
                       "target": permission.target.value, **data})

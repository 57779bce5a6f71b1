"""Use case: `/ladder role show <email>` and `/ladder role set <email> <role>` — a person's access role.

Setting one is the ``manage_roles`` capability (admins, never on themselves: an admin cannot lock themselves
out or raise their own rights); it is recorded in the audit trail with the role before and after.
"""

from __future__ import annotations

from conversation import Reply
from governance.permissions import Capability
from handlers.access import allowed, refused, roles
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import AccessRole, Person

USAGE = ("Usage: `/ladder role show <email>` or `/ladder role set <email> <"
         + "|".join(r.value for r in AccessRole) + ">`.")
MEANS = {
    AccessRole.employee: "an employee (a manager of anyone who reports to them)",
    AccessRole.manager: "a manager",
    AccessRole.hr: "in HR",
    AccessRole.learning: "in L&D",
    AccessRole.admin: "an admin",
    AccessRole.hr_admin: "in HR and an admin",
}


def admin_role(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    parts = args.split()
    if len(parts) == 2 and parts[0].lower() == "show":
        return _show(uow, actor, parts[1])
    if len(parts) == 3 and parts[0].lower() == "set":
        return _set(ladder, uow, actor, parts[1], parts[2])
    return Reply(text=USAGE, ephemeral=True, data={"intent": "admin_role", "status": "usage"})


def _find(uow: UnitOfWork, email: str) -> Person | None:
    return uow.people.by_email(email.strip().lstrip("@"))


def _show(uow: UnitOfWork, actor: Person, email: str) -> Reply:
    person = _find(uow, email)
    if person is None:
        return Reply(text=f"I can't find {email} in the directory.", ephemeral=True, data={"intent": "admin_role", "status": "unknown"})
    held = sorted(r.value for r in roles(uow, person))
    access = person.access_role
    return Reply(text=f"{person.name} ({person.email}) has the access role *{access.value}* — {MEANS[access]}. "
                      f"Roles in Ladder: {', '.join(held)}.", ephemeral=True,
                 data={"intent": "admin_role", "status": "shown", "email": person.email, "access_role": access.value, "roles": held})


def _set(ladder: Ladder, uow: UnitOfWork, actor: Person, email: str, role_text: str) -> Reply:
    try:
        role = AccessRole(role_text.strip().lower())
    except ValueError:
        return Reply(text=f"“{role_text}” isn't an access role. " + USAGE, ephemeral=True, data={"intent": "admin_role", "status": "invalid"})
    person = _find(uow, email)
    if person is None:
        return Reply(text=f"I can't find {email} in the directory.", ephemeral=True, data={"intent": "admin_role", "status": "unknown"})
    permission = allowed(uow, actor, Capability.manage_roles, person.id)
    if not permission:
        return refused(permission, "admin_role", email=person.email)
    before = person.access_role
    if before == role:
        return Reply(text=f"{person.name} already has the access role {role.value}; nothing changed.", ephemeral=True,
                     data={"intent": "admin_role", "status": "unchanged", "email": person.email, "access_role": role.value})
    uow.people.set_access_role(person.id, role)
    uow.audit.record(action="person.access_role_set", actor_id=actor.id, subject_id=person.id, object_type="person",
                     object_id=str(person.id), detail={"from": before.value, "to": role.value}, at=ladder.now())
    return Reply(text=f"{person.name} is now {MEANS[role]} (access role {before.value} → {role.value}). "
                      "Recorded in the audit trail.", ephemeral=True,
                 data={"intent": "admin_role", "status": "changed", "email": person.email, "from": before.value, "to": role.value})


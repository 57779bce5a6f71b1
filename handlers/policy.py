"""Use case: `/ladder policy` (show the agent's autonomy) and `/ladder policy set <type> <level>` (HR admins)."""

from __future__ import annotations

from approvals import policy
from approvals.actions import LABELS, ActionType
from conversation import Reply
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

USAGE = "Usage: `/ladder policy` to see it, `/ladder policy set <type> <auto|approve|off>` to change it."


def show(uow: UnitOfWork) -> Reply:
    levels = policy.current(uow)
    lines = ["*Agent policy*"]
    for kind in ActionType:
        lock = (" (locked: always approve, by HR)" if kind in policy.ALWAYS_APPROVE
                else " (locked: never auto)" if kind in policy.LOCKED
                else " (never auto: the manager confirms)" if kind in policy.MANAGER_CONFIRMS else "")
        lines.append(f"• {kind.value} — {LABELS[kind]}: *{levels[kind].value}*{lock} — {policy.MEANING[levels[kind]]}")
    lines.append(USAGE)
    return Reply(text="\n".join(lines), ephemeral=True,
                 data={"intent": "admin_policy", "policy": {k.value: v.value for k, v in levels.items()},
                       "locked": sorted(k.value for k in policy.LOCKED)})


def admin_policy(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder policy [set <type> <level>]`; the change is audited as the admin's."""
    parts = args.split()
    if not parts:
        return show(uow)
    if parts[0].lower() != "set" or len(parts) != 3:
        return Reply(text=USAGE, ephemeral=True)
    try:
        kind, old, new = policy.set_level(uow, parts[1], parts[2], actor_id=actor.id, now=ladder.now())
    except policy.PolicyError as exc:
        return Reply(text=str(exc), ephemeral=True, data={"intent": "admin_policy_set", "status": "refused"})
    changed = "unchanged" if old == new else f"{old.value} → {new.value}"
    return Reply(text=f"Policy for {kind.value}: {changed}. {policy.MEANING[new].capitalize()}.", ephemeral=True,
                 data={"intent": "admin_policy_set", "status": "changed", "action_type": kind.value, "from": old.value, "to": new.value})

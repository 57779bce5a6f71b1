"""Use case: the LMS clients that may send xAPI statements — `/ladder lms add|list|revoke` and `python app.py lms`.

Adding one prints its key and secret once: only a hash of the secret is kept, so a lost secret means revoking the
client and adding a new one. Every change is audited.
"""

from __future__ import annotations

from conversation import Reply
from handlers.context import Ladder
from learning_records import lrs
from storage import UnitOfWork
from storage.models import Person

USAGE = ("`/ladder lms add <name>` — xAPI credentials for an LMS (shown once) · `/ladder lms list` · "
         "`/ladder lms revoke <name>`")


def add(ladder: Ladder, uow: UnitOfWork, name: str, actor_id: int | None) -> lrs.NewClient:
    client = lrs.add_client(uow, name, ladder.now())
    uow.audit.record(action="lms.client.added", actor_id=actor_id, object_type="lms_client", object_id=client.name,
                     detail={"key": client.key}, at=ladder.now())
    return client


def revoke(ladder: Ladder, uow: UnitOfWork, name: str, actor_id: int | None) -> bool:
    done = uow.xapi.revoke_client(name.strip(), ladder.now())
    if done:
        uow.audit.record(action="lms.client.revoked", actor_id=actor_id, object_type="lms_client", object_id=name.strip(),
                         detail={}, at=ladder.now())
    return done


def listing(uow: UnitOfWork) -> list[dict[str, object]]:
    return [{"name": c.name, "key": c.key, "created_at": c.created_at.isoformat(),
             "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None} for c in uow.xapi.clients()]


def connection_text(ladder: Ladder, client: lrs.NewClient) -> str:
    return (f"LMS client *{client.name}* added. Give the LMS these — the secret is shown only now:\n"
            "• xAPI endpoint: https://<where Ladder serves>/xapi/ (the `python app.py serve` address)\n"
            f"• key (Basic auth user): {client.key}\n• secret (Basic auth password): {client.secret}")


def admin_lms(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    verb, _, rest = args.strip().partition(" ")
    if verb == "add" and rest.strip():
        try:
            client = add(ladder, uow, rest, actor.id)
        except lrs.LrsError as refused:
            return Reply(text=f"Couldn't add it: {refused.reason}.", ephemeral=True)
        return Reply(text=connection_text(ladder, client), ephemeral=True,
                     data={"intent": "lms_added", "name": client.name, "key": client.key})
    if verb == "list" and not rest.strip():
        clients = listing(uow)
        if not clients:
            return Reply(text="No LMS clients yet. Add one: `/ladder lms add <name>`.", ephemeral=True,
                         data={"intent": "lms_list", "clients": []})
        lines = ["*LMS clients (xAPI)*"] + [
            f"• {c['name']} — key {c['key']}" + (f" — revoked {c['revoked_at'][:10]}" if c["revoked_at"] else "")
            for c in clients]
        return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "lms_list", "clients": clients})
    if verb == "revoke" and rest.strip():
        if revoke(ladder, uow, rest, actor.id):
            return Reply(text=f"Revoked *{rest.strip()}*: its credentials no longer work.", ephemeral=True,
                         data={"intent": "lms_revoked", "name": rest.strip()})
        return Reply(text=f"There is no active LMS client named {rest.strip()!r} (`/ladder lms list`).", ephemeral=True,
                     data={"intent": "lms_revoked", "name": rest.strip(), "revoked": False})
    return Reply(text="Usage: " + USAGE, ephemeral=True)

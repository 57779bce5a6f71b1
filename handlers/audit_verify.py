"""Use case: is the audit trail intact? `/ladder audit verify` (HR and admins: ``read_audit`` on anyone) and
`python app.py audit verify [--json]` / `audit seal` (whoever runs the command line holds the database).

Both seal what is unsealed first, then walk the hash chain (``governance.audit_chain``, docs/audit.md).
"""

from __future__ import annotations

import json
import logging

from conversation import Reply
from conversation.errors import log_failure
from governance import audit_chain
from governance.permissions import Capability, Target, decide
from handlers.access import refused, roles
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

log = logging.getLogger(__name__)


def admin_verify(ladder: Ladder, uow: UnitOfWork, actor: Person) -> Reply:
    permission = decide(roles(uow, actor), Capability.read_audit, Target.anyone)  # the whole trail: anyone's entries
    if not permission:
        return refused(permission, "admin_denied", command="audit verify")
    uow.release()  # the verification runs transactions of its own
    try:
        report = audit_chain.verify(ladder.db, ladder.now)
    except Exception:  # noqa: BLE001 - a plain answer, the details in the log
        error_id = log_failure(log, "audit verification failed")
        return Reply(text=f"I couldn't check the audit trail just now (error id {error_id}). Try again in a minute.",
                     ephemeral=True, data={"intent": "audit_verify", "status": "error", "error_id": error_id})
    return Reply(text="\n".join(report.lines()), ephemeral=True,
                 data={"intent": "audit_verify", "status": "ok" if report.ok else "broken", **report.as_data()})


def add_parsers(audit_sub) -> None:
    v = audit_sub.add_parser("verify", help="seal what is unsealed, then check the audit trail's hash chain "
                                            "(exit 0: intact, 1: broken)")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    audit_sub.add_parser("seal", help="seal the audit rows written since the last seal into the hash chain")


def run(args, ladder: Ladder) -> int:
    if args.audit_command == "seal":
        sealed = audit_chain.seal(ladder.db, ladder.now)
        print("Another process is sealing the audit trail right now; nothing done." if sealed is None
              else f"Sealed {sealed:,} audit row(s).")
        return 0
    report = audit_chain.verify(ladder.db, ladder.now)
    if args.json:
        print(json.dumps(report.as_data(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else 1

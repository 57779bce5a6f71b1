"""The retention purge: conversation memory and other personal free text older than ``retention_days`` goes.

What it purges: conversation memory (follow-up context, the text of a pending question, a modal's message) by its
last update; the question a person typed when they rated an answer (the vote itself stays: it ranks passages);
channel de-duplication keys (they carry chat user ids). What it keeps: records of decisions and challenges, which
are governance records with their own lifetime, and the audit trail.

The scheduled purge claims its period in the database (``maintenance_runs``, a conditional update), so with many
processes serving, one period is purged once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from storage import Database, UnitOfWork

JOB = "retention"


@dataclass(frozen=True)
class PurgeReport:
    ran: bool  # False: another process already ran this period's purge
    at: dt.datetime
    cutoff: dt.datetime
    purged: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.purged.values())


def purge(uow: UnitOfWork, now: dt.datetime, max_age_days: int) -> dict[str, int]:
    cutoff = now - dt.timedelta(days=max_age_days)
    return {
        "conversation_state": uow.privacy.purge_conversations(cutoff),
        "answer_feedback_questions": uow.privacy.purge_feedback_text(cutoff),
        "processed_events": uow.privacy.purge_processed_events(cutoff),
    }


def run(db: Database, now: dt.datetime, max_age_days: int, *, period: dt.timedelta | None = None) -> PurgeReport:
    """Purge now. With ``period`` (the scheduler's interval), only when no process purged within it."""
    cutoff = now - dt.timedelta(days=max_age_days)
    with db.unit_of_work() as uow:
        claimed = uow.privacy.claim_run(JOB, now, period if period is not None else dt.timedelta(0))
        if period is not None and not claimed:
            return PurgeReport(False, now, cutoff, {})
        purged = purge(uow, now, max_age_days)
        uow.privacy.record_run(JOB, now, sum(purged.values()), {"purged": purged, "max_age_days": max_age_days,
                                                                "cutoff": cutoff.isoformat()})
        uow.audit.record(action="privacy.retention.purged", actor_kind="system", object_type="retention", object_id=JOB,
                         at=now, detail={"purged": purged, "max_age_days": max_age_days})
    return PurgeReport(True, now, cutoff, purged)


def last_run(uow: UnitOfWork) -> dict[str, Any] | None:
    record = uow.privacy.run_record(JOB)
    if record is None or record.last_run_at is None:
        return None
    at = record.last_run_at if record.last_run_at.tzinfo else record.last_run_at.replace(tzinfo=dt.timezone.utc)
    return {"at": at, "rows_purged": record.rows_purged, "detail": dict(record.detail or {})}

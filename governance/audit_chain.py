"""Sealing the audit trail into its hash chain, and verifying it (docs/audit.md).

``seal`` runs off the hot path (on a schedule in `serve`, and at the start of every ``verify``): one sealer at a
time across processes, through the ``audit-sealer`` lease (``storage.leases``); a second caller finds it held and
seals nothing. Rows are sealed lowest id first; a row that shows up unsealed later (a PostgreSQL transaction that
committed after rows with higher ids were sealed) simply gets a later seq.

``verify`` walks the chain in seq order and recomputes every hash (a changed, removed or reordered sealed row
breaks it at that row), checks each unredacted row's detail against its keyed digest, and each redacted row's
erasure job (it must exist and be done). It names the first problem it finds and counts the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage import Database
from storage.audit_chain import GENESIS, row_hash
from storage.audit_keys import AuditKeys

LEASE = "audit-sealer"
LEASE_SECONDS = 300
BATCH = 2000


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object())}"


def _keys(db: Database) -> AuditKeys:
    if db.audit_keys is None:
        raise RuntimeError("the database was opened without the audit keys (app.build hands them in)")
    return db.audit_keys


def seal(db: Database, now: Callable[[], dt.datetime], *, holder: str | None = None, batch: int = BATCH,
         limit: int | None = None) -> int | None:
    """Seal every unsealed row (or up to ``limit``); how many were sealed, or None when another sealer holds the
    lease. Each batch is its own transaction and renews the lease first."""
    keys = _keys(db)
    me = holder or holder_name()
    sealed = 0
    try:
        while limit is None or sealed < limit:
            with db.unit_of_work() as uow:
                moment = now()
                if not uow.leases.take(LEASE, me, now=moment, until=moment + dt.timedelta(seconds=LEASE_SECONDS)):
                    return None if sealed == 0 else sealed
                step = batch if limit is None else min(batch, limit - sealed)
                done = uow.audit_chain.seal_batch(keys, step, moment)
            sealed += done
            if done < step:
                break
    finally:
        with db.unit_of_work() as uow:
            uow.leases.release(LEASE, me)
    return sealed


@dataclass
class ChainReport:
    sealed: int = 0
    unsealed: int = 0
    redacted: int = 0
    checked: int = 0
    newly_sealed: int | None = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> dict[str, Any] | None:
        return self.problems[0] if self.problems else None

    def as_data(self) -> dict[str, Any]:
        return {"ok": self.ok, "sealed": self.sealed, "unsealed": self.unsealed, "redacted": self.redacted,
                "newly_sealed": self.newly_sealed, "problems": len(self.problems), "first_problem": self.first_problem}

    def lines(self) -> list[str]:
        head = "Audit trail verifies." if self.ok else "Audit trail does NOT verify."
        lines = [head, f"  sealed rows: {self.sealed:,}", f"  unsealed rows: {self.unsealed:,}",
                 f"  redacted by an erasure: {self.redacted:,}"]
        if self.newly_sealed is None:
            lines.append("  (another process was sealing; rows it had not sealed yet are counted as unsealed)")
        if self.problems:
            first = self.problems[0]
            lines.append(f"  first problem: {first['problem']} (seq {first.get('seq')}, row id {first.get('id')})")
            if len(self.problems) > 1:
                lines.append(f"  {len(self.problems) - 1:,} more problem(s) after it")
        return lines


def _problem(report: ChainReport, problem: str, seq: int | None, row_id: int | None) -> None:
    report.problems.append({"problem": problem, "seq": seq, "id": row_id})


def verify(db: Database, now: Callable[[], dt.datetime], *, seal_first: bool = True) -> ChainReport:
    keys = _keys(db)
    report = ChainReport()
    if seal_first:
        report.newly_sealed = seal(db, now)
    with db.read_only() as uow:
        chain = uow.audit_chain
        expected, previous = 1, GENESIS
        pending: list[Any] = []
        jobs: dict[int, list[Any]] = {}

        def check_details() -> None:
            details = chain.details([r.id for r in pending])
            for r in pending:
                if keys.digest(details.get(r.id) or {}) != r.fields["detail_digest"]:
                    _problem(report, "its detail does not match its digest (edited after it was written)", r.seq, r.id)
            pending.clear()

        for row in chain.sealed():
            report.checked += 1
            if row.seq != expected:
                gap = f"seq {expected}" + (f" to {row.seq - 1}" if row.seq - 1 > expected else "")
                _problem(report, f"{gap} missing, before row id {row.id} (rows removed)", expected, None)
            elif row_hash(previous, **row.fields) != row.row_hash:
                _problem(report, "its hash does not match (a field changed, or rows were reordered)", row.seq, row.id)
            if row.redacted_by_job is not None:
                jobs.setdefault(row.redacted_by_job, []).append(row)
            else:
                pending.append(row)
                if len(pending) >= BATCH:
                    check_details()
            expected, previous = row.seq + 1, row.row_hash or GENESIS
        check_details()
        statuses = chain.job_statuses(set(jobs))
        for job_id, rows in sorted(jobs.items()):
            if statuses.get(job_id) != "done":
                what = "does not exist" if job_id not in statuses else f"is {statuses[job_id]}, not done"
                _problem(report, f"redacted by erasure job {job_id}, which {what}", rows[0].seq, rows[0].id)
        # The recorded head first, the rows' head after: a seal committing in between only moves the rows' head on.
        recorded = chain.recorded_head()
        last_seq = chain.head()[0]
        if recorded is not None and recorded[0] > last_seq:
            _problem(report, f"the chain ends at seq {last_seq} but was sealed up to seq {recorded[0]} (rows removed "
                             "from its end)", last_seq + 1, None)
        report.sealed, report.unsealed, report.redacted = chain.counts()
    report.problems.sort(key=lambda p: (p["seq"] is None, p["seq"] or 0))
    return report

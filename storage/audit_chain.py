"""Repository: the audit trail's hash chain — sealing unsealed rows into it, and reading it back to verify.

A sealed row has ``chain_seq`` (1, 2, 3 … in the order rows were sealed, unique) and ``row_hash`` =
SHA-256(previous row's hash ‖ this row's canonical fields). The canonical fields are the ones an erasure leaves
alone: id, at, actor_kind, action, object_type, object_id, subject_ref, actor_ref, detail_digest. The person's raw
ids and the encrypted detail are not in the hash, so the erasure (which empties the ids and scrubs the detail)
keeps the chain valid; the detail is tied to the chain through its keyed digest instead.

The chain's head (last seq and hash) is also kept in ``maintenance_runs`` under ``audit-chain``, so removing rows
from the end of the chain is noticed too (and the next seal continues after it, leaving the gap). Which process may seal is decided by the caller (a lease,
``storage.leases``); the unique ``chain_seq`` makes a second writer's transaction fail rather than fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from storage.audit_keys import AuditKeys
from storage.models import AuditEvent, ErasureJob, MaintenanceRun
from storage.repository import Repository

HEAD = "audit-chain"
GENESIS = ""


def _instant(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def row_hash(previous: str, *, id: int, at: dt.datetime, actor_kind: str | None, action: str, object_type: str | None,
             object_id: str | None, subject_ref: str | None, actor_ref: str | None, detail_digest: str | None) -> str:
    fields = [id, _instant(at), actor_kind, action, object_type, object_id, subject_ref, actor_ref, detail_digest]
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


HASHED = (AuditEvent.id, AuditEvent.at, AuditEvent.actor_kind, AuditEvent.action, AuditEvent.object_type,
          AuditEvent.object_id, AuditEvent.subject_ref, AuditEvent.actor_ref, AuditEvent.detail_digest)


@dataclass(frozen=True)
class SealedRow:
    seq: int
    id: int
    fields: dict[str, Any]
    row_hash: str | None
    redacted_by_job: int | None


class AuditChain(Repository):
    def head(self) -> tuple[int, str]:
        """(last seq, its hash) as the rows say: (0, GENESIS) before the first seal."""
        row = self._session.execute(select(AuditEvent.chain_seq, AuditEvent.row_hash).where(AuditEvent.chain_seq.is_not(None))
                                    .order_by(AuditEvent.chain_seq.desc()).limit(1)).first()
        return (0, GENESIS) if row is None else (row[0], row[1] or GENESIS)

    def recorded_head(self) -> tuple[int, str] | None:
        """(seq, hash) the last seal wrote down, or None if nothing was ever sealed."""
        run = self._session.get(MaintenanceRun, HEAD)
        if run is None or not run.detail:
            return None
        return int(run.detail.get("seq", 0)), str(run.detail.get("hash", ""))

    def seal_batch(self, keys: AuditKeys, limit: int, now: dt.datetime) -> int:
        """Seal up to ``limit`` unsealed rows (lowest id first) after the current head; how many were sealed.

        Rows without refs or digest (written before 0010, or by a database opened without the keys) get them here,
        from their ids and detail as they are now."""
        # After the recorded head, not the last row's: rows removed from the end leave a gap the next seal keeps.
        seq, previous = max(self.head(), self.recorded_head() or (0, GENESIS))
        rows = self._session.execute(
            select(*HASHED, AuditEvent.subject_id, AuditEvent.actor_id).where(AuditEvent.chain_seq.is_(None))
            .order_by(AuditEvent.id).limit(limit)).all()
        if not rows:
            return 0
        missing = [r.id for r in rows if r.detail_digest is None]
        details = dict(self._session.execute(select(AuditEvent.id, AuditEvent.detail).where(AuditEvent.id.in_(missing)))
                       .all()) if missing else {}
        changes = []
        for r in rows:
            fields = {c.key: getattr(r, c.key) for c in HASHED}
            fields["subject_ref"] = fields["subject_ref"] or keys.ref(r.subject_id)
            fields["actor_ref"] = fields["actor_ref"] or keys.ref(r.actor_id)
            if fields["detail_digest"] is None:
                fields["detail_digest"] = keys.digest(details.get(r.id) or {})
            seq += 1
            previous = row_hash(previous, **fields)
            changes.append({"id": r.id, "chain_seq": seq, "row_hash": previous, "subject_ref": fields["subject_ref"],
                            "actor_ref": fields["actor_ref"], "detail_digest": fields["detail_digest"]})
        self._session.execute(update(AuditEvent), changes)  # executemany by primary key
        self._write_head(seq, previous, now)
        return len(changes)

    def _write_head(self, seq: int, digest: str, now: dt.datetime) -> None:
        run = self._session.get(MaintenanceRun, HEAD)
        if run is None:
            self._session.add(MaintenanceRun(name=HEAD, last_run_at=now, rows_purged=0, detail={"seq": seq, "hash": digest}))
        else:
            run.last_run_at, run.detail = now, {"seq": seq, "hash": digest}
        self._session.flush()

    def counts(self) -> tuple[int, int, int]:
        """(sealed, unsealed, redacted) rows."""
        sealed, total, redacted = self._session.execute(select(
            func.count(AuditEvent.chain_seq), func.count(AuditEvent.id), func.count(AuditEvent.redacted_by_job))).one()
        return sealed, total - sealed, redacted

    def sealed(self, batch: int = 2000) -> Iterator[SealedRow]:
        """Every sealed row in seq order (hashed fields only: the detail is read apart, for rows that need it)."""
        after = 0
        while True:
            rows = self._session.execute(
                select(AuditEvent.chain_seq, *HASHED, AuditEvent.row_hash, AuditEvent.redacted_by_job)
                .where(AuditEvent.chain_seq > after).order_by(AuditEvent.chain_seq).limit(batch)).all()
            if not rows:
                return
            for r in rows:
                yield SealedRow(r.chain_seq, r.id, {c.key: getattr(r, c.key) for c in HASHED}, r.row_hash, r.redacted_by_job)
            after = rows[-1].chain_seq

    def details(self, ids: list[int]) -> dict[int, Any]:
        """The decrypted detail of these rows."""
        if not ids:
            return {}
        return dict(self._session.execute(select(AuditEvent.id, AuditEvent.detail).where(AuditEvent.id.in_(ids))).all())

    def job_statuses(self, job_ids: set[int]) -> dict[int, str]:
        if not job_ids:
            return {}
        return dict(self._session.execute(select(ErasureJob.id, ErasureJob.status).where(ErasureJob.id.in_(job_ids))).all())

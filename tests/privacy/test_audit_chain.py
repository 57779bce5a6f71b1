"""The audit trail's hash chain: sealed off the hot path, verified end to end; tampering through raw SQL or the
ORM is found and named; two sealers make one chain; a row that commits late is sealed later and verifies."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from app import parser
from governance import audit_chain
from privacy_helpers import MAYA, PRIYA, prepare, say
from storage.audit_keys import AuditKeys, pseudonym
from storage.models import AuditEvent, ErasureJob

KEY = b"k" * 32
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def now() -> dt.datetime:
    return T0


@pytest.fixture
def db(database):
    database.audit_keys = AuditKeys(KEY)  # what app.build hands every database
    return database


def _write(db, n: int, start: int = 0) -> None:
    """n entries: half one by one, half through the bulk insert the agent uses."""
    with db.unit_of_work() as uow:
        for i in range(start, start + n // 2):
            uow.audit.record(action="test.single", object_type="thing", object_id=str(i), actor_kind="system",
                             detail={"reason": f"entry {i}", "n": i, "nested": {"ü": [1, 2.5, None]}},
                             at=T0 + dt.timedelta(seconds=i))
        uow.audit.record_many([{"action": "test.bulk", "object_type": "thing", "object_id": str(i), "actor_kind": "agent",
                                "detail": {"reason": f"bulk {i}"}, "at": T0 + dt.timedelta(seconds=i)}
                               for i in range(start + n // 2, start + n)])


def _rows(db) -> list[tuple[int, int]]:
    """(id, seq) of every row, in seq order."""
    with db.session() as s:
        return [tuple(r) for r in s.execute(select(AuditEvent.id, AuditEvent.chain_seq).order_by(AuditEvent.chain_seq))]


def test_inserts_carry_their_digests_and_the_chain_verifies_after_sealing(db):
    _write(db, 20)
    with db.session() as s:
        rows = s.scalars(select(AuditEvent)).all()
        assert len(rows) == 20 and all(r.detail_digest and r.chain_seq is None for r in rows)
        assert all(r.detail_digest == AuditKeys(KEY).digest(r.detail) for r in rows)  # digest made before encryption
    report = audit_chain.verify(db, now)
    assert report.ok, report.problems
    assert (report.sealed, report.unsealed, report.redacted, report.newly_sealed) == (20, 0, 0, 20)
    assert [seq for _, seq in _rows(db)] == list(range(1, 21))
    _write(db, 6, start=100)  # more activity: appended after the head
    again = audit_chain.verify(db, now)
    assert again.ok and again.sealed == 26 and again.newly_sealed == 6


def test_refs_are_the_erasure_pseudonym_from_insert_on(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    assert say(ladder, MAYA, "delete my data").data["status"] == "requested"  # audited: by her, about her
    with ladder.db.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.actor_id.is_not(None))).all()
        assert rows
        key = ladder.settings.pseudonym_key()
        assert all(r.actor_ref == pseudonym(key, r.actor_id) and r.detail_digest for r in rows)
        with_subject = s.scalars(select(AuditEvent).where(AuditEvent.subject_id.is_not(None))).all()
        assert with_subject and all(r.subject_ref == pseudonym(key, r.subject_id) for r in with_subject)
    assert audit_chain.verify(ladder.db, ladder.now).ok


def test_rows_written_without_keys_are_stamped_when_sealed(db):
    keys, db.audit_keys = db.audit_keys, None  # a database opened without the keys (or rows from before 0010)
    _write(db, 4)
    db.audit_keys = keys
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.detail_digest.is_(None))) == 4
    report = audit_chain.verify(db, now)
    assert report.ok and report.sealed == 4
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.detail_digest.is_(None))) == 0


def _tamper_action(db, rows):
    row_id, seq = rows[4]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'test.innocent' WHERE id = :id"), {"id": row_id})
    return seq, row_id, "hash"


def _tamper_delete(db, rows):
    row_id, seq = rows[4]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": row_id})
    return seq, None, f"seq {seq} missing, before row id {rows[5][0]}"


def _tamper_delete_last(db, rows):
    row_id, seq = rows[-1]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": row_id})
    return seq, None, "rows removed from its end"


def _tamper_detail(db, rows):
    row_id, seq = rows[4]
    with db.session() as s, s.begin():  # re-encrypted through the ORM, digest left as it was
        s.get(AuditEvent, row_id).detail = {"reason": "nothing to see here"}
    return seq, row_id, "detail does not match"


def _tamper_swap(db, rows):
    (a, seq_a), (b, seq_b) = rows[3], rows[6]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET chain_seq = -1 WHERE id = :id"), {"id": a})
        conn.execute(text("UPDATE audit_events SET chain_seq = :s WHERE id = :id"), {"s": seq_a, "id": b})
        conn.execute(text("UPDATE audit_events SET chain_seq = :s WHERE id = :id"), {"s": seq_b, "id": a})
    return seq_a, b, "hash"


def _tamper_fake_redaction(db, rows):
    row_id, seq = rows[4]
    with db.session() as s, s.begin():
        event = s.get(AuditEvent, row_id)
        event.detail, event.redacted_by_job = {"reason": "rewritten"}, 999  # claims an erasure that never happened
    return seq, row_id, "erasure job 999, which does not exist"


@pytest.mark.parametrize("tamper", [_tamper_action, _tamper_delete, _tamper_delete_last, _tamper_detail, _tamper_swap,
                                    _tamper_fake_redaction], ids=lambda f: f.__name__[8:])
def test_tampering_is_found_and_the_row_is_named(db, tamper):
    _write(db, 12)
    assert audit_chain.verify(db, now).ok
    seq, row_id, words = tamper(db, _rows(db))
    report = audit_chain.verify(db, now)
    assert not report.ok
    first = report.first_problem
    assert (first["seq"], first["id"]) == (seq, row_id) and words in first["problem"], report.problems
    # Only the tampered row — the rest of the chain still checks; a moved row also breaks the link of the row after it.
    assert len(report.problems) == (4 if tamper is _tamper_swap else 1), report.problems


def test_rows_removed_from_the_end_stay_missing_after_the_next_seal(db):
    _write(db, 6)
    assert audit_chain.verify(db, now).ok
    row_id, seq = _rows(db)[-1]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": row_id})
    _write(db, 2, start=50)  # new entries are sealed after the recorded head, not into the removed row's place
    report = audit_chain.verify(db, now)
    assert not report.ok and report.first_problem["seq"] == seq and "missing" in report.first_problem["problem"]


def test_two_sealers_at_once_make_one_chain(db):
    _write(db, 300)
    results: list[int | None] = []
    barrier = threading.Barrier(2)

    def sealer(name: str) -> None:
        barrier.wait()
        results.append(audit_chain.seal(db, now, holder=name, batch=7))

    threads = [threading.Thread(target=sealer, args=(f"sealer-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(r or 0 for r in results) == 300, results
    assert [seq for _, seq in _rows(db)] == list(range(1, 301))
    report = audit_chain.verify(db, now)
    assert report.ok and report.sealed == 300 and report.newly_sealed == 0


def test_a_row_that_commits_late_with_a_lower_id_is_sealed_later_and_verifies(db):
    _write(db, 4)
    if db.dialect == "postgresql":
        late = db.session()  # a transaction that takes its id now and commits after others were sealed
        late.begin()
        event = AuditEvent(action="test.late", actor_kind="system", at=T0, detail={"reason": "late"},
                           detail_digest=AuditKeys(KEY).digest({"reason": "late"}))
        late.add(event)
        late.flush()
        late_id = event.id
        _write(db, 2, start=10)
        assert audit_chain.seal(db, now) == 6
        late.commit()
        late.close()
    else:  # SQLite has one writer at a time: the same shape, with the lower id given explicitly
        with db.unit_of_work() as uow:
            uow.audit.record(action="test.high", actor_kind="system", at=T0)
            uow.flush()
        with db.session() as s, s.begin():
            top = s.scalar(select(func.max(AuditEvent.id)))
            s.execute(text("UPDATE audit_events SET id = :new WHERE id = :old"), {"new": top + 10, "old": top})
        assert audit_chain.seal(db, now) == 5
        with db.unit_of_work() as uow:
            late_id = top + 5
            uow.add(AuditEvent(id=late_id, action="test.late", actor_kind="system", at=T0, detail={"reason": "late"},
                               detail_digest=AuditKeys(KEY).digest({"reason": "late"})))
    report = audit_chain.verify(db, now)
    assert report.ok and report.unsealed == 0, report.problems
    rows = _rows(db)
    assert rows[-1][0] == late_id and late_id < max(i for i, _ in rows)  # the lowest-but-one id, sealed last


def test_verify_from_the_command_line_and_in_chat(fresh_demo, capsys):
    ladder = fresh_demo
    prepare(ladder)
    assert say(ladder, MAYA, "delete my data").data["status"] == "requested"  # some audited activity
    args = parser().parse_args(["audit", "verify", "--json"])
    assert args.func(args, ladder) == 0
    out = capsys.readouterr().out
    assert '"ok": true' in out and '"sealed": 0' not in out
    assert parser().parse_args(["audit", "bias"]).audit_command == "bias"  # the bias audit is still there

    shown = say(ladder, PRIYA, "/ladder audit verify")
    assert shown.data["intent"] == "audit_verify" and shown.data["status"] == "ok", shown.text
    assert "Audit trail verifies." in shown.text
    refused = say(ladder, MAYA, "/ladder audit verify")
    assert refused.data.get("status") == "forbidden" and refused.data.get("intent") == "admin_denied", refused.text

    with ladder.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'test.innocent' WHERE chain_seq = 1"))
    args = parser().parse_args(["audit", "verify"])
    assert args.func(args, ladder) == 1
    assert "does NOT verify" in capsys.readouterr().out
    broken = say(ladder, PRIYA, "/ladder audit verify")
    assert broken.data["status"] == "broken" and broken.data["first_problem"]["seq"] == 1


def test_an_unfinished_erasure_does_not_vouch_for_the_rows_it_changed(db):
    _write(db, 3)
    assert audit_chain.verify(db, now).ok
    with db.session() as s, s.begin():
        job = ErasureJob(person_id=None, pseudonym="erased-x", status="running", steps={}, created_at=T0, updated_at=T0)
        s.add(job)
        s.flush()
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        event.detail, event.redacted_by_job = {"reason": "[erased]"}, job.id
    report = audit_chain.verify(db, now)
    assert not report.ok and "is running, not done" in report.first_problem["problem"]
    with db.session() as s, s.begin():
        s.get(ErasureJob, job.id).status = "done"
    done = audit_chain.verify(db, now)
    assert done.ok and done.redacted == 1


def test_the_agents_bulk_entries_carry_refs_and_digests_and_seal(fresh_demo):
    from handlers.seed_demo import prime_agent

    ladder = fresh_demo
    prepare(ladder)
    assert prime_agent(ladder).as_data()
    key = ladder.settings.pseudonym_key()
    with ladder.db.session() as s:
        created = s.scalars(select(AuditEvent).where(AuditEvent.action == "proposal.created")).all()
        assert created and all(e.chain_seq is None for e in created)  # written unsealed
        assert all(e.detail_digest == AuditKeys(key).digest(e.detail) for e in created)
        assert all(e.subject_ref == pseudonym(key, e.subject_id) for e in created if e.subject_id is not None)
    report = audit_chain.verify(ladder.db, ladder.now)
    assert report.ok and report.sealed >= len(created) and report.unsealed == 0


def test_serve_seals_on_its_schedule(fresh_demo):
    import asyncio

    from aiohttp import web

    from bot.server import build_app

    ladder = fresh_demo
    prepare(ladder)
    ladder.settings.agent_interval_seconds = 0
    ladder.settings.retention_interval_seconds = 0
    ladder.settings.audit_seal_interval_seconds = 1
    assert say(ladder, MAYA, "delete my data").data["status"] == "requested"

    def unsealed() -> int:
        with ladder.db.session() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain_seq.is_(None)))

    assert unsealed() > 0

    async def scenario() -> bool:
        runner = web.AppRunner(build_app(ladder, channels=()))
        await runner.setup()
        try:
            for _ in range(100):
                await asyncio.sleep(0.1)
                if unsealed() == 0:
                    return True
            return False
        finally:
            await runner.cleanup()

    assert asyncio.run(scenario())
    assert audit_chain.verify(ladder.db, ladder.now, seal_first=False).ok

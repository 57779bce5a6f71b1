"""Key rotation: every encrypted column re-encrypted under the newest key, in batches, resumable.

Each batch is one transaction that rewrites the rows needing it (under another key, or plaintext from before
encryption) and records, in ``key_rotations``, the last primary key it reached. A run stopped anywhere (Ctrl-C, a
crash, a deploy) loses at most the batch it was in; the next run continues after the last batch committed. A row
is rewritten only if it still holds what the batch read, so a value the running application changes meanwhile (it
writes under the newest key already) is never overwritten with an older one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Column, Table, Text, and_, bindparam, func, select, type_coerce, update

from storage.db import Database
from storage.encryption import STORED_PREFIX_LENGTH, VERSION_TAG, Cipher, cipher_of
from storage.models import ENCRYPTED_COLUMNS, Base, KeyRotation

PLAINTEXT = "plaintext"  # how `keys status` names values written before encryption


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class ColumnRotation:
    table: str
    column: str
    target_key_id: str
    rows_seen: int = 0
    rows_changed: int = 0
    resumed_after: str | None = None
    already_done: bool = False
    finished: bool = False

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class RotationReport:
    target_key_id: str
    columns: list[ColumnRotation] = field(default_factory=list)

    @property
    def already_done(self) -> bool:
        return all(c.already_done for c in self.columns)

    @property
    def rows_changed(self) -> int:
        return sum(c.rows_changed for c in self.columns)

    @property
    def rows_seen(self) -> int:
        return sum(c.rows_seen for c in self.columns)


def _parts(table_name: str, column_name: str) -> tuple[Table, Column, Column]:
    table = Base.metadata.tables[table_name]
    (pk,) = table.primary_key.columns  # every encrypted table has a one-column primary key
    return table, pk, table.c[column_name]


def rotate(db: Database, *, batch: int = 500, restart: bool = False,
           on_batch: Callable[[ColumnRotation], None] | None = None) -> RotationReport:
    """Re-encrypt every encrypted column under the database cipher's newest key.

    ``on_batch`` is called after each committed batch (progress lines; a test stops a run there). ``restart``
    forgets earlier progress towards the same key and reads every row again.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    cipher = cipher_of(db.engine.dialect)
    report = RotationReport(cipher.newest_key_id)
    for table_name, column_name in ENCRYPTED_COLUMNS:
        progress = _start(db, table_name, column_name, cipher.newest_key_id, restart)
        report.columns.append(progress)
        if progress.already_done:
            continue
        last = progress.resumed_after
        while True:
            last, done = _one_batch(db, cipher, progress, last, batch)
            if on_batch is not None:
                on_batch(progress)
            if done:
                break
    return report


def _start(db: Database, table_name: str, column_name: str, target: str, restart: bool) -> ColumnRotation:
    progress = ColumnRotation(table_name, column_name, target)
    with db.session() as session, session.begin():
        row = session.get(KeyRotation, (table_name, column_name))
        if row is not None and row.target_key_id == target and not restart:
            progress.rows_seen, progress.rows_changed = row.rows_seen, row.rows_changed
            if row.finished_at is not None:
                progress.already_done = progress.finished = True
            else:
                progress.resumed_after = row.last_key
            return progress
        if row is None:
            row = KeyRotation(table_name=table_name, column_name=column_name)
            session.add(row)
        row.target_key_id, row.last_key, row.rows_seen, row.rows_changed = target, None, 0, 0
        row.started_at = row.updated_at = _now()
        row.finished_at = None
    return progress


def _one_batch(db: Database, cipher: Cipher, progress: ColumnRotation, last: str | None,
               batch: int) -> tuple[str | None, bool]:
    table, pk, column = _parts(progress.table, progress.column)
    raw = type_coerce(column, Text())  # the stored text, not decrypted
    query = select(pk, raw).where(column.is_not(None)).order_by(pk).limit(batch)
    if last is not None:
        query = query.where(pk > pk.type.python_type(last))
    with db.engine.begin() as conn:
        rows = conn.execute(query).all()
        changes = [{"b_pk": key, "b_old": stored, "b_new": cipher.rotate(stored)}
                   for key, stored in rows if cipher.needs_rotation(stored)]
        if changes:
            conn.execute(
                update(table)
                .where(and_(pk == bindparam("b_pk"), raw == bindparam("b_old", type_=Text())))
                .values({column.name: bindparam("b_new", type_=Text())}),
                changes,
            )
        done = len(rows) < batch
        new_last = str(rows[-1][0]) if rows else last
        progress.rows_seen += len(rows)
        progress.rows_changed += len(changes)
        progress.finished = done
        progress_table = KeyRotation.__table__
        conn.execute(
            update(progress_table)
            .where(progress_table.c.table_name == progress.table, progress_table.c.column_name == progress.column)
            .values(last_key=new_last, rows_seen=progress.rows_seen, rows_changed=progress.rows_changed,
                    updated_at=_now(), finished_at=_now() if done else None)
        )
    return new_last, done


@dataclass(frozen=True)
class ColumnKeys:
    """How many of one column's values are stored under each key id (or as legacy plaintext)."""

    table: str
    column: str
    counts: dict[str, int]

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


def key_usage(db: Database) -> list[ColumnKeys]:
    """Rows per key id for every encrypted column, counted in SQL from the stored prefix (nothing is decrypted)."""
    usage = []
    with db.engine.connect() as conn:
        for table_name, column_name in ENCRYPTED_COLUMNS:
            _table, _pk, column = _parts(table_name, column_name)
            prefix = func.substr(type_coerce(column, Text()), 1, STORED_PREFIX_LENGTH)
            counts: Counter[str] = Counter()
            for stored_prefix, n in conn.execute(
                    select(prefix, func.count()).where(column.is_not(None)).group_by(prefix)):
                kid = stored_prefix[len(VERSION_TAG):-1] if (stored_prefix.startswith(VERSION_TAG)
                                                             and stored_prefix.endswith(":")) else PLAINTEXT
                counts[kid] += n
            usage.append(ColumnKeys(table_name, column_name, dict(counts)))
    return usage

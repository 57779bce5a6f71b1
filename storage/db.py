"""Engines, sessions, the unit of work and schema migration.

SQLite is the embedded default, PostgreSQL the scale-out database; callers never care which.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from storage.audit_keys import AuditKeys
from storage.encryption import Cipher, attach
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            # WAL lets the chat process read while the agent or an import writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Owns the engine and hands out units of work.

    ``cipher`` is the key ring of the encrypted columns (storage/encryption.py); it is attached to this database's
    own engine. Without one, the database works but refuses to read or write an encrypted column.
    ``audit_keys`` (storage/audit_keys.py) go to every unit of work: audit inserts are stamped with them. Without
    them entries are written unstamped and the sealer stamps them (docs/audit.md).
    """

    def __init__(self, url: str, *, cipher: Cipher | None = None, echo: bool = False,
                 audit_keys: AuditKeys | None = None) -> None:
        self.url = url
        self.cipher = cipher
        self.audit_keys = audit_keys
        self.engine = make_engine(url, echo=echo)
        attach(self.engine, cipher)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield UnitOfWork(session, self.audit_keys)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def read_only(self) -> Iterator[UnitOfWork]:
        """One transaction that cannot write: the database refuses any change made inside it.

        PostgreSQL gets ``SET TRANSACTION READ ONLY``; SQLite gets ``PRAGMA query_only`` on the connection for
        the length of the block. Nothing is committed: the transaction is rolled back when the block ends.
        """
        session = self._sessions()
        sqlite = self.dialect == "sqlite"
        read_only_connection = None
        try:
            session.execute(text("PRAGMA query_only = ON" if sqlite else "SET TRANSACTION READ ONLY"))
            if sqlite:
                read_only_connection = session.connection().connection.dbapi_connection
            yield UnitOfWork(session, self.audit_keys)
        finally:
            try:
                if read_only_connection is not None:
                    # The pragma belongs to the connection, not the transaction: switch it off on that very
                    # connection before the rollback hands it back to the pool (even after a failed flush).
                    read_only_connection.execute("PRAGMA query_only = OFF")
                session.rollback()
            finally:
                session.close()

    def session(self) -> Session:
        return self._sessions()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            log.warning("database not reachable", exc_info=True)
            return False

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (a no-op when it is there already)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection_engine"] = self.engine
        command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()

"""What the approvals (and the agent) work with, handed over by the composition root — never the whole app."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from approvals.executor import Executor, LadderExecutor
from approvals.locks import ProcessLocks
from conversation import Notifier
from storage import Database, UnitOfWork


class ApprovalSettings(Protocol):
    """The settings values approvals read (the application's ``Settings`` has them; read at use, so a change applies)."""

    approval_expiry_days: int
    approval_escalate_to: str  # manager | hr | none: who gets a proposal nobody decided in time
    approval_escalation_days: int
    execution_max_attempts: int
    execution_backoff_seconds: float


@dataclass(frozen=True)
class ApprovalsDeps:
    db: Database
    now: Callable[[], dt.datetime]
    notifier: Notifier
    settings: ApprovalSettings
    executor: Executor = field(default_factory=LadderExecutor)
    locks: ProcessLocks = field(default_factory=ProcessLocks)
    sleep: Callable[[float], None] = time.sleep  # between execution retries

    @contextlib.contextmanager
    def writing(self) -> Iterator[UnitOfWork]:
        """A unit of work for a write that must not lose its place: committed at the end of the block.

        SQLite allows one writer: this process's writers queue on a fair lock instead of SQLite's busy-wait
        (which sleeps in growing steps and turns a short queue into long tail latency). The lock is taken
        after the connection is checked out and released after the commit. PostgreSQL: no lock; row locks
        and the version check do the work there.
        """
        lock = None
        try:
            with self.db.unit_of_work() as uow:
                key = uow.proposals.single_writer_key()
                if key is not None:
                    lock = self.locks.named(key)
                    lock.__enter__()
                yield uow
        finally:
            if lock is not None:
                lock.__exit__(None, None, None)

"""One agent pass at a time across processes: a lease row in the database (``storage.leases``).

Two processes (a cron ``python app.py agent run`` and ``serve``'s scheduler, or two replicas) may start a
pass together; the one that takes the lease runs, the other skips and says who holds it. The lease lasts
``agent_lease_seconds`` and is renewed between the pass's stages, so a holder that crashed blocks others for
at most that long. Inside one process the threads also queue on a process lock (``approvals.locks``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from approvals.deps import ApprovalsDeps

PASS_LEASE = "agent pass"


@dataclass
class Lease:
    deps: ApprovalsDeps
    holder: str
    seconds: int

    def renew(self) -> bool:
        """Extend the lease from now; False if it expired and another process took it meanwhile."""
        return _take(self.deps, self.holder, self.seconds)


@dataclass
class Held:
    """The lease was taken: who holds it and until when (for the report of the pass that skipped)."""

    holder: str
    until: dt.datetime | None


def holder_id() -> str:
    """Names this process and this pass: host, process id, and a random part (a pid is reused after a crash)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _take(deps: ApprovalsDeps, holder: str, seconds: int) -> bool:
    now = deps.now()
    with deps.writing() as uow:
        return uow.leases.take(PASS_LEASE, holder, now=now, until=now + dt.timedelta(seconds=seconds))


@contextlib.contextmanager
def pass_lease(deps: ApprovalsDeps, seconds: int) -> Iterator[Lease | Held]:
    """Yields a ``Lease`` (this process runs the pass; released at the end) or ``Held`` (another one does)."""
    holder = holder_id()
    if not _take(deps, holder, seconds):
        with deps.db.unit_of_work() as uow:
            held = uow.leases.held(PASS_LEASE)
        yield Held(*(held or ("another pass", None)))
        return
    try:
        yield Lease(deps, holder, seconds)
    finally:
        with deps.writing() as uow:
            uow.leases.release(PASS_LEASE, holder)

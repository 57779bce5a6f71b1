"""Locks the threads of one Ladder process share: the SQLite writer queue and one agent pass at a time.

Owned by an ``ApprovalsDeps`` the composition root makes once (``Ladder.approvals``), never by a module.
"""

from __future__ import annotations

import collections
import threading


class FairLock:
    """A re-entrant FIFO lock: waiters are served in arrival order (``threading.Lock`` is not fair, and under
    the GIL an unlucky thread can lose the race many times in a row)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the releasing thread hands ownership over
        self._owner, self._depth = me, 1

    def __exit__(self, *_exc: object) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiters:
                self._owner = -1  # reserved for the next waiter until it wakes up
                self._waiters.popleft().set()


class ProcessLocks:
    """One ``FairLock`` per name (a database URL, "agent pass"), made on first use."""

    def __init__(self) -> None:
        self._locks: dict[str, FairLock] = {}
        self._mutex = threading.Lock()

    def named(self, name: str) -> FairLock:
        with self._mutex:
            lock = self._locks.get(name)
            if lock is None:
                lock = self._locks[name] = FairLock()
            return lock

"""What a built digest is: the reply to send and what it listed (kept with the record of the run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from conversation import Reply
from digests.schedule import DigestKind

MAX_CARDS = 5  # cards of one kind in a digest; the rest are counted, with the command that lists them all


@dataclass(frozen=True)
class Window:
    """The period a digest covers: from ``since`` to ``now`` (UTC)."""

    since: dt.datetime
    now: dt.datetime

    def covers(self, at: dt.datetime | None) -> bool:
        return at is not None and self.since <= at <= self.now


@dataclass
class Digest:
    kind: DigestKind
    person_id: int
    reply: Reply
    detail: dict[str, Any] = field(default_factory=dict)


def when(at: dt.datetime) -> str:
    return f"{at:%a %d %b}"

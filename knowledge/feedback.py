"""Answer feedback (helpful / not helpful) and the ranking penalty it earns a passage.

A passage that people repeatedly mark unhelpful should stop being the first thing they see, but a
single grumpy click must not bury it: the penalty starts at a net of two negative votes.

    penalty(chunk) = 1 / (1 + 0.5 * net_negative)   when net_negative >= 2, else 1
    net_negative   = unhelpful votes - helpful votes on answers that used the chunk

The fused retrieval score is multiplied by this factor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable

from storage import Database
from storage.models import AnswerFeedback

log = logging.getLogger(__name__)

PENALTY_THRESHOLD = 2
PENALTY_WEIGHT = 0.5


def penalty_factor(net_negative: int) -> float:
    if net_negative < PENALTY_THRESHOLD:
        return 1.0
    return 1.0 / (1.0 + PENALTY_WEIGHT * net_negative)


class FeedbackStore:
    """Writes feedback rows and serves per-chunk net negative counts (cached for a few seconds).

    Counts are aggregated in Python over the whole table: feedback is a few rows per answer, and
    a JSON-array "contains" query is not portable between SQLite and PostgreSQL.
    """

    def __init__(self, db: Database, cache_seconds: float = 30.0) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._net_negative: Counter[str] | None = None
        self._loaded_at = 0.0

    def record(
        self,
        answer_id: str,
        helpful: bool,
        *,
        person_id: int | None = None,
        question: str = "",
        chunk_ids: Iterable[str] = (),
    ) -> None:
        """One vote per person and answer: clicking again changes the vote instead of adding one."""
        with self.db.unit_of_work() as uow:
            existing = uow.knowledge.vote(answer_id, person_id) if person_id is not None else None
            if existing is not None:
                existing.helpful = helpful
            else:
                uow.add(AnswerFeedback(answer_id=answer_id, person_id=person_id, helpful=helpful, question=question,
                                       chunk_ids=list(chunk_ids)))
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._net_negative = None

    def net_negative(self) -> Counter[str]:
        with self._lock:
            fresh = time.monotonic() - self._loaded_at < self.cache_seconds
            if self._net_negative is not None and fresh:
                return self._net_negative
        counts: Counter[str] = Counter()
        try:
            with self.db.read_only() as uow:
                for helpful, chunk_ids in uow.knowledge.votes():
                    for chunk_id in chunk_ids:
                        counts[str(chunk_id)] += -1 if helpful else 1
        except Exception:  # noqa: BLE001 - ranking without feedback beats not answering
            log.warning("could not read answer feedback; ranking without it", exc_info=True)
            return Counter()
        with self._lock:
            self._net_negative = counts
            self._loaded_at = time.monotonic()
        return counts

    def penalty(self, chunk_id: str) -> float:
        return penalty_factor(self.net_negative().get(chunk_id, 0))

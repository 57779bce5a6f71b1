"""Per-person rate limiting of chat answers, at the router: Slack, Teams, the terminal and admins' commands alike.

A token bucket per sender holds ``chat_rate_limit_messages`` messages and refills evenly over
``chat_rate_limit_window_seconds``. A sender with an empty bucket gets one friendly sentence and nothing else
happens: no understanding, no use case, no write besides the bucket's own.

``RateLimiter`` is the small interface the router needs; ``DatabaseRateLimiter`` keeps the buckets in the database
so that two (or twenty) web processes enforce one limit. A Redis implementation can take its place later.
"""

from __future__ import annotations

from typing import Protocol

from conversation import Message, Reply
from handlers.context import Ladder

RATE_LIMITED = "You're sending messages faster than I can answer — give me a few seconds and try again."


class RateLimiter(Protocol):
    def allow(self, key: str) -> bool:
        """Take one message from ``key``'s allowance: False when it has none left right now."""
        ...


class DatabaseRateLimiter:
    """Token buckets in the ``rate_buckets`` table, each taken in a short transaction of its own."""

    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder

    def allow(self, key: str) -> bool:
        settings = self.ladder.settings
        if settings.chat_rate_limit_messages <= 0:
            return True
        capacity = float(settings.chat_rate_limit_messages)
        with self.ladder.db.unit_of_work() as uow:
            return uow.rate_buckets.take(key, self.ladder.now(), capacity=capacity,
                                         per_second=capacity / settings.chat_rate_limit_window_seconds)


def sender_key(message: Message) -> str | None:
    """One bucket per person: by work email when the channel gave one (the same person on Slack and Teams shares
    it), else by the channel's own account id. Nobody named, no bucket (they can only be told who to ask)."""
    if message.sender_email:
        return "email:" + message.sender_email.strip().lower()[:280]
    if message.sender_external_id:
        return f"{message.channel.value}:{message.sender_external_id}"[:300]
    return None


def limited(limiter: RateLimiter, message: Message) -> Reply | None:
    """The friendly reply when this message is over its sender's limit, else None."""
    key = sender_key(message)
    if key is None or limiter.allow(key):
        return None
    return Reply(text=RATE_LIMITED, ephemeral=True, data={"intent": "rate_limited"})

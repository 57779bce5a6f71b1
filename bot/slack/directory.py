"""Who is this Slack user? ``users.info`` → profile email, cached in-process (``bot.identity`` links it to the
person in the directory)."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class SlackDirectory:
    """Slack user id → work email. Failures are cached briefly so a Slack outage doesn't add a call per message."""

    def __init__(self, client: AsyncWebClient, ttl_seconds: float = 900.0, failure_ttl_seconds: float = 30.0,
                 clock=time.monotonic) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self.failure_ttl = failure_ttl_seconds
        self.clock = clock
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def email(self, user_id: str) -> str | None:
        hit = self._cache.get(user_id)
        now = self.clock()
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            response = await self.client.users_info(user=user_id)
            user = response.get("user") or {}
            email = (user.get("profile") or {}).get("email") or None
            self._cache[user_id] = (now + self.ttl, email)
            return email
        except SlackApiError as exc:
            # Identity falls back to the stored ChatIdentity (the router looks it up by Slack user id).
            log.warning("users.info failed", extra={"user": user_id, "error": str(exc.response.get("error"))})
            self._cache[user_id] = (now + self.failure_ttl, None)
            return None

    def forget(self, user_id: str) -> None:
        self._cache.pop(user_id, None)

    def forget_person(self, user_ids, email: str | None) -> int:
        """An erased person: drop their user ids, and any entry holding their email."""
        doomed = {u for u, (_, cached) in self._cache.items() if u in user_ids or (email is not None and cached == email)}
        for user_id in doomed:
            self._cache.pop(user_id, None)
        return len(doomed)

"""Proactive Slack messages (approval cards, nudges): email → Slack user → DM → message.

Synchronous on purpose: ``Ladder.notify`` is called from use cases, which run in worker threads.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from conversation import Reply
from bot.slack.blocks import render

log = logging.getLogger(__name__)


class SlackNotifier:
    def __init__(self, token: str, base_url: str, timeout: int = 10) -> None:
        self.client = WebClient(token=token, base_url=base_url, timeout=timeout)

    def notify(self, person_email: str, reply: Reply) -> bool:
        try:
            user = self.client.users_lookupByEmail(email=person_email)["user"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return False  # not in this Slack workspace: another channel may reach them
            raise
        channel = self.client.conversations_open(users=user)["channel"]["id"]
        for message in render(reply):
            self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        log.info("slack notification sent", extra={"user": user})
        return True

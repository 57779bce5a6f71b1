"""App Home: the person's home page (skills, target role, decisions waiting), published when they open the tab
and again after a click made on it."""

from __future__ import annotations

import logging

from bot.slack import blocks as bk
from bot.slack.services import SlackServices
from conversation import Reply, failure_reply
from handlers import home as home_handler
from handlers.router import NOT_IN_DIRECTORY

log = logging.getLogger(__name__)


class AppHome:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    async def publish(self, user: str) -> None:
        s = self.services
        try:
            email = await s.identify(user)
            reply = await s.in_thread(self._reply, email, user)
        except Exception:  # noqa: BLE001 - the page says what went wrong, with the error id
            reply = failure_reply(log, "app home failed")
        await s.client.views_publish(user_id=user, view=bk.home_view(reply))

    def _reply(self, email: str | None, user: str) -> Reply:
        s = self.services
        try:
            with s.ladder.db.unit_of_work() as uow:
                person = s.router.identify(uow, s.message(user, email, conversation_id=f"home:{user}"))
                if person is None:
                    return Reply(text=NOT_IN_DIRECTORY.format(contact=s.ladder.settings.hr_contact),
                                 data={"intent": "not_in_directory"})
                return home_handler.home(s.ladder, uow, person)
        except Exception:  # noqa: BLE001 - same contract as the router: a reply with an error id
            return failure_reply(log, "home handler failed")

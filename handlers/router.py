"""The router: one channel-neutral ``Message`` in, one ``Reply`` out.

Finds who is asking, recognises what they want, calls one handler inside one unit of work, and
turns any failure into a plain-language reply with an error id (the id and the traceback go to the
log, never to chat).
"""

from __future__ import annotations

import logging


from handlers.intents import Intent, IntentKind, recognise
from conversation import ActionKind, Message, Reply, failure_reply, log_failure
from handlers import admin, career_path, knowledge_answer, learning
from handlers import skills as skills_handler
from handlers import approvals as approvals_handler, challenges as challenges_handler
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

log = logging.getLogger(__name__)

GREETING = "Hi {name}! I'm Ladder. Ask me “what's my path to <role>?” — or type `help` to see what I can do."
NOT_IN_DIRECTORY = (
    "I can't find you in the directory, so I can't answer for you yet. "
    "Ask your HR team ({contact}) to add you — they'll need your work email."
)
FALLBACK = (
    "I'm not sure what you're asking. I can show your path to a role — try “what's my path to data scientist?” "
    "— or type `help`."
)


APPROVAL_CLICKS = (ActionKind.approve, ActionKind.reject, ActionKind.override, ActionKind.challenge, ActionKind.explain)
APPROVAL_INTENTS = {
    IntentKind.decide_proposal: approvals_handler.decide_text,
    IntentKind.my_approvals: lambda ladder, uow, person, _text: approvals_handler.my_approvals(ladder, uow, person),
    IntentKind.proposals_about_me: lambda ladder, uow, person, _text: approvals_handler.about_me(ladder, uow, person),
    IntentKind.explain_proposal: approvals_handler.explain_text,
    IntentKind.challenge_proposal: challenges_handler.challenge_text,
    IntentKind.resolve_challenge: challenges_handler.resolve_text,
}


class Router:
    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder

    def identify(self, uow: UnitOfWork, message: Message) -> Person | None:
        if message.sender_email:
            person = uow.people.by_email(message.sender_email)
            if person is not None:
                return person
        if message.sender_external_id:
            return uow.people.by_identity(message.channel.value, message.sender_external_id)
        return None

    def handle(self, message: Message) -> Reply:
        try:
            typed = message.action is None and message.form.get("files") is None
            intent = recognise(message.text) if typed else None  # recognised once, before choosing the transaction
            if self._reads_only(message, intent):
                return self._answer_read_only(message, intent)
            with self.ladder.db.unit_of_work() as uow:
                return self._handle(uow, message, intent)
        except Exception:  # noqa: BLE001 - every failure becomes a reply the person can act on
            return failure_reply(log, "handler failed", channel=message.channel.value)

    def _reads_only(self, message: Message, intent: Intent | None) -> bool:
        """Answers that only read (the path answer) run in a read-only transaction."""
        if message.action is not None:
            return message.action.kind in career_path.READ_ONLY_CLICKS
        return intent is not None and intent.kind in career_path.READ_ONLY_INTENTS

    def _answer_read_only(self, message: Message, intent: Intent | None) -> Reply:
        with self.ladder.db.read_only() as uow:
            reply = self._handle(uow, message, intent)
        role = reply.data.get("role") if reply.data.get("intent") == "career_path" else None
        if role:
            self._remember(message, {"last_intent": "career_path", "role_id": role["id"]})
        return reply

    def _handle(self, uow: UnitOfWork, message: Message, intent: Intent | None) -> Reply:
        person = self.identify(uow, message)
        if message.action is not None:
            if person is None:
                return self._not_in_directory()
            return self._click(uow, person, message)
        if message.form.get("files") is not None and person is not None:
            paths = [p for p in message.form["files"].split("\n") if p]
            return knowledge_answer.add_shared_files(self.ladder, uow, person, paths, message.text)
        if intent is None:  # shared files from someone not in the directory: read as what they typed
            intent = recognise(message.text)
        if intent.kind == IntentKind.admin_command:
            return admin.handle(self.ladder, uow, person, intent.argument)
        if intent.kind == IntentKind.help:
            return Reply(text=admin.HELP, data={"intent": "help"})
        if person is None:
            return self._not_in_directory()
        return self._dispatch(uow, person, message, intent)

    def _dispatch(self, uow: UnitOfWork, person: Person, message: Message, intent: Intent) -> Reply:
        if intent.kind in career_path.READ_ONLY_INTENTS:
            return career_path.career_path(self.ladder, uow, person, intent.role_text)
        if intent.kind in APPROVAL_INTENTS:
            return APPROVAL_INTENTS[intent.kind](self.ladder, uow, person, intent.argument)
        if intent.kind in skills_handler.INTENTS:
            return skills_handler.handle(self.ladder, uow, person, intent)
        if intent.kind == IntentKind.greeting:
            return Reply(text=GREETING.format(name=person.name.split()[0]), data={"intent": "greeting"})
        if intent.kind == IntentKind.whoami:
            role = person.role.label if person.role else person.job_title or "not recorded"
            target = person.target_role.label if person.target_role else "none set"
            return Reply(text=f"You are {person.name} ({person.email}). Role: {role}. Target role: {target}.",
                         data={"intent": "whoami", "email": person.email})
        if intent.kind == IntentKind.unknown and intent.argument.strip():
            # Not about skills, paths or approvals: the company's documents may know.
            return knowledge_answer.answer(self.ladder, uow, person, intent.argument)
        return Reply(text=FALLBACK, data={"intent": "unknown"})

    def _click(self, uow: UnitOfWork, person: Person, message: Message) -> Reply:
        ref = message.action
        assert ref is not None
        if ref.kind in (ActionKind.feedback_up, ActionKind.feedback_down):
            return knowledge_answer.feedback(self.ladder, uow, person, ref.target, ref.kind == ActionKind.feedback_up)
        if not ref.target.isdigit():
            return Reply(text="That button is out of date — ask me again and use the new one.", ephemeral=True)
        target = int(ref.target)
        if ref.kind in career_path.READ_ONLY_CLICKS:
            return career_path.path_click(self.ladder, uow, person, target, ref.kind)
        if ref.kind in APPROVAL_CLICKS:
            return approvals_handler.click(self.ladder, uow, person, message)
        if ref.kind == ActionKind.enrol:
            return learning.enrol(self.ladder, uow, person, target)
        if ref.kind == ActionKind.set_target:
            return learning.set_target(self.ladder, uow, person, target)
        if ref.kind == ActionKind.show_projects:
            return learning.stretch_projects(self.ladder, uow, person, target)
        if ref.kind in skills_handler.CLICKS:
            return skills_handler.click(self.ladder, uow, person, ref.kind, target)
        return Reply(text="That button isn't something I can do yet.", ephemeral=True)

    def _remember(self, message: Message, data: dict) -> None:
        """What a follow-up in this conversation refers to: a small write of its own, after a read-only answer.
        The person already has their answer; if this fails, it is logged and they keep it."""
        try:
            with self.ladder.db.unit_of_work() as uow:
                uow.conversations.remember(message.context_key, data)
        except Exception:  # noqa: BLE001 - losing follow-up context must not lose the answer
            log_failure(log, "could not remember the conversation context", channel=message.channel.value)

    def _not_in_directory(self) -> Reply:
        return Reply(text=NOT_IN_DIRECTORY.format(contact=self.ladder.settings.hr_contact), data={"intent": "not_in_directory"})

"""The router: one channel-neutral ``Message`` in, one ``Reply`` out.

Finds who is asking, understands what they want (``understanding``: the intent catalogue, the classifier, slots
and the conversation's context), calls one use case inside one unit of work, and turns any failure into a
plain-language reply with an error id (the id and the traceback go to the log, never to chat).

After every answer the conversation remembers what it was about (``handlers.follow_ups``), so that "and for
cloud engineer?", "the second one", "yes, do that" and "why?" mean something next time.
"""

from __future__ import annotations

import logging
import re

from conversation import ActionKind, Message, Reply, failure_reply, log_failure
from handlers import access, admin, career_path, follow_ups, knowledge_answer, learning, opt_outs, rate_limit, requests
from handlers import forecast as forecast_handler
from handlers import marketplace as marketplace_handler
from handlers import maturity as maturity_handler
from handlers import authoring as authoring_handler
from handlers import skill_extraction as skill_extraction_handler
from handlers import skills as skills_handler
from handlers import approvals as approvals_handler
from handlers.context import Ladder, understander
from handlers.intents import Intent, IntentKind, vocabularies
from storage import UnitOfWork
from understanding.classifier import clean
from understanding.understand import Understood
from storage.models import Person

log = logging.getLogger(__name__)

NOT_IN_DIRECTORY = (
    "I can't find you in the directory, so I can't answer for you yet. "
    "Ask your HR team ({contact}) to add you — they'll need your work email."
)

APPROVAL_CLICKS = (ActionKind.approve, ActionKind.reject, ActionKind.override, ActionKind.challenge, ActionKind.explain)


_LADDER_WORD = re.compile(r"^ladder(?:\s+(?P<arg>(?P<name>\w+).*))?$", re.IGNORECASE | re.DOTALL)


def typed_command(text: str) -> Understood | None:
    """`ladder status` typed without its slash is the command when it names one; "ladder, how do I…" is a question."""
    cleaned = clean(text)
    m = _LADDER_WORD.match(cleaned)
    if m is None or (m.group("name") and m.group("name").lower() not in admin.COMMAND_NAMES):
        return None
    return Understood("admin_command", "act", 1.0, source="command", text=cleaned, argument=(m.group("arg") or "").strip())


class Router:
    def __init__(self, ladder: Ladder, limiter: rate_limit.RateLimiter | None = None) -> None:
        self.ladder = ladder
        self.limiter = limiter or rate_limit.DatabaseRateLimiter(ladder)

    def identify(self, uow: UnitOfWork, message: Message) -> Person | None:
        if message.sender_email:
            person = uow.people.by_email(message.sender_email)
            if person is not None:
                return person
        if message.sender_external_id:
            return uow.people.by_identity(message.channel.value, message.sender_external_id)
        return None

    def handle(self, message: Message) -> Reply:
        """Every message, whatever its channel: over its sender's rate limit, one friendly sentence and nothing else."""
        try:
            over = rate_limit.limited(self.limiter, message)
        except Exception:  # noqa: BLE001 - the limiter's store failing is a failure the person hears about
            return failure_reply(log, "rate limit check failed", channel=message.channel.value)
        return over or self._route(message)

    def _route(self, message: Message) -> Reply:
        try:
            if message.action is None and message.form.get("files") is None:
                return self._typed(message)
            read_only = message.action is not None and message.action.kind in career_path.READ_ONLY_CLICKS
            with (self.ladder.db.read_only() if read_only else self.ladder.db.unit_of_work()) as uow:
                reply = self._handle(uow, message)
            self._remember(message, None, reply)
            return reply
        except Exception:  # noqa: BLE001 - every failure becomes a reply the person can act on
            return failure_reply(log, "handler failed", channel=message.channel.value)

    # ------------------------------------------------------------------ typed messages

    def _typed(self, message: Message) -> Reply:
        """Understand first (read-only, with the conversation's context), then answer in the transaction it needs."""
        with self.ladder.db.read_only() as uow:
            person = self.identify(uow, message)
            context = uow.conversations.context(message.context_key)
            understanding = understander(self.ladder)
            vocab = vocabularies(self.ladder.indexes, uow, person)
            understood = typed_command(message.text) or understanding.understand(message.text, vocab)
            resolved = follow_ups.resolve(Intent.of(understood), context,
                                          lambda name, text: understanding.find_slots(name, text, vocab))
            if isinstance(resolved, Intent) and (resolved.kind in career_path.READ_ONLY_INTENTS
                                                 or resolved.kind in requests.READS_ONLY or person is None):
                reply = self._answer(uow, message, person, resolved)
                self._remember(message, resolved, reply)
                return reply
        if isinstance(resolved, Message):  # "the second one", "yes, do that": a click on an earlier button
            return self._route(resolved.model_copy(update={
                "channel": message.channel, "conversation_id": message.conversation_id, "thread_id": message.thread_id,
                "sender_email": message.sender_email, "sender_external_id": message.sender_external_id}))
        with self.ladder.db.unit_of_work() as uow:
            person = self.identify(uow, message)
            reply = self._answer(uow, message, person, resolved)
        self._remember(message, resolved, reply)
        return reply

    def _answer(self, uow: UnitOfWork, message: Message, person: Person | None, intent: Intent) -> Reply:
        if intent.kind == IntentKind.admin_command:
            return admin.handle(self.ladder, uow, person, intent.argument)
        if intent.kind == IntentKind.help:
            return requests.help_reply(understander(self.ladder).catalogue, access.roles(uow, person) if person else None)
        if person is None:
            return self._not_in_directory()
        if intent.kind == IntentKind.unknown and intent.understood is not None and intent.understood.outcome == "clarify":
            return requests.clarify(understander(self.ladder).catalogue, intent.understood)
        return self._dispatch(uow, person, intent)

    def _dispatch(self, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
        kind = intent.kind
        catalogue = understander(self.ladder).catalogue
        refusal = requests.refusal(uow, catalogue, person, intent, self.ladder.now().date())  # the intent's capability, before anything else
        if refusal is not None:
            return refusal
        missing = requests.missing_slot(catalogue, intent)
        if missing is not None:
            return missing
        if kind in career_path.READ_ONLY_INTENTS:
            return career_path.career_path(self.ladder, uow, person, intent.role_text)
        if kind in skills_handler.INTENTS:
            return skills_handler.handle(self.ladder, uow, person, intent)
        if kind in opt_outs.INTENTS:
            return opt_outs.handle(self.ladder, uow, person, intent)
        if kind in marketplace_handler.INTENTS:
            return marketplace_handler.handle(self.ladder, uow, person, intent)
        use_case = requests.USE_CASES.get(kind)
        if use_case is not None:
            return use_case(self.ladder, uow, person, intent)
        understood = intent.understood
        if kind == IntentKind.unknown and understood is not None and understood.source in ("wordless", "other_language"):
            # Nothing the handbook search could read: say why, and what Ladder can do.
            return requests.unreadable(catalogue, access.roles(uow, person), understood)
        if kind == IntentKind.unknown and intent.text.strip():
            # Nothing in the catalogue is likely enough: the company's documents may know; if not, what Ladder can do.
            reply = knowledge_answer.answer(self.ladder, uow, person, intent.text)
            if reply.data.get("answered"):
                return reply
            return requests.not_understood(catalogue, access.roles(uow, person), reply)
        return requests.help_reply(catalogue, access.roles(uow, person))

    # ------------------------------------------------------------------ clicks and shared files

    def _handle(self, uow: UnitOfWork, message: Message) -> Reply:
        person = self.identify(uow, message)
        if person is None:
            return self._not_in_directory()
        if message.action is not None:
            return self._click(uow, person, message)
        paths = [p for p in message.form["files"].split("\n") if p]
        if authoring_handler.wants_course(message.text):  # "draft a course from this": authoring, not the handbook
            return authoring_handler.from_files(self.ladder, uow, person, paths)
        return knowledge_answer.add_shared_files(self.ladder, uow, person, paths, message.text)

    def _click(self, uow: UnitOfWork, person: Person, message: Message) -> Reply:
        ref = message.action
        assert ref is not None
        if ref.kind in (ActionKind.feedback_up, ActionKind.feedback_down):
            return knowledge_answer.feedback(self.ladder, uow, person, ref.target, ref.kind == ActionKind.feedback_up)
        if ref.kind == ActionKind.clarify:
            return self._clarified(uow, person, message)
        if ref.kind in skill_extraction_handler.CLICKS:  # its target is several evidence ids ("12.13.14")
            return skill_extraction_handler.click(self.ladder, uow, person, ref.kind, ref.target)
        if ref.kind in forecast_handler.CLICKS:  # its target is a gap: "skill.team.quarter.shortfall"
            return forecast_handler.click(self.ladder, uow, person, ref.kind, ref.target)
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
        if ref.kind in authoring_handler.CLICKS:
            return authoring_handler.click(self.ladder, uow, person, message)
        if ref.kind in maturity_handler.CLICKS:
            return maturity_handler.click(self.ladder, uow, person, ref.kind, target)
        if ref.kind in marketplace_handler.CLICKS:
            return marketplace_handler.click(self.ladder, uow, person, message)
        return Reply(text="That button isn't something I can do yet.", ephemeral=True)

    def _clarified(self, uow: UnitOfWork, person: Person, message: Message) -> Reply:
        """A button of "did you mean …?": answer the question that was asked, as the chosen capability."""
        assert message.action is not None
        context = uow.conversations.context(message.context_key)
        question = context.get("pending_text", "")
        catalogue = understander(self.ladder).catalogue
        if not question or message.action.target not in catalogue.names():
            return Reply(text="That question has expired — please ask it again.", ephemeral=True)
        found = understander(self.ladder).find_slots(message.action.target, question, vocabularies(self.ladder.indexes, uow, person))
        intent = Intent(IntentKind(message.action.target), found, question)
        return self._dispatch(uow, person, intent)

    # ------------------------------------------------------------------ context

    def _remember(self, message: Message, intent: Intent | None, reply: Reply) -> None:
        """What a follow-up in this conversation refers to: a small write of its own, after the answer.
        The person already has their answer; if this fails, it is logged and they keep it."""
        try:
            data = follow_ups.remembered(intent, reply)
            if not data:
                return
            with self.ladder.db.unit_of_work() as uow:
                person = self.identify(uow, message)
                uow.conversations.remember(message.context_key, data, person.id if person is not None else None)
        except Exception:  # noqa: BLE001 - losing follow-up context must not lose the answer
            log_failure(log, "could not remember the conversation context", channel=message.channel.value)

    def _not_in_directory(self) -> Reply:
        return Reply(text=NOT_IN_DIRECTORY.format(contact=self.ladder.settings.hr_contact), data={"intent": "not_in_directory"})

"""The Teams bot: an Activity in, one channel-neutral ``Message`` to the router, the ``Reply`` rendered
as an Adaptive Card. Thin on purpose — identity, references and dedupe live in ``contacts``; rendering in
``cards``; the router does the work (in a worker thread, because it is synchronous database code).

A click whose reply asks for inputs (``Reply.form``) is answered with the form as a card in place of the one
clicked; its submit button sends the same action back with the values.
"""

from __future__ import annotations

import asyncio
import base64
import html
import logging
import re
import uuid
from collections.abc import Callable

import aiohttp

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount

from bot.delivery import TASK_HOLDER, delivery_key, mark_done
from bot.identity import ChatUsers
from bot.teams import cards, contacts
from conversation import Channel, Message, Reply, log_failure, sorry_text
from handlers.context import Ladder

log = logging.getLogger(__name__)

HOLDING = Reply(text="Working on it…")
# turn_state key: the id of the holding message (posted by the web process when the activity arrived) that this
# turn's reply replaces
REPLY_IN_PLACE = "ladder.reply_in_place"
WELCOME = Reply(text="*Hi, I'm Ladder.*\nAsk me “what's my path to data scientist?” — or type `help` to see what I can do.")
BUTTON_OUT_OF_DATE = "That button is out of date — ask me again and use the new one."

_AT_TAG = re.compile(r"</?at[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")


def _inline(attachment) -> bool:
    """Images are shown in the message itself; any other file needs the person's consent to be sent."""
    return attachment.content_type.startswith("image/")


def reply_activity(reply: Reply) -> Activity:
    activity = MessageFactory.attachment(Attachment(**_attachment_kwargs(reply)))
    activity.summary = cards.summary(reply)
    # A reply's images (a chart) follow the card as inline attachments: the bytes as a data URL, the alt text as the
    # name Teams shows when it cannot render them. Other files (a data export) are offered with a consent card.
    activity.attachments += [Attachment(content_type=a.content_type, name=a.alt_text or a.filename,
                                        content_url=f"data:{a.content_type};base64,{base64.b64encode(a.data).decode()}")
                             for a in reply.attachments if _inline(a)]
    return activity


async def _remove_holding(turn_context: TurnContext, held: str) -> None:
    """Delete a holding message; one that is gone already (or cannot go) is only logged: nobody needs telling."""
    try:
        await turn_context.delete_activity(held)
    except Exception:  # noqa: BLE001 - e.g. deleted by an earlier run of this task
        log.warning("a holding message could not be removed", exc_info=True)


def _attachment_kwargs(reply: Reply) -> dict:
    att = cards.reply_attachment(reply)
    return {"content_type": att["contentType"], "content": att["content"]}


def split_conversation(conversation_id: str, reply_to_id: str | None, conversation_type: str | None) -> tuple[str, str | None]:
    """(conversation, thread). Channel conversation ids carry the reply chain: ``19:…@thread.tacv2;messageid=171…``;
    failing that a channel post's replyToId names it. Personal and group chats have no threads."""
    base, _, message_id = conversation_id.partition(";messageid=")
    if message_id:
        return base, message_id
    return base, (reply_to_id or None) if conversation_type == "channel" else None


def clean_text(activity: Activity) -> str:
    """The words the person typed: our @mention removed, other mention tags unwrapped, HTML gone."""
    try:
        TurnContext.remove_recipient_mention(activity)
    except Exception:  # noqa: BLE001 - malformed mention entities: fall back to the regex below
        log.debug("mention entity not understood", exc_info=True)
    text = activity.text or ""
    bot_name = getattr(activity.recipient, "name", None)
    if bot_name:
        text = re.sub(rf"<at[^>]*>\s*{re.escape(bot_name)}\s*</at>", " ", text, flags=re.IGNORECASE)
    text = _AT_TAG.sub("", text)
    text = html.unescape(_HTML_TAG.sub(" ", text)) if "<" in text else html.unescape(text)
    return " ".join(text.split())


class LadderTeamsBot(TeamsActivityHandler):
    """``handle`` is ``Router(ladder).handle`` in production; the benchmark swaps in an echo."""

    def __init__(self, ladder: Ladder, handle: Callable[[Message], Reply]) -> None:
        self.ladder = ladder
        self.handle = handle
        self.users = ChatUsers(ladder.db, Channel.teams)
        ladder.caches.append(self.users.forget)  # an erasure run in this process forgets the person's accounts here too

    # ------------------------------------------------------------------ plumbing
    async def _in_thread(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def _contact(self, turn_context: TurnContext, *, dedupe: bool) -> contacts.Contact:
        activity = turn_context.activity
        reference = TurnContext.get_conversation_reference(activity)
        tenant = _tenant_id(activity)
        if reference.conversation is not None and tenant and not reference.conversation.tenant_id:
            reference.conversation.tenant_id = tenant
        ref_json = reference.serialize()
        ref_json.pop("activityId", None)  # per message; keeping it would rewrite the row on every turn
        conversation_type = (activity.conversation.conversation_type if activity.conversation else None) or "personal"
        ref_json.setdefault("conversation", {})["conversationType"] = conversation_type
        key = None
        if dedupe and activity.id:
            key = delivery_key(Channel.teams, activity.type, activity.conversation.id, activity.id)
        return contacts.Contact(aad_object_id=getattr(activity.from_property, "aad_object_id", None),
                                conversation_ref=ref_json, personal=conversation_type == "personal", dedupe_key=key,
                                holder=TASK_HOLDER.get())

    async def _identify(self, turn_context: TurnContext, contact: contacts.Contact) -> contacts.Seen:
        """The directory email (or None) and whether the activity was handled before. Unknown AAD ids are looked
        up by email once, then linked."""
        seen = await self._in_thread(contacts.record, self.users, contact)
        if seen.duplicate or seen.email:
            return seen
        email = await self._member_email(turn_context)
        if not email:
            return seen
        return contacts.Seen(email=await self._in_thread(contacts.link_by_email, self.users, contact, email),
                             duplicate=False)

    async def answer(self, turn_context: TurnContext, activity: Activity) -> None:
        """The turn's reply: in place of the holding message when there is one, as an update, which a redelivered
        task can repeat without the person seeing a second message; otherwise a new message."""
        held = turn_context.turn_state.pop(REPLY_IN_PLACE, None)  # taken: an error after the answer is a new message
        if held:
            activity.id = held
            try:
                await turn_context.update_activity(activity)
                return
            except Exception:  # noqa: BLE001 - e.g. the person deleted it: the answer still reaches them
                log.warning("could not replace the holding message; sending the answer as a new one", exc_info=True)
                activity.id = None
        await turn_context.send_activity(activity)
        if held:  # and the holding message, if it is still there, does not stay "working on it" for ever
            await _remove_holding(turn_context, held)

    async def _member_email(self, turn_context: TurnContext) -> str | None:
        sender = turn_context.activity.from_property
        if sender is None or not sender.id:
            return None
        try:
            member = await TeamsInfo.get_member(turn_context, sender.id)
        except Exception:  # noqa: BLE001 - no email means "not in the directory", said plainly
            log.warning("teams member lookup failed", exc_info=True)
            return None
        return member.email or member.user_principal_name

    def _message(self, turn_context: TurnContext, email: str | None, **fields) -> Message:
        activity = turn_context.activity
        conversation_id, thread_id = split_conversation(activity.conversation.id, activity.reply_to_id,
                                                        activity.conversation.conversation_type)
        return Message(channel=Channel.teams, sender_email=email,
                       sender_external_id=getattr(activity.from_property, "aad_object_id", None),
                       conversation_id=conversation_id, thread_id=thread_id, **fields)

    # ------------------------------------------------------------------ turns
    async def on_turn(self, turn_context: TurnContext):
        try:
            await super().on_turn(turn_context)
        except Exception:  # noqa: BLE001 - a person gets a plain reply; the traceback goes to the log
            error_id = log_failure(log, "teams turn failed")
            text = sorry_text(error_id)
            if turn_context.activity.type == ActivityTypes.invoke:
                await _set_invoke_body(turn_context, cards.message_action_response(text))
            elif turn_context.activity.type == ActivityTypes.message:
                try:
                    await self.answer(turn_context, reply_activity(Reply(text=text, error_id=error_id)))
                except Exception:  # noqa: BLE001
                    log.exception("could not send the error reply", extra={"error_id": error_id})

    async def on_message_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        text = clean_text(activity)
        contact = self._contact(turn_context, dedupe=True)
        seen = await self._identify(turn_context, contact)
        if seen.duplicate:
            log.info("duplicate teams message ignored", extra={"activity_id": activity.id})
            held = turn_context.turn_state.pop(REPLY_IN_PLACE, None)
            if held and not seen.ours:  # another delivery's answer is (or will be) in its own place: remove this one
                await _remove_holding(turn_context, held)
            return
        if not text:  # a bare @mention, or only an attachment: say hello and what to ask
            text = "hi"
        email = seen.email
        reply = await self._in_thread(self.handle, self._message(turn_context, email, text=text))
        await self.answer(turn_context, reply_activity(reply))
        if contact.dedupe_key:
            await self._in_thread(mark_done, self.ladder.db, [contact.dedupe_key])
        await self._offer_files(turn_context, reply, email)

    # ------------------------------------------------------------------ files (a data export)

    async def _offer_files(self, turn_context: TurnContext, reply: Reply, email: str | None) -> None:
        """Each file of the reply as a file consent card. A bot can send files only in a personal chat; elsewhere
        the person is told to ask there (an export must not land in a channel)."""
        files = [a for a in reply.attachments if not _inline(a)]
        if not files:
            return
        if (turn_context.activity.conversation.conversation_type or "personal") != "personal":
            await turn_context.send_activity(reply_activity(Reply(text="I can only send files in a personal chat: "
                                                                  "ask me there and I'll send them.")))
            return
        for attachment in files:
            token = uuid.uuid4().hex
            await self._in_thread(self._keep_file, token, attachment, email)
            consent = cards.file_consent_attachment(attachment.filename, attachment.size, token)
            await turn_context.send_activity(MessageFactory.attachment(Attachment(
                content_type=consent["contentType"], name=consent["name"], content=consent["content"])))

    def _keep_file(self, token: str, attachment, email: str | None) -> None:
        """Until the person accepts: in the database (any process may receive the answer), as theirs (an erasure or
        the retention purge removes it with their conversations)."""
        with self.ladder.db.unit_of_work() as uow:
            person = uow.people.by_email(email) if email else None
            uow.conversations.remember(_file_key(token), {"filename": attachment.filename, "content_type": attachment.content_type,
                                                          "text": attachment.data.decode("utf-8")},
                                       person.id if person is not None else None)

    def _take_file(self, token: str) -> dict | None:
        with self.ladder.db.unit_of_work() as uow:
            return uow.chat.take(_file_key(token))

    async def on_teams_file_consent_accept(self, turn_context: TurnContext, file_consent_card_response) -> None:
        token = (file_consent_card_response.context or {}).get("ladder_file", "")
        kept = await self._in_thread(self._take_file, str(token)) if token else None
        info = file_consent_card_response.upload_info
        if kept is None or info is None or not info.upload_url:
            await turn_context.send_activity(reply_activity(Reply(text="That file has expired — ask me for it again.")))
            return
        data = kept["text"].encode("utf-8")
        headers = {"Content-Length": str(len(data)), "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
        async with aiohttp.ClientSession() as session:
            async with session.put(info.upload_url, data=data, headers=headers) as response:
                if response.status >= 300:
                    error_id = log_failure(log, "teams file upload failed", status=response.status)
                    await turn_context.send_activity(reply_activity(Reply(
                        text=f"I couldn't upload {kept['filename']} to your OneDrive — please ask again.", error_id=error_id)))
                    return
        card = cards.file_info_attachment(info.name or kept["filename"], info.content_url, info.unique_id, info.file_type)
        await turn_context.send_activity(MessageFactory.attachment(Attachment(
            content_type=card["contentType"], content_url=card["contentUrl"], name=card["name"], content=card["content"])))

    async def on_teams_file_consent_decline(self, turn_context: TurnContext, file_consent_card_response) -> None:
        token = (file_consent_card_response.context or {}).get("ladder_file", "")
        if token:
            await self._in_thread(self._take_file, str(token))
        await turn_context.send_activity(reply_activity(Reply(text="OK — I haven't sent the file, and I've discarded it.")))

    async def on_invoke_activity(self, turn_context: TurnContext):
        if turn_context.activity.name != "adaptiveCard/action":
            response = await super().on_invoke_activity(turn_context)
            if response is None or response.status == 501:  # botbuilder's "not implemented": a 5xx Teams would retry
                return InvokeResponse(status=400, body={"error": "Ladder does not answer this kind of invoke"})
            return response
        # Answered here rather than in on_adaptive_card_invoke: AdaptiveCardInvokeResponse's msrest model
        # can't carry the string value of a "message" response, and the body must stay a plain dict.
        return InvokeResponse(status=200, body=await self.card_action(turn_context))

    async def card_action(self, turn_context: TurnContext) -> dict:
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        if action.get("type") != "Action.Execute":
            return cards.message_action_response(BUTTON_OUT_OF_DATE)
        try:
            ref = cards.decode_action(action.get("verb"), action.get("data"))
        except ValueError:
            return cards.message_action_response(BUTTON_OUT_OF_DATE)
        values = cards.submitted_values(action.get("data"))
        contact = self._contact(turn_context, dedupe=True)
        seen = await self._identify(turn_context, contact)
        if seen.duplicate:
            return cards.message_action_response("Already done — that click was handled.")
        message = self._message(turn_context, seen.email, action=ref, form=values or {}, form_submitted=values is not None)
        reply = await self._in_thread(self.handle, message)
        form = reply.form
        if form is not None:  # the clicker's card becomes the form; nothing is decided yet, so others' stays
            return cards.form_response(form)
        body = cards.action_response(reply)
        if body["type"] == cards.ADAPTIVE_CARD_CONTENT_TYPE:
            await self._update_shared_card(turn_context, reply)
        return body

    async def _update_shared_card(self, turn_context: TurnContext, reply: Reply) -> None:
        """Universal Actions refresh the clicker's view only; in a group chat or channel, replace the
        posted card for everyone too (PUT …/activities/{id})."""
        activity = turn_context.activity
        if (activity.conversation.conversation_type or "personal") == "personal" or not activity.reply_to_id:
            return
        update = reply_activity(reply)
        update.id = activity.reply_to_id
        try:
            await turn_context.update_activity(update)
        except Exception:  # noqa: BLE001 - the clicker already sees the outcome
            log.warning("could not update the shared card", exc_info=True)

    async def on_teams_members_added(self, teams_members_added: list[ChannelAccount], team_info, turn_context):
        recipient = turn_context.activity.recipient
        if not any(m.id == recipient.id for m in teams_members_added):
            return
        await self._installed(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext):
        # Teams sends this *and* a conversationUpdate on install: remember the reference here, greet there.
        await self._identify(turn_context, self._contact(turn_context, dedupe=False))

    async def _installed(self, turn_context: TurnContext) -> None:
        contact = self._contact(turn_context, dedupe=False)
        await self._identify(turn_context, contact)
        if contact.personal:
            await turn_context.send_activity(reply_activity(WELCOME))


async def _set_invoke_body(turn_context: TurnContext, body: dict) -> None:
    await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                              value=InvokeResponse(status=200, body=body)))


def _file_key(token: str) -> str:
    return f"teams-file:{token}"


def _tenant_id(activity: Activity) -> str | None:
    if activity.conversation is not None and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return (data.get("tenant") or {}).get("id")

"""Activities shaped like the ones Teams sends (see ../shared/fixtures/teams/), filled in for Ladder."""

from __future__ import annotations

import copy
import itertools
import json
import re
import uuid
from pathlib import Path
from typing import Any

from teams_standins import BOT_ID, BOT_NAME, TENANT

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "teams"
CHANNEL_CONVERSATION = "19:3629591d4b774aa08cb0887902eee7c1@thread.skype"
TEAM_ID = "19:efa9296d959346209fea44151c742e73@thread.skype"
_ids = itertools.count(1)


def fixture(name: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text()
    if name.endswith(".jsonc"):
        text = re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE)
    return json.loads(text)


def aad_id(email: str) -> str:
    """The demo organisation's Teams identities (handlers/seed_demo.py)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, email))


def user_id(email: str) -> str:
    return "29:" + uuid.uuid5(uuid.NAMESPACE_DNS, email).hex


def _next_id() -> str:
    return f"1700{next(_ids):09d}"


def _sender(email: str | None, aad: str | None, name: str = "Someone") -> dict[str, Any]:
    out: dict[str, Any] = {"id": user_id(email or aad or "nobody"), "name": name}
    if aad is not None:
        out["aadObjectId"] = aad
    return out


def personal_message(service_url: str, email: str | None, text: str, *, aad: str | None = "",
                     conversation: str | None = None) -> dict[str, Any]:
    act = fixture("msteams-docs_message_personal_received.json")
    act.pop("attachments", None)  # the fixture's rich-text copy would not match our text
    aad = aad_id(email) if aad == "" and email else aad
    act.update(id=_next_id(), serviceUrl=service_url, text=text, textFormat="plain",
               recipient={"id": BOT_ID, "name": BOT_NAME}, **{"from": _sender(email, aad)})
    act["conversation"] = {"conversationType": "personal", "tenantId": TENANT,
                           "id": conversation or f"a:personal-{user_id(email or str(aad))}"}
    return act


def channel_mention(service_url: str, email: str, text: str, *, root_id: str | None = None) -> dict[str, Any]:
    """An @mention of Ladder in a channel post, shaped like Teams' channel activities."""
    base = fixture("msteams-docs_messageReaction_added_channel.json")
    mention = f"<at>{BOT_NAME}</at>"
    root_id = root_id or _next_id()
    act = {
        "type": "message",
        "id": root_id if root_id else _next_id(),
        "timestamp": base["timestamp"],
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": _sender(email, aad_id(email)),
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                         "id": f"{CHANNEL_CONVERSATION};messageid={root_id}"},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "textFormat": "plain",
        "text": f"{mention} {text}",
        "entities": [{"type": "mention", "text": mention, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}],
        "channelData": copy.deepcopy(base["channelData"]),
    }
    return act


def install(service_url: str, email: str, *, personal: bool = True) -> dict[str, Any]:
    """conversationUpdate with the bot in membersAdded (the app was installed)."""
    act = fixture("msteams-docs_conversationUpdate_teamArchived.json")
    act.update(id=f"f:{uuid.uuid4().hex[:8]}", serviceUrl=service_url, **{"from": _sender(email, aad_id(email))})
    act["recipient"] = {"id": BOT_ID, "name": BOT_NAME}
    act["membersAdded"] = [{"id": BOT_ID}]
    act["channelData"] = {"tenant": {"id": TENANT}}
    if personal:
        act["conversation"] = {"conversationType": "personal", "tenantId": TENANT,
                               "id": f"a:personal-{user_id(email)}"}
    else:
        act["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                               "id": TEAM_ID}
        act["channelData"].update(team={"id": TEAM_ID, "name": "Product Engineering"}, eventType="teamMemberAdded")
    return act


def card_action(service_url: str, email: str, verb: str, ref: str, *, reply_to_id: str = "1700000000001",
                conversation: dict[str, Any] | None = None) -> dict[str, Any]:
    """invoke adaptiveCard/action: the fixture skeleton, completed as Teams sends it."""
    act = fixture("msteams-docs_invoke_adaptiveCard_action.SKELETON.jsonc")
    act.update(
        id=f"f:{uuid.uuid4().hex}",
        timestamp="2026-11-28T09:00:00.000Z",
        channelId="msteams",
        serviceUrl=service_url,
        replyToId=reply_to_id,
        locale="en-US",
        recipient={"id": BOT_ID, "name": BOT_NAME},
        conversation=conversation or {"conversationType": "personal", "tenantId": TENANT,
                                      "id": f"a:personal-{user_id(email)}"},
        channelData={"tenant": {"id": TENANT}, "source": {"name": "message"}, "legacy": {"replyToId": reply_to_id}},
        **{"from": _sender(email, aad_id(email))},
    )
    act["value"] = {"action": {"type": "Action.Execute", "id": "", "verb": verb, "data": {"ref": ref}},
                    "trigger": "manual"}
    return act

"""Conversation context, read as well as written: what "and for cloud engineer?", "the second one",
"yes, do that", "why?" and a bare answer to Ladder's own question refer to.

After each answer the router stores a small summary of it for the conversation (``remembered``): which use case
answered, about which role, the buttons it offered, what it asked for, and what "why?" would explain. The next
message of the same conversation (the terminal session, a Slack DM or thread, a Teams chat) is read against it
(``resolve``): a follow-up becomes the intent it continues, a pick becomes a click on the button it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conversation import ActionRef, Message, Reply
from handlers.intents import Intent, IntentKind
from understanding.slots import Slots, SlotValue

MAX_BUTTONS = 12

# A follow-up about another role continues these questions; anything else continues the path question.
CONTINUES_WITH_A_ROLE = frozenset({IntentKind.career_path, IntentKind.team_ready, IntentKind.team_gaps,
                                   IntentKind.stretch_projects})


def resolve(intent: Intent, context: dict[str, Any], find_slots: Callable[[str, str], Slots]) -> Intent | Message:
    """The intent this message continues, or the click it stands for."""
    last = _kind(context.get("last_intent"))
    awaiting = context.get("awaiting") or {}
    if awaiting and intent.kind in (IntentKind.unknown, IntentKind.follow_up_role, IntentKind.pick_option) and intent.text:
        # Ladder asked "which role?" and this is the answer: the question it asked, with the slot filled in.
        asked = _kind(awaiting.get("intent"))
        if asked is not None:
            filled = find_slots(asked.value, intent.text)
            if filled.get(awaiting.get("slot", "")) is not None:
                merged = Slots({**_slots(awaiting.get("slots") or {}).values, **filled.values})
                return Intent(asked, merged, intent.text)
    if intent.kind == IntentKind.follow_up_role:
        kind = last if last in CONTINUES_WITH_A_ROLE else IntentKind.career_path
        return Intent(kind, intent.slots, intent.text, understood=intent.understood)
    if intent.kind in (IntentKind.pick_option, IntentKind.confirm):
        buttons = [ref for ref in context.get("buttons") or [] if isinstance(ref, str)]
        ref = _pick(buttons, intent)
        if ref is not None:
            try:
                return Message(channel="terminal", conversation_id="", action=ActionRef.decode(ref))
            except ValueError:
                pass
        return intent
    if intent.kind == IntentKind.why_followup:
        why = context.get("why") or {}
        if why.get("kind") == "proposal":
            return Intent(IntentKind.explain_proposal, Slots({"proposal_id": SlotValue("proposal_id", str(why["id"]), why["id"])}), intent.text)
        if why.get("kind") == "skill" and why.get("label"):
            return Intent(IntentKind.explain_skill, Slots({"skill": SlotValue("skill", why["label"], why["label"])}), intent.text)
        if why.get("kind") == "path":
            return Intent(IntentKind.why_followup, Slots({"explanation": SlotValue("explanation", "", why)}), intent.text)
        return intent
    if intent.kind == IntentKind.show_all and context.get("role_id"):
        return Intent(IntentKind.show_all, Slots({"role_id": SlotValue("role_id", "", int(context["role_id"]))}), intent.text)
    return intent


def _pick(buttons: list[str], intent: Intent) -> str | None:
    if not buttons:
        return None
    if intent.kind == IntentKind.confirm:
        return buttons[0]  # the first button is the one the answer suggests
    n = intent.value("ordinal")
    if not isinstance(n, int):
        return None
    if n == -1:
        return buttons[-1]
    return buttons[n - 1] if 1 <= n <= len(buttons) else None


def remembered(intent: Intent | None, reply: Reply) -> dict[str, Any]:
    """What the next message may refer to, from this answer (an empty dict: nothing worth keeping)."""
    data = reply.data or {}
    unresolved = (IntentKind.unknown, IntentKind.confirm, IntentKind.pick_option, IntentKind.why_followup)
    name = intent.kind.value if intent is not None and intent.kind not in unresolved else data.get("intent")
    remember: dict[str, Any] = {"last_intent": name, "buttons": [b.ref for b in reply.actions()][:MAX_BUTTONS],
                                "awaiting": data.get("awaiting") or None}
    role = data.get("role")
    if isinstance(role, dict) and role.get("id"):
        remember["role_id"] = role["id"]
    if data.get("pending_text"):
        remember["pending_text"] = data["pending_text"]
    why = _why(data)
    if why:
        remember["why"] = why
    return remember


def _why(data: dict[str, Any]) -> dict[str, Any] | None:
    proposal = data.get("proposal")
    if isinstance(proposal, dict) and proposal.get("id"):
        return {"kind": "proposal", "id": proposal["id"]}
    proposals = data.get("proposals")
    if isinstance(proposals, list) and proposals and isinstance(proposals[0], dict) and proposals[0].get("id"):
        return {"kind": "proposal", "id": proposals[0]["id"]}
    if data.get("proposal_id"):
        return {"kind": "proposal", "id": data["proposal_id"]}
    skill = data.get("skill")
    if isinstance(skill, dict) and skill.get("label"):
        return {"kind": "skill", "label": skill["label"]}
    top = data.get("top_missing")
    role = data.get("role")
    if isinstance(top, list) and top and isinstance(role, dict):
        return {"kind": "path", "role": role.get("label", ""),
                "reasons": [[t.get("label", ""), "; ".join(r.get("text", "") for r in t.get("reasons", []))] for t in top[:3]]}
    return None


def _kind(name: Any) -> IntentKind | None:
    try:
        return IntentKind(name)
    except ValueError:
        return None


def _slots(raw: dict[str, Any]) -> Slots:
    return Slots({k: SlotValue(k, str(v), v) for k, v in raw.items()})

"""Reply → Adaptive Card: every card Ladder sends validates against the official 1.5 schema, buttons are
Universal Actions with a typed ref, and a card says what the terminal says."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from conversation import ActionKind, ActionRef, Button, Card, Channel, Citation, Fact, Message, Reply
from handlers.router import Router
from bot.teams import cards
from bot.teams.verbs import TeamsVerb
from bot.terminal import render_text
from tests.conftest import SHARED

SCHEMA = json.loads((SHARED / "schemas" / "adaptivecards" / "1.5.0" / "adaptive-card.json").read_text())
VALIDATOR = jsonschema.Draft6Validator(SCHEMA)
MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"


def assert_valid(card: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(card), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5])


def _walk(node):
    """Every dict inside a card, depth first."""
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)


def terminal_content(reply: Reply) -> list[str]:
    """What the terminal shows, without its box drawing, button numbers and the "Sources:" heading."""
    text, _ = render_text(reply)
    out, in_sources = [], False
    for raw in text.splitlines():
        line = re.sub(r"^(?:┌ |│ )", "", raw).strip()
        if line == "Sources:":
            in_sources = True
            continue
        if raw.startswith("│ [") and not in_sources:
            line = re.sub(r"^\[\d+\] ", "", line)
        if line:
            out.append(line)
    return out


def teams_content(reply: Reply) -> list[str]:
    return [t for t in cards.visible_text(cards.reply_card(reply)) if t != "Sources"]


def test_the_validator_really_checks():
    assert not VALIDATOR.is_valid({"type": "AdaptiveCard", "version": "1.5",
                                   "body": [{"type": "TextBlock", "text": "x", "colour": "red"}]})
    assert not VALIDATOR.is_valid({"type": "AdaptiveCard", "version": "1.5",
                                   "actions": [{"type": "Action.Execute", "title": "x", "verbb": "y"}]})


def test_every_kind_of_button_is_an_execute_action_with_a_typed_ref():
    buttons = [Button(label=kind.value, ref=ActionRef(kind=kind, target="17", version=3).encode(),
                      style="primary" if kind == ActionKind.approve else "danger" if kind == ActionKind.reject else "default")
               for kind in ActionKind]
    reply = Reply(text="*Pick one*\nAny of these.", cards=[Card(title="Everything", buttons=buttons)])
    card = cards.reply_card(reply)
    assert_valid(card)
    actions = card["body"][-1]["items"][-1]["actions"]
    assert [a["type"] for a in actions] == ["Action.Execute"] * len(ActionKind)
    for kind, action in zip(ActionKind, actions):
        assert action["verb"] == TeamsVerb.for_kind(kind).value
        assert action["data"] == {"ref": f"{kind.value}:17:3"}
        assert cards.decode_action(action["verb"], action["data"]) == ActionRef(kind=kind, target="17", version=3)
    assert actions[list(ActionKind).index(ActionKind.approve)]["style"] == "positive"
    assert actions[list(ActionKind).index(ActionKind.reject)]["style"] == "destructive"


@pytest.mark.parametrize("verb,data", [
    ("ladder.approve", {"ref": "reject:17:3"}),  # verb and ref disagree: tampered or stale
    ("somebody.else", {"ref": "approve:17:3"}),
    ("ladder.approve", {}),
    ("ladder.approve", "approve:17:3"),
    ("ladder.approve", {"ref": "approve:17; DROP TABLE"}),
    (None, {"ref": "approve:17"}),
])
def test_card_actions_that_do_not_add_up_are_refused(verb, data):
    with pytest.raises(ValueError):
        cards.decode_action(verb, data)


def test_a_malformed_ref_fails_when_the_card_is_built():
    with pytest.raises(ValueError):
        cards.reply_card(Reply(text="x", cards=[Card(title="t", buttons=[Button(label="b", ref="nonsense")])]))


def test_facts_citations_and_error_ids_render_and_validate():
    reply = Reply(
        text="*Parental leave*\nYou get 20 weeks [1].\n• paid in full\n• can be split",
        cards=[Card(title="Policy", body="Applies to all employees.", facts=[Fact(title="Weeks", value="20")],
                    footer="Ask HR for details")],
        citations=[Citation(number=1, title="Leave policy", section="Parental", source="handbook.pdf"),
                   Citation(number=2, title="FAQ", source="intranet")],
        error_id="abc123",
    )
    card = cards.reply_card(reply)
    assert_valid(card)
    texts = cards.visible_text(card)
    assert "Weeks: 20" in texts
    assert "[1] Leave policy › Parental (handbook.pdf)" in texts and "[2] FAQ (intranet)" in texts
    assert "(error id abc123)" in texts
    assert card["body"][0] == {"type": "TextBlock", "text": "Parental leave", "wrap": True, "weight": "Bolder",
                               "spacing": "Medium"}
    assert all(b.get("wrap") for b in card["body"] if b["type"] == "TextBlock")
    assert teams_content(reply) == terminal_content(reply)


def test_invoke_responses_replace_the_card_or_leave_it_with_a_note():
    outcome = Reply(text="You're enrolled in Cleaning and Preparing Data.", replace_original=True)
    body = cards.action_response(outcome)
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid(body["value"])
    note = cards.action_response(Reply(text="That button is out of date.", ephemeral=True))
    assert note == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "That button is out of date."}


def test_every_reply_ladder_gives_validates_and_matches_the_terminal(fresh_demo):
    router = Router(fresh_demo)
    asks = [
        (MAYA, "what's my path to data scientist?"),
        (MAYA, "what's my path to engineer?"),  # ambiguous: a role choice card
        (MAYA, "what about cloud engineer?"),
        (MAYA, "what's my path to zzzz qqqq?"),  # unknown role
        (MAYA, "help"),
        (MAYA, "hi"),
        (MAYA, "who am i"),
        (MAYA, "/ladder status"),  # not an admin: refused plainly
        (PRIYA, "/ladder status"),
        (PRIYA, "/ladder help"),
        (DANIEL, "what's my path to software developer?"),
        (MAYA, "blah blah"),
        ("nobody@elsewhere.example", "what's my path to data scientist?"),  # not in the directory
    ]
    replies = [router.handle(Message(channel=Channel.terminal, sender_email=who, conversation_id=f"cards-{who}",
                                     text=text)) for who, text in asks]
    first = replies[0]
    for kind in (ActionKind.pick_role, ActionKind.enrol, ActionKind.show_projects, ActionKind.set_target,
                 ActionKind.show_all_skills):
        button = next((b for r in replies for b in r.actions() if b.ref.startswith(kind.value + ":")), None)
        if button is not None:
            replies.append(router.handle(Message(channel=Channel.terminal, sender_email=MAYA,
                                                 conversation_id="cards-click", action=ActionRef.decode(button.ref))))
    replies.append(router.handle(Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="x",
                                         action=ActionRef(kind=ActionKind.enrol, target="999999"))))
    replies.append(Reply(text="Sorry, something went wrong on my side. Error id 0123456789.", error_id="0123456789"))
    assert first.cards and any(r.data.get("status") == "ambiguous" for r in replies)
    assert any(r.data.get("view") == "all" for r in replies)  # the complete list of missing skills, clicked
    show_all = next(b for b in first.actions() if b.ref.startswith("show_all_skills:"))
    action = next(a for a in _walk(cards.reply_card(first)) if a.get("type") == "Action.Execute"
                  and a.get("data", {}).get("ref") == show_all.ref)
    assert action["verb"] == TeamsVerb.show_all_skills.value == "ladder.showAllSkills"
    assert len(replies) >= 15
    for reply in replies:
        card = cards.reply_card(reply)
        assert_valid(card)
        assert_valid(cards.card_action_response(reply)["value"])
        assert teams_content(reply) == terminal_content(reply), reply.text[:80]

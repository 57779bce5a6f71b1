"""Reply → Block Kit stays inside Slack's limits and carries typed references, never free text."""

from __future__ import annotations

import json

from conversation import ActionKind, ActionRef, Button, Card, Channel, Choice, Citation, Fact, Form, FormField, Message, Reply
from bot.slack import blocks as bk
from bot.slack.modals import modal_view, submitted_values
from bot.slack.action_ids import ACTION_PATTERN, ActionId

from slack_standin import block_problems


def _ref(kind: ActionKind, target: int, version: int | None = None) -> str:
    return ActionRef(kind=kind, target=str(target), version=version).encode()


def test_sections_facts_buttons_citations():
    reply = Reply(
        text="*Your path to R&D lead*\n• skill <one>",
        cards=[Card(title="Path", body="body", facts=[Fact(title="Missing", value="3")], footer="why",
                    buttons=[Button(label="Enrol", ref=_ref(ActionKind.enrol, 7), style="primary"),
                             Button(label="Later", ref=_ref(ActionKind.set_target, 9))])],
        citations=[Citation(number=1, title="Handbook", section="Leave", source="parental-leave.md")],
    )
    [message] = bk.render(reply)
    assert block_problems(message.blocks, 50) == []
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["section", "divider", "section", "section", "context", "actions", "context"]
    assert message.blocks[0]["text"]["text"] == "*Your path to R&amp;D lead*\n• skill &lt;one&gt;"
    assert message.blocks[3]["fields"][0]["text"] == "*Missing*\n3"
    buttons = message.blocks[5]["elements"]
    assert [b["value"] for b in buttons] == ["enrol:7", "set_target:9"]
    assert all(ACTION_PATTERN.match(b["action_id"]) for b in buttons)
    assert ActionId.parse(buttons[0]["action_id"]) is ActionId.enrol and buttons[0]["style"] == "primary"
    assert "style" not in buttons[1]
    assert "[1] Handbook › Leave (parental-leave.md)" in message.blocks[6]["elements"][0]["text"]
    assert message.text.startswith("Your path to R&D lead")  # plain fallback, unescaped


def test_long_text_splits_at_line_boundaries():
    lines = [f"• line {i:04d} " + "x" * 90 for i in range(120)]  # ~12,000 characters
    reply = Reply(text="\n".join(lines))
    [message] = bk.render(reply)
    sections = [b["text"]["text"] for b in message.blocks]
    assert len(sections) >= 4 and all(len(s) <= 3000 for s in sections)
    assert "\n".join(sections) == "\n".join(lines)  # nothing lost, every cut at a line end
    assert block_problems(message.blocks, 50) == []


def test_one_enormous_line_is_cut_at_spaces():
    text = " ".join(["word"] * 2000)  # 9,999 characters, no newline
    chunks = bk.split_text(text)
    assert all(len(c) <= 3000 for c in chunks)
    assert " ".join(chunks) == text


def test_more_than_fifty_blocks_become_several_messages():
    cards = [Card(title=f"Card {i}", facts=[Fact(title="n", value=str(i))], buttons=[Button(label="Go", ref=_ref(ActionKind.enrol, i))])
             for i in range(40)]
    messages = bk.render(Reply(text="Many cards", cards=cards))
    assert len(messages) >= 4
    assert all(len(m.blocks) <= 50 and block_problems(m.blocks, 50) == [] for m in messages)
    assert messages[0].text == "Many cards" and "continued" in messages[1].text
    values = [e["value"] for m in messages for b in m.blocks if b["type"] == "actions" for e in b["elements"]]
    assert values == [f"enrol:{i}" for i in range(40)]  # every button survives, in order
    assert all(m.blocks[0]["type"] != "divider" for m in messages)


def test_more_than_five_buttons_use_overflow_and_labels_are_clipped():
    buttons = [Button(label=f"Enrol me in the very long course title number {i} " + "z" * 60, ref=_ref(ActionKind.enrol, i))
               for i in range(12)]
    [message] = bk.render(Reply(text="Pick", cards=[Card(title="Courses", buttons=buttons)]))
    assert block_problems(message.blocks, 50) == []
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    kinds = [e["type"] for e in actions["elements"]]
    assert kinds == ["button"] * 4 + ["overflow", "overflow"]
    assert all(len(e["text"]["text"]) <= 75 for e in actions["elements"] if e["type"] == "button")
    options = [o["value"] for e in actions["elements"] if e["type"] == "overflow" for o in e["options"]]
    assert options == [f"enrol:{i}" for i in range(4, 12)]
    ids = [e["action_id"] for e in actions["elements"]]
    assert len(ids) == len(set(ids))


def test_actions_blocks_hold_at_most_25_elements():
    counter = [0]
    blocks = bk._actions([Button(label=str(i), ref=_ref(ActionKind.enrol, i)) for i in range(200)], counter)
    assert all(len(b.to_dict()["elements"]) <= 25 for b in blocks)


def test_malformed_reference_never_becomes_a_button():
    [message] = bk.render(Reply(text="x", cards=[Card(title="c", buttons=[Button(label="bad", ref="free text please"),
                                                                          Button(label="ok", ref=_ref(ActionKind.enrol, 1))])]))
    values = [e["value"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert values == ["enrol:1"]


def test_modals_from_a_form():
    reason = FormField(name="reason", label="Reason")
    change = FormField(name="change", label="What should happen instead")
    form = Form(title="Override proposal — say what and why", submit="override:17:3", fields=[reason, change],
                intro="Say what should happen instead and why.")
    view = modal_view(form, {"channel": "C1", "ts": "1.2"})
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    meta = json.loads(view["private_metadata"])
    assert meta["ref"] == "override:17:3" and meta["required"] == ["reason", "change"] and meta["channel"] == "C1"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["ladder.field.reason", "ladder.field.change"]
    assert all(not b["optional"] for b in inputs)
    reject = modal_view(Form(title="Reject proposal", submit="reject:17:3",
                             fields=[FormField(name="reason", label="Reason", required=False)]), {})
    assert [b.get("optional") for b in reject["blocks"] if b["type"] == "input"] == [True]

    choices = [Choice(value=f"C{i}", label=f"Course {i} " + "x" * 90) for i in range(130)]
    form = Form(title="Override proposal", submit="override:17:3", intro="Override: change the proposal and say why.",
                fields=[FormField(name="change", label="Change to", kind="choice", choices=choices), reason])
    view = modal_view(form, {})
    assert block_problems(view["blocks"], 100) == []
    select = next(b for b in view["blocks"] if b["type"] == "input")["element"]
    assert select["type"] == "static_select" and len(select["options"]) == 100
    assert all(len(o["text"]["text"]) <= 75 for o in select["options"])

    values = {"ladder.field.reason": {"reason": {"type": "plain_text_input", "value": " too soon "}},
              "ladder.field.change": {"change": {"type": "static_select", "selected_option": {"value": "C3"}}},
              "ladder.field.empty": {"empty": {"type": "plain_text_input", "value": None}},
              "someone-else": {"x": {"type": "plain_text_input", "value": "ignored"}}}
    assert submitted_values(values) == {"reason": "too soon", "change": "C3"}


def test_clicked_blocks_removes_the_pressed_button_or_the_decision_row():
    reply = Reply(text="t", cards=[Card(title="c", buttons=[Button(label="A", ref=_ref(ActionKind.enrol, 1)),
                                                            Button(label="B", ref=_ref(ActionKind.enrol, 2))])])
    [message] = bk.render(reply)
    pressed = next(b for b in message.blocks if b["type"] == "actions")["elements"][0]["action_id"]
    after = bk.clicked_blocks(message.blocks, "<@U1>", "A", action_id=pressed, whole_block=False)
    remaining = [e["value"] for b in after if b["type"] == "actions" for e in b["elements"]]
    assert remaining == ["enrol:2"] and after[-1]["type"] == "context"
    decided = bk.clicked_blocks(message.blocks, "<@U1>", "A", action_id=pressed, whole_block=True)
    assert not [b for b in decided if b["type"] == "actions"]


def test_the_path_answer_and_its_complete_list_render_within_slack_limits(demo):
    from handlers.router import Router

    def route(**kw) -> Reply:
        return Router(demo).handle(Message(channel=Channel.slack, sender_email="maya.patel@kestrel.example",
                                           conversation_id="blocks", **kw))

    opening = route(text="what's my path to data scientist?")
    [message] = bk.render(opening)
    assert block_problems(message.blocks, 50) == []
    elements = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["type"] for e in elements] == ["button"] * len(opening.cards[0].buttons)  # no "more…" menu
    show_all = next(e for e in elements if e["value"].startswith("show_all_skills:"))
    assert ActionId.parse(show_all["action_id"]) is ActionId.show_all_skills
    assert show_all["text"]["text"] == f"Show all {len(opening.data['missing'])} missing skills"

    complete = route(action=ActionRef.decode(show_all["value"]))
    messages = bk.render(complete)
    assert all(block_problems(m.blocks, 50) == [] for m in messages)
    text = "\n".join(b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section" and "text" in b)
    assert all(item["label"].replace("&", "&amp;") in text for item in complete.data["all_missing"])

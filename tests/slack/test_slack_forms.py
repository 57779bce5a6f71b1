"""A Form (what a use case asks a person to fill in) rendered for Slack: a modal within Slack's limits that keeps
required inputs required, and, in a message (which can't open a modal), a button that asks for it."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from bot.slack import blocks as bk
from bot.slack.action_ids import ActionId, CallbackId
from bot.slack.modals import field_block_id, metadata, modal_view, submitted_values
from conversation import Reply
from tests.channel_helpers import OVERRIDE_FORM as OVERRIDE

from slack_standin import block_problems

def _inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_every_kind_of_field_becomes_a_modal_input_and_required_ones_stay_required():
    view = modal_view(OVERRIDE, {"channel": "D1", "ts": "1.2"})
    assert block_problems(view["blocks"], 100) == [] and all(Block.parse(b) is not None for b in view["blocks"])
    assert view["callback_id"] == CallbackId.form_modal.value
    assert len(view["title"]["text"]) <= 24 and view["submit"]["text"] == "Override"
    assert view["blocks"][0]["text"]["text"].startswith("Say what should happen instead")
    inputs = _inputs(view)
    assert list(inputs) == [field_block_id("change"), field_block_id("reason"), field_block_id("note")]
    change, reason, note = (inputs[field_block_id(n)] for n in ("change", "reason", "note"))
    assert change["element"]["type"] == "static_select" and change["element"]["initial_option"]["value"] == "DS110"
    assert [o["value"] for o in change["element"]["options"]] == ["DS101", "DS110"]
    assert reason["element"] == {"type": "plain_text_input", "action_id": "reason", "multiline": True, "max_length": 3000,
                                 "placeholder": {"type": "plain_text", "text": "Because…"}}
    assert note["element"]["multiline"] is False and note["element"]["max_length"] == 200
    assert note["element"]["initial_value"] == "See you Monday"
    assert [b["optional"] for b in (change, reason, note)] == [False, False, True]
    meta = metadata(view)
    assert meta["ref"] == "override:17:3" and meta["required"] == ["change", "reason"] and meta["channel"] == "D1"


def test_a_submission_gives_back_the_values_by_field_name():
    view = modal_view(OVERRIDE, {})
    state = {field_block_id("change"): {"change": {"type": "static_select", "selected_option": {"value": "DS101"}}},
             field_block_id("reason"): {"reason": {"type": "plain_text_input", "value": "  She starts a data project  "}},
             field_block_id("note"): {"note": {"type": "plain_text_input", "value": ""}}}
    assert submitted_values(state) == {"change": "DS101", "reason": "She starts a data project"}
    assert metadata({"private_metadata": "not json"}) == {} and metadata(view)["ref"] == OVERRIDE.submit


def test_a_message_that_asks_for_a_form_offers_a_button_for_it():
    reply = Reply(text="An override needs a reason.", form=OVERRIDE)
    [message] = bk.render(reply)
    assert block_problems(message.blocks, 50) == []
    [row] = [b for b in message.blocks if b["type"] == "actions"]
    [button] = row["elements"]
    assert button["value"] == "override:17:3" and ActionId.parse(button["action_id"]) is ActionId.override
    assert button["text"]["text"] == OVERRIDE.title


def test_the_modal_remembers_which_inputs_are_required():
    view = modal_view(OVERRIDE, {})
    assert json.loads(view["private_metadata"])["required"] == ["change", "reason"]

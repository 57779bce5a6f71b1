"""A Form rendered for Teams: an Adaptive Card with inputs that validates against the 1.5 schema, whose submit
button sends the action back with the values; end to end, an override clicked on an approval card asks for
its change and reason on a card, and the submitted card decides."""

from __future__ import annotations

from teams_activities import card_action
from test_teams_cards import VALIDATOR, assert_valid

from bot.teams import cards
from conversation import ActionKind, ActionRef, Reply
from storage.models import Proposal
from tests.channel_helpers import OVERRIDE_FORM as FORM, make_proposal

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"

def _inputs(card: dict) -> dict[str, dict]:
    return {i["id"]: i for el in card["body"] if el["type"] == "Container" for i in el["items"]
            if i["type"].startswith("Input.")}


def _submit(card: dict) -> dict:
    [submit] = [a for el in card["body"] if el["type"] == "Container" for i in el["items"]
                if i["type"] == "ActionSet" for a in i["actions"]]
    return submit


def test_a_form_card_has_an_input_per_field_and_a_submit_carrying_the_ref():
    card = cards.form_card(FORM)
    assert_valid(card)
    inputs = _inputs(card)
    assert list(inputs) == ["change", "reason", "note"]
    assert inputs["change"]["type"] == "Input.ChoiceSet" and inputs["change"]["value"] == "DS110"
    assert [c["value"] for c in inputs["change"]["choices"]] == ["DS101", "DS110"]
    assert inputs["reason"]["type"] == "Input.Text" and inputs["reason"]["isMultiline"] is True
    assert inputs["note"]["isMultiline"] is False and inputs["note"]["maxLength"] == 200
    assert inputs["note"]["value"] == "See you Monday" and inputs["reason"]["placeholder"] == "Because…"
    assert [inputs[n]["isRequired"] for n in ("change", "reason", "note")] == [True, True, False]
    submit = _submit(card)
    assert submit["title"] == "Override" and submit["verb"] == "ladder.override"
    assert cards.decode_action(submit["verb"], submit["data"]) == ActionRef.decode(FORM.submit)
    texts = cards.visible_text(card)
    assert texts[:3] == [FORM.title, "Say what should happen instead and why.",
                         "Your reason is recorded in the audit trail."]


def test_the_validator_checks_inputs_too():
    card = cards.form_card(FORM)
    _inputs(card)["reason"]["isMultiline"] = "yes"
    assert not VALIDATOR.is_valid(card)


def test_a_reply_that_asks_for_a_form_shows_it_under_its_text():
    card = cards.reply_card(Reply(text="An override needs a reason.", form=FORM))
    assert_valid(card)
    assert cards.visible_text(card)[0] == "An override needs a reason." and set(_inputs(card)) == {"change", "reason", "note"}
    response = cards.form_response(FORM)
    assert response["statusCode"] == 200 and response["type"] == cards.ADAPTIVE_CARD_CONTENT_TYPE
    assert_valid(response["value"])


def test_submitted_values_come_from_a_form_submit_only():
    data = {"ref": "override:17:3", cards.FORM_KEY: True, "change": "DS101", "reason": "  starts a data project ",
            "note": "", "count": 3}
    assert cards.submitted_values(data) == {"change": "DS101", "reason": "starts a data project"}
    assert cards.submitted_values({"ref": "override:17:3"}) is None  # a plain click
    assert cards.submitted_values("override:17:3") is None


def _status(ladder, proposal_id: int) -> str:
    with ladder.db.session() as s:
        return s.get(Proposal, proposal_id).status.value


def test_an_override_click_asks_for_its_inputs_on_a_card_and_the_submission_decides(teams_server, connector):
    proposal_id, version = make_proposal(teams_server.ladder, MAYA, DANIEL, source="teams-test")
    ref = ActionRef(kind=ActionKind.override, target=str(proposal_id), version=version).encode()

    response = teams_server.post(card_action(connector.url, DANIEL, "ladder.override", ref))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == cards.ADAPTIVE_CARD_CONTENT_TYPE
    card = body["value"]
    assert_valid(card)
    inputs = _inputs(card)
    assert inputs["change"]["type"] == "Input.ChoiceSet" and inputs["change"]["choices"] and inputs["change"]["isRequired"]
    assert inputs["reason"]["isRequired"]
    assert _status(teams_server.ladder, proposal_id) == "proposed"  # asking decided nothing

    submit = _submit(card)
    submitted = card_action(connector.url, DANIEL, submit["verb"], ref)
    submitted["value"]["action"]["data"] = {**submit["data"], "change": inputs["change"]["choices"][0]["value"],
                                            "reason": "Maya starts a data project next month"}
    response = teams_server.post(submitted)
    assert response.status_code == 200
    outcome = response.json()
    assert outcome["type"] == cards.ADAPTIVE_CARD_CONTENT_TYPE and not _inputs(outcome["value"])
    assert_valid(outcome["value"])
    assert _status(teams_server.ladder, proposal_id) in ("overridden", "executed")

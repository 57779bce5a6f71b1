"""A Form in the terminal: printed with what to pass (`--form NAME=VALUE`), included in `--json`, asked field by
field in interactive mode; `chat --click REF --form …` sends the click with the values."""

from __future__ import annotations

import json

import pytest

import app
from bot.terminal import render_text
from bot.terminal_chat import fill_in, form_values
from conversation import Reply
from storage.models import Proposal
from tests.channel_helpers import OVERRIDE_FORM, make_proposal

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"


def chat(ladder, *argv: str) -> int:
    args = app.parser().parse_args(["chat", *argv])
    return app.cmd_chat(args, ladder)


def test_a_reply_with_a_form_prints_its_fields():
    text, refs = render_text(Reply(text="An override needs a reason.", form=OVERRIDE_FORM))
    assert refs == []
    assert text.splitlines()[2:] == [
        "┌ Override proposal 17 for Maya Patel",
        "│ Say what should happen instead and why.",
        "│ Your reason is recorded in the audit trail.",
        "│ Change to (change, required): one of DS101, DS110",
        "│ Reason (reason, required)",
        "│ Note for Maya (note, optional)",
    ]
    same = render_text(Reply(text=OVERRIDE_FORM.intro, form=OVERRIDE_FORM))[0]
    assert same.count("Say what should happen instead") == 1  # the intro is not said twice


def test_fill_in_asks_each_field_until_the_required_ones_are_answered():
    answers = iter(["2", "", "She starts a data project", ""])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    assert fill_in(OVERRIDE_FORM, ask) == {"change": "DS110", "reason": "She starts a data project"}
    assert [p.split(" (")[0] for p in asked] == ["Change to", "Reason", "Reason", "Note for Maya"]

    def give_up(prompt: str) -> str:
        raise EOFError

    assert fill_in(OVERRIDE_FORM, give_up) is None


def test_form_arguments_are_name_value_pairs():
    assert form_values(["reason=too soon", "change=DS101", "empty="]) == {"reason": "too soon", "change": "DS101", "empty": ""}
    with pytest.raises(ValueError):
        form_values(["reason"])


def _status(ladder, proposal_id: int) -> str:
    with ladder.db.session() as s:
        return s.get(Proposal, proposal_id).status.value


def test_a_click_that_needs_inputs_says_what_to_pass_and_the_values_decide(fresh_demo, capsys):
    proposal_id, version = make_proposal(fresh_demo, MAYA, DANIEL, source="terminal-test")
    ref = f"override:{proposal_id}:{version}"

    assert chat(fresh_demo, "--as", DANIEL, "--click", ref, "--json") == 0
    asked = json.loads(capsys.readouterr().out)
    assert asked["form"]["submit"] == ref
    assert [(f["name"], f["required"]) for f in asked["form"]["fields"]] == [("change", True), ("reason", True)]
    change = asked["form"]["fields"][0]["choices"][0]["value"]

    assert chat(fresh_demo, "--as", DANIEL, "--click", ref) == 0
    assert f"Send it with: --click {ref} --form change=… --form reason=…" in capsys.readouterr().out
    assert _status(fresh_demo, proposal_id) == "proposed"  # asking decided nothing

    assert chat(fresh_demo, "--as", DANIEL, "--click", ref, "--form", f"change={change}",
                "--form", "reason=Maya starts a data project", "--json") == 0
    decided = json.loads(capsys.readouterr().out)
    assert decided["form"] is None and decided["data"]["status"] == "decided"
    assert _status(fresh_demo, proposal_id) in ("overridden", "executed")


def test_form_values_without_a_click_or_without_a_name_are_refused(fresh_demo, capsys):
    assert chat(fresh_demo, "--as", MAYA, "--message", "hi", "--form", "reason=x") == 2
    assert "use it with --click" in capsys.readouterr().err
    assert chat(fresh_demo, "--as", MAYA, "--click", "enrol:1", "--form", "reason") == 2
    assert "NAME=VALUE" in capsys.readouterr().err

"""Clicks that need inputs answer with a typed Form; its submission (the same click, form_submitted) decides."""

from __future__ import annotations

from approvals_helpers import DANIEL, MAYA, button, click, prepare, proposal, propose_enrolment, say

from conversation import ActionRef
from handlers.approval_text import parse_challenge, parse_decision, parse_resolution
from storage.models import ProposalStatus


def test_reject_from_a_card_asks_for_an_optional_reason_then_decides(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    pid = propose_enrolment(ladder)
    ref = button(say(ladder, DANIEL, "my approvals"), "reject")

    asked = click(ladder, DANIEL, ref, {"reason": "typed before the form"})
    assert asked.form is not None and asked.data["intent"] == "reject_form" and "form" not in asked.data
    assert asked.form.submit == ref and [(f.name, f.required) for f in asked.form.fields] == [("reason", False)]
    assert asked.form.missing({}) == [] and proposal(ladder, pid).status == ProposalStatus.proposed

    done = click(ladder, DANIEL, asked.form.submit, {}, form_submitted=True)  # the reason is optional
    assert done.data["status"] == "decided" and done.replace_original
    assert proposal(ladder, pid).status == ProposalStatus.rejected
    # The text command decides at once; the form isn't offered for a decision that can't happen any more.
    assert say(ladder, DANIEL, f"reject {pid} because twice").data["status"] == "stale"
    again = click(ladder, DANIEL, ref)
    assert again.form is None and again.data["status"] == "stale" and "Already decided" in again.text


def test_override_and_challenge_forms_are_typed(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    pid = propose_enrolment(ladder)
    version = proposal(ladder, pid).version

    by_text = say(ladder, DANIEL, f"override {pid}")
    form = by_text.form
    assert form is not None and form.submit == ActionRef.decode(f"override:{pid}:{version}").encode()
    change, reason = form.fields
    assert (change.name, change.kind, reason.name, reason.required) == ("change", "choice", "reason", True)
    assert any(c.value == "DB101" for c in change.choices) and {f.name for f in form.missing({"change": "DB101"})} == {"reason"}

    refused = say(ladder, MAYA, f"override {pid}")  # not hers to decide: a refusal, no form
    assert refused.form is None and refused.data["status"] == "forbidden"

    ask = click(ladder, MAYA, f"challenge:{pid}")
    assert ask.data["intent"] == "challenge_form" and ask.form is not None and ask.form.submit == f"challenge:{pid}"
    opened = click(ladder, MAYA, ask.form.submit, {"reason": "I finished it last year"}, form_submitted=True)
    assert opened.data["status"] == "opened"


def test_the_exact_command_forms_are_parsed_with_their_parts():
    assert parse_decision("approve 12").verb == "approve"
    d = parse_decision("decline proposal #7, because budget")
    assert (d.verb, d.proposal_id, d.change, d.reason) == ("reject", 7, None, "budget")
    d = parse_decision("override 12 with DS101 because she needs it first")
    assert (d.change, d.reason) == ("DS101", "she needs it first")
    assert parse_decision("approve 12 thanks a lot you") is None  # not the command form: understanding finds the parts
    assert parse_resolution("uphold 3 because done").outcome == "upheld"
    assert parse_challenge("I disagree with proposal 4 because no") == parse_challenge("challenge #4 because no")


def test_approvals_said_in_plain_words_are_understood_with_their_parts(understand):
    daniel = "daniel.okafor@kestrel.example"
    thanks = understand("approve 12 thanks a lot you", daniel)
    assert (thanks.kind.value, thanks.value("verb"), thanks.value("proposal_id")) == ("decide_proposal", "approve", 12)
    assert understand("uphold 3 because done", "priya.raman@kestrel.example").value("verdict") == "uphold"
    disagree = understand("I disagree with proposal 4 because no")
    assert (disagree.kind.value, disagree.value("proposal_id")) == ("challenge_proposal", 4)
    assert understand("why was I recommended this?").kind.value == "explain_proposal"
    assert understand("my approvals", daniel).kind.value == "my_approvals"
    assert understand("what's my path to data scientist?").kind.value == "career_path"

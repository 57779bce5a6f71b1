"""The form a reply asks for, whichever channel renders it (a Slack modal, a Teams card, terminal prompts).

A use case asks for inputs with ``Reply.form``. Until the approvals use cases do so, override and challenge
describe their inputs in ``Reply.data["form"]`` and reject asks for none: the stand-ins below keep those flows
as they were (``MERGE: remove`` once the approvals branch has landed).
"""

from __future__ import annotations

from typing import Any

from conversation import ActionKind, ActionRef, Choice, Form, FormField, Reply

# MERGE: remove (with _legacy_form and reject_reason_form): the approvals use cases title their own forms.
_LEGACY_TITLES = {ActionKind.reject: "Reject proposal", ActionKind.override: "Override proposal",
                  ActionKind.challenge: "Challenge this"}
_REJECT_INTRO = "Tell the person why (optional, but it helps). Your reason is recorded in the audit trail."


def requested_form(reply: Reply, clicked: ActionRef | None = None) -> Form | None:
    """The inputs ``reply`` asks for before ``clicked`` can run (None: the reply is the answer)."""
    if reply.form is not None:
        return reply.form
    return _legacy_form(reply, clicked)  # MERGE: remove


def _legacy_form(reply: Reply, clicked: ActionRef | None) -> Form | None:
    """MERGE: remove. ``data["form"]``: [{name, label, required, options: [{value, label}]}] for a clicked button."""
    fields = reply.data.get("form")
    if clicked is None or not isinstance(fields, list) or not fields:
        return None
    return Form(title=_LEGACY_TITLES.get(clicked.kind, "Ladder"), submit=clicked.encode(), intro=reply.text,
                fields=[_legacy_field(f) for f in fields if isinstance(f, dict) and f.get("name")])


def _legacy_field(field: dict[str, Any]) -> FormField:
    choices = [Choice(label=str(o["label"]), value=str(o["value"])) for o in field.get("options") or []]
    return FormField(name=str(field["name"]), label=str(field.get("label") or field["name"]),
                     kind="choice" if choices else "multiline", required=bool(field.get("required", False)),
                     choices=choices)


def reject_reason_form(clicked: ActionRef) -> Form | None:
    """MERGE: remove. Slack asked for an optional reason before a reject ran; the reject use case will ask itself."""
    if clicked.kind != ActionKind.reject:
        return None
    return Form(title=_LEGACY_TITLES[ActionKind.reject], submit=clicked.encode(), intro=_REJECT_INTRO,
                fields=[FormField(name="reason", label="Reason", required=False)])


def with_form(reply: Reply, clicked: ActionRef | None) -> Reply:
    """``reply`` with the form it asks for in ``Reply.form`` (where renderers look for it)."""
    form = requested_form(reply, clicked)
    return reply if form is reply.form else reply.model_copy(update={"form": form})

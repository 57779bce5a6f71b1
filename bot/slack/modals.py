"""Form → Slack modal, and a submitted modal → the form's values. Pure functions: no I/O, no client.

The modal carries what its submission needs in ``private_metadata``: the action reference it performs, which
inputs are required (checked again on submission: Slack's clients enforce them, hand-made payloads need not),
and where the click came from, to answer there afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from conversation import Form, FormField
from bot.slack.action_ids import BlockId, CallbackId
from bot.slack.blocks import BUTTON_TEXT_MAX, clip, escape, split_text

MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24
LABEL_MAX = 2000
PLACEHOLDER_MAX = 150
INPUT_MAX = 3000
MODAL_OPTIONS_MAX = 100
OPTION_VALUE_MAX = 150


def field_block_id(name: str) -> str:
    return f"{BlockId.field.value}.{name}"


def _element(field: FormField) -> Any:
    placeholder = PlainTextObject(text=clip(field.placeholder, PLACEHOLDER_MAX)) if field.placeholder else None
    if field.kind == "choice":
        options = [Option(text=PlainTextObject(text=clip(c.label, BUTTON_TEXT_MAX)), value=c.value)
                   for c in field.choices if len(c.value) <= OPTION_VALUE_MAX][:MODAL_OPTIONS_MAX]
        initial = next((o for o in options if o.value == field.initial), None)
        return StaticSelectElement(action_id=field.name, options=options, initial_option=initial,
                                   placeholder=placeholder or PlainTextObject(text="Choose…"))
    return PlainTextInputElement(action_id=field.name, multiline=field.kind == "multiline",
                                 max_length=min(field.max_length, INPUT_MAX), initial_value=field.initial or None,
                                 placeholder=placeholder)


def modal_view(form: Form, where: dict[str, Any]) -> dict[str, Any]:
    """The modal asking for ``form``'s inputs; ``where`` (channel, message ts…) says where to answer afterwards."""
    intro = split_text(escape(form.intro))[0] if form.intro.strip() else ""
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=intro))] if intro else []
    for field in form.fields:
        blocks.append(InputBlock(block_id=field_block_id(field.name), label=PlainTextObject(text=clip(field.label or field.name, LABEL_MAX)),
                                 element=_element(field), optional=not field.required))
    metadata = {"ref": form.submit, "required": [f.name for f in form.fields if f.required], **where}
    return {
        "type": "modal",
        "callback_id": CallbackId.form_modal.value,
        "title": PlainTextObject(text=clip(form.title or "Ladder", MODAL_TITLE_MAX)).to_dict(),
        "submit": PlainTextObject(text=clip(form.submit_label or "Submit", MODAL_BUTTON_MAX)).to_dict(),
        "close": PlainTextObject(text="Cancel").to_dict(),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": [b.to_dict() for b in blocks],
    }


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What ``modal_view`` put in the view's private_metadata ({} if it is missing or not ours)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def submitted_values(state_values: dict[str, Any]) -> dict[str, str]:
    """view.state.values → {input name: value} (text inputs and selects; blank inputs omitted)."""
    values: dict[str, str] = {}
    for block_id, inputs in state_values.items():
        if not str(block_id).startswith(BlockId.field.value + "."):
            continue
        for name, state in (inputs or {}).items():
            value = (state or {}).get("value")
            if value is None:
                value = ((state or {}).get("selected_option") or {}).get("value")
            if value and str(value).strip():
                values[name] = str(value).strip()
    return values

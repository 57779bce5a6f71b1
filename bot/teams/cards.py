"""Reply → Adaptive Card 1.5. Pure functions: no I/O, no SDK, the same input always gives the same card.

Layout of one Ladder card:
  the reply text, one TextBlock per line (``*bold*`` lines as bolder text, bullets kept as "•"),
  then each ``Card`` in a separated Container (title, body, FactSet, footer, an ActionSet of
  ``Action.Execute`` buttons), then the citations as a small list, then the error id if any.

Buttons are Universal Actions: ``verb`` from ``TeamsVerb`` and ``data = {"ref": "<ActionRef>"}``. A click
comes back as an ``adaptiveCard/action`` invoke and is answered with ``card_action_response`` (the card
is replaced in place by the outcome) or, for a private note that must not destroy the card (an
``ephemeral`` reply), with ``message_action_response``.

A ``Form`` becomes ``Input.Text`` / ``Input.ChoiceSet`` elements and one submit button whose data carries
the form's ref and ``FORM_KEY``; Teams sends the inputs' values back merged into that data.
"""

from __future__ import annotations

from typing import Any

from conversation import ActionRef, Card, Form, FormField, Reply
from bot.teams.verbs import TeamsVerb

ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"

_BUTTON_STYLE = {"primary": "positive", "danger": "destructive", "default": "default"}
FORM_KEY = "ladder.form"  # in a submit button's data: the other values beside "ref" are the form's inputs
PLEASE_FILL_IN = "Please fill this in."


def _text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _text_lines(text: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if len(line) > 2 and line.startswith("*") and line.endswith("*"):
            blocks.append(_text_block(line.strip("*"), weight="Bolder", spacing="Medium"))
        else:
            blocks.append(_text_block(line, spacing="Small" if blocks else "None"))
    return blocks


def execute_action(label: str, ref: str, style: str = "default") -> dict[str, Any]:
    """One button. The ref is decoded here so a malformed one fails when the card is built, not on click."""
    decoded = ActionRef.decode(ref)
    return {
        "type": "Action.Execute",
        "title": label,
        "verb": TeamsVerb.for_kind(decoded.kind).value,
        "data": {"ref": decoded.encode()},
        "style": _BUTTON_STYLE.get(style, "default"),
    }


def _card_container(card: Card) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    if card.title:
        items.append(_text_block(card.title, weight="Bolder", size="Medium"))
    items.extend(_text_lines(card.body))
    if card.facts:
        items.append({"type": "FactSet", "facts": [{"title": f.title, "value": f.value} for f in card.facts]})
    if card.footer:
        items.append(_text_block(card.footer, isSubtle=True, size="Small"))
    if card.buttons:
        items.append({"type": "ActionSet",
                      "actions": [execute_action(b.label, b.ref, b.style) for b in card.buttons]})
    if not items:  # a Container needs at least one item
        items.append(_text_block(" "))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def _input(field: FormField) -> dict[str, Any]:
    element: dict[str, Any] = {"id": field.name, "label": field.label or field.name, "isRequired": field.required}
    if field.required:
        element["errorMessage"] = PLEASE_FILL_IN
    if field.kind == "choice":
        element.update(type="Input.ChoiceSet", style="compact",
                       choices=[{"title": c.label, "value": c.value} for c in field.choices])
    else:
        element.update(type="Input.Text", isMultiline=field.kind == "multiline", maxLength=field.max_length)
    if field.placeholder:
        element["placeholder"] = field.placeholder
    if field.initial:
        element["value"] = field.initial
    return element


def form_container(form: Form) -> dict[str, Any]:
    """The form's title, intro, inputs and submit button (its data: the ref to perform, and ``FORM_KEY``)."""
    submit = execute_action(form.submit_label or "Submit", form.submit, "primary")
    submit["data"][FORM_KEY] = True
    items = [_text_block(form.title, weight="Bolder", size="Medium"), *_text_lines(form.intro),
             *(_input(f) for f in form.fields), {"type": "ActionSet", "actions": [submit]}]
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def form_card(form: Form) -> dict[str, Any]:
    """The form on a card of its own: what a click that needs inputs is answered with."""
    return {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": CARD_VERSION, "fallbackText": form.title,
            "body": [form_container(form)]}


def submitted_values(data: Any) -> dict[str, str] | None:
    """The inputs sent with a form's submit button ({name: value}, blank ones left out); None for a plain click."""
    if not isinstance(data, dict) or FORM_KEY not in data:
        return None
    return {name: value.strip() for name, value in data.items()
            if name not in ("ref", FORM_KEY) and isinstance(value, str) and value.strip()}


def citation_line(number: int, title: str, section: str, source: str) -> str:
    where = f" › {section}" if section else ""
    origin = f" ({source})" if source else ""
    return f"[{number}] {title}{where}{origin}"


def reply_card(reply: Reply) -> dict[str, Any]:
    """The whole Reply as one Adaptive Card 1.5."""
    body = _text_lines(reply.text) or [_text_block(" ")]
    body.extend(_card_container(card) for card in reply.cards)
    if reply.form is not None:
        body.append(form_container(reply.form))
    if reply.citations:
        body.append(_text_block("Sources", weight="Bolder", size="Small", spacing="Medium", separator=True))
        body.extend(_text_block(citation_line(c.number, c.title, c.section, c.source), size="Small",
                                isSubtle=True, spacing="None") for c in reply.citations)
    if reply.error_id:
        body.append(_text_block(f"(error id {reply.error_id})", size="Small", isSubtle=True))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": CARD_VERSION,
        "fallbackText": reply.text,
        "body": body,
    }


def reply_attachment(reply: Reply) -> dict[str, Any]:
    return {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": reply_card(reply)}


FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


def file_consent_attachment(filename: str, size: int, token: str) -> dict[str, Any]:
    """Teams' way for a bot to hand over a file in a personal chat: the person accepts, Teams gives an upload URL in
    their OneDrive, the bot uploads there. ``token`` names the file kept until they answer."""
    return {"contentType": FILE_CONSENT, "name": filename,
            "content": {"description": f"{filename} — from Ladder", "sizeInBytes": size,
                        "acceptContext": {"ladder_file": token}, "declineContext": {"ladder_file": token}}}


def file_info_attachment(name: str, content_url: str, unique_id: str, file_type: str) -> dict[str, Any]:
    return {"contentType": FILE_INFO, "contentUrl": content_url, "name": name,
            "content": {"uniqueId": unique_id, "fileType": file_type}}


def summary(reply: Reply) -> str:
    """The first line, for notifications and the chat list preview."""
    first = next((line for line in reply.text.splitlines() if line.strip()), "Ladder")
    return first.strip("*")[:200]


def card_action_response(reply: Reply) -> dict[str, Any]:
    """Invoke response body that replaces the clicked card with the outcome."""
    return {"statusCode": 200, "type": ADAPTIVE_CARD_CONTENT_TYPE, "value": reply_card(reply)}


def form_response(form: Form) -> dict[str, Any]:
    """Invoke response body that turns the clicked card into the form."""
    return {"statusCode": 200, "type": ADAPTIVE_CARD_CONTENT_TYPE, "value": form_card(form)}


def message_action_response(text: str) -> dict[str, Any]:
    """Invoke response body that shows a short message and leaves the card as it was."""
    return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": text}


def action_response(reply: Reply) -> dict[str, Any]:
    if reply.ephemeral and not reply.cards:
        return message_action_response(reply.text)
    return card_action_response(reply)


def decode_action(verb: str | None, data: Any) -> ActionRef:
    """The ActionRef a clicked ``Action.Execute`` carries; ValueError unless verb and ref agree."""
    if not isinstance(data, dict) or not isinstance(data.get("ref"), str):
        raise ValueError("card action without a ref")
    ref = ActionRef.decode(data["ref"])
    try:
        expected = TeamsVerb(verb)
    except ValueError as exc:
        raise ValueError(f"unknown verb {verb!r}") from exc
    if expected.kind != ref.kind:
        raise ValueError(f"verb {verb!r} does not match action {ref.kind.value!r}")
    return ref


def visible_text(card: dict[str, Any]) -> list[str]:
    """Every piece of text a person sees on a card, in order (TextBlocks, facts, button titles)."""
    out: list[str] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for el in elements:
            kind = el.get("type")
            if kind == "TextBlock":
                if el["text"].strip():
                    out.append(el["text"])
            elif kind == "FactSet":
                out.extend(f"{f['title']}: {f['value']}" for f in el["facts"])
            elif kind == "Container":
                walk(el["items"])
            elif kind == "ActionSet":
                out.extend(a["title"] for a in el["actions"])

    walk(card.get("body", []))
    out.extend(a["title"] for a in card.get("actions", []))
    return out

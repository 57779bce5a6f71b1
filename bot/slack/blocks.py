"""Reply → Block Kit. Pure functions: no I/O, no Slack client, no database.

Built with ``slack_sdk.models`` (whose ``to_dict()`` checks Slack's own limits) and kept inside them:
3000 characters per section text, 10 fields per section, 10 elements per context block, 25 elements
per actions block, 75 characters per button label, 50 blocks per message (100 for a Home tab) — long
replies become several messages, split at line boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
)

from conversation import ActionRef, Button, Card, Form, Reply
from bot.slack.action_ids import ActionId

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_PER_SECTION = 10
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
OVERFLOW_VALUE_MAX = 150
OVERFLOW_OPTIONS_MAX = 5
BUTTONS_BEFORE_OVERFLOW = 5  # more than this: the first few stay buttons, the rest go in "more" menus
MESSAGE_BLOCKS_MAX = 50
HOME_BLOCKS_MAX = 100
FALLBACK_TEXT_MAX = 3000


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage / chat.update worth of content."""

    text: str  # notification / screen-reader fallback
    blocks: list[dict[str, Any]] = field(default_factory=list)


def escape(text: str) -> str:
    """Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Chunks of at most ``limit`` characters, cut at line ends (or, for one huge line, at spaces)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        pieces = [line] if len(line) <= limit else _split_line(line, limit)
        for piece in pieces:
            candidate = piece if not current else f"{current}\n{piece}"
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current or not chunks:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]


def _split_line(line: str, limit: int) -> list[str]:
    out: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        out.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    if line:
        out.append(line)
    return out


def _section(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in split_text(text) if chunk.strip()]


def _button(button: Button, n: int) -> ButtonElement | None:
    try:
        ref = ActionRef.decode(button.ref)
    except ValueError:
        return None  # a malformed reference never reaches Slack
    if len(button.ref) > BUTTON_VALUE_MAX:
        return None
    return ButtonElement(
        text=PlainTextObject(text=clip(button.label, BUTTON_TEXT_MAX), emoji=True),
        action_id=ActionId.for_kind(ref.kind).numbered(n),
        value=button.ref,
        style=None if button.style == "default" else button.style,
    )


def _actions(buttons: list[Button], counter: list[int]) -> list[Block]:
    """Buttons, with an overflow menu ("more") for those beyond the first few."""
    usable = [b for b in buttons if _valid_ref(b.ref)]
    if len(usable) > BUTTONS_BEFORE_OVERFLOW:
        shown, rest = usable[: BUTTONS_BEFORE_OVERFLOW - 1], usable[BUTTONS_BEFORE_OVERFLOW - 1 :]
    else:
        shown, rest = usable, []
    elements: list[Any] = []
    for b in shown:
        counter[0] += 1
        element = _button(b, counter[0])
        if element is not None:
            elements.append(element)
    overflow_ready = [b for b in rest if len(b.ref) <= OVERFLOW_VALUE_MAX]
    for i in range(0, len(overflow_ready), OVERFLOW_OPTIONS_MAX):
        counter[0] += 1
        options = [Option(text=PlainTextObject(text=clip(b.label, BUTTON_TEXT_MAX), emoji=True), value=b.ref)
                   for b in overflow_ready[i : i + OVERFLOW_OPTIONS_MAX]]
        elements.append(OverflowMenuElement(action_id=ActionId.overflow.numbered(counter[0]), options=options))
    return [ActionsBlock(elements=elements[i : i + ACTIONS_ELEMENTS_MAX]) for i in range(0, len(elements), ACTIONS_ELEMENTS_MAX)]


def _valid_ref(ref: str) -> bool:
    try:
        ActionRef.decode(ref)
    except ValueError:
        return False
    return len(ref) <= BUTTON_VALUE_MAX


def _context(texts: list[str]) -> list[Block]:
    items = [clip(t, FIELD_TEXT_MAX) for t in texts if t.strip()]
    return [ContextBlock(elements=[MarkdownTextObject(text=t) for t in items[i : i + CONTEXT_ELEMENTS_MAX]])
            for i in range(0, len(items), CONTEXT_ELEMENTS_MAX)]


def card_blocks(card: Card, counter: list[int]) -> list[Block]:
    blocks: list[Block] = []
    head = f"*{escape(card.title)}*" if card.title else ""
    body = escape(card.body)
    text = "\n".join(t for t in (head, body) if t)
    if text:
        blocks.extend(_section(text))
    fields = [MarkdownTextObject(text=clip(f"*{escape(f.title)}*\n{escape(f.value)}", FIELD_TEXT_MAX)) for f in card.facts]
    for i in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append(SectionBlock(fields=fields[i : i + FIELDS_PER_SECTION]))
    if card.footer:
        blocks.extend(_context([escape(card.footer)]))
    if card.buttons:
        blocks.extend(_actions(card.buttons, counter))
    return blocks


def _form_opener(form: Form, counter: list[int]) -> list[Block]:
    """A message can't open a modal by itself (that takes a click's trigger_id): a button that performs the
    form's action without inputs, which the use case answers with the form again — in a modal this time."""
    return _actions([Button(label=form.title or form.submit_label, ref=form.submit, style="primary")], counter)


def citation_text(c) -> str:
    where = f" › {c.section}" if c.section else ""
    source = f" ({c.source})" if c.source else ""
    return escape(f"[{c.number}] {c.title}{where}{source}")


def reply_blocks(reply: Reply) -> list[Block]:
    counter = [0]
    blocks: list[Block] = list(_section(escape(reply.text)))
    for card in reply.cards:
        if blocks:
            blocks.append(DividerBlock())
        blocks.extend(card_blocks(card, counter))
    if reply.form is not None:
        blocks.extend(_form_opener(reply.form, counter))
    if reply.citations:
        blocks.extend(_context([citation_text(c) for c in reply.citations]))
    if reply.error_id and reply.error_id not in reply.text:
        blocks.extend(_context([f"Error id: `{escape(reply.error_id)}`"]))
    return blocks


def fallback_text(reply: Reply) -> str:
    lines = [line.strip("*") if line.startswith("*") and line.endswith("*") else line for line in reply.text.splitlines()]
    return clip("\n".join(lines), FALLBACK_TEXT_MAX) or "Ladder"


def render(reply: Reply, *, max_blocks: int = MESSAGE_BLOCKS_MAX) -> list[SlackMessage]:
    """One or more messages (each within ``max_blocks``); the first carries the reply's fallback text."""
    dicts = [b.to_dict() for b in reply_blocks(reply)]
    # A divider never starts a continuation message.
    messages: list[SlackMessage] = []
    chunk: list[dict[str, Any]] = []
    for block in dicts:
        if len(chunk) == max_blocks:
            messages.append(SlackMessage(text="", blocks=chunk))
            chunk = []
        if not chunk and block["type"] == "divider":
            continue
        chunk.append(block)
    if chunk or not messages:
        messages.append(SlackMessage(text="", blocks=chunk))
    first = fallback_text(reply)
    return [SlackMessage(text=first if i == 0 else f"{clip(first, 200)} (continued {i + 1}/{len(messages)})", blocks=m.blocks)
            for i, m in enumerate(messages)]


def home_view(reply: Reply) -> dict[str, Any]:
    """An App Home tab: the first HOME_BLOCKS_MAX blocks of the reply (the page is for an overview)."""
    blocks = render(reply, max_blocks=HOME_BLOCKS_MAX)[0].blocks
    return {"type": "home", "blocks": blocks}


def clicked_blocks(original: list[dict[str, Any]], who: str, label: str, *, action_id: str, whole_block: bool,
                   block_id: str | None = None) -> list[dict[str, Any]]:
    """The original message after a click, with a line saying who chose what.

    The pressed button goes (so it can't be pressed twice by accident); for a decision the whole row of
    buttons goes. The answer itself is posted in the thread.
    """
    kept: list[dict[str, Any]] = []
    for block in original:
        if block.get("type") == "actions":
            contains = (block_id is not None and block.get("block_id") == block_id) or any(
                e.get("action_id") == action_id for e in block.get("elements", []))
            if contains and whole_block:
                continue
            if contains:
                block = {**block, "elements": [e for e in block.get("elements", []) if e.get("action_id") != action_id]}
                if not block["elements"]:
                    continue
        kept.append(block)
    note = ContextBlock(elements=[MarkdownTextObject(text=clip(f"✅ {who} chose “{escape(label)}”", FIELD_TEXT_MAX))]).to_dict()
    return (kept + [note])[-MESSAGE_BLOCKS_MAX:]

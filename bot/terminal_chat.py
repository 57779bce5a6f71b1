"""The terminal adapter: `python app.py chat --as EMAIL`, interactive or one message at a time."""

from __future__ import annotations

import sys

from conversation import ActionRef, Channel, Message
from handlers.router import Router
from bot.terminal import render_json, render_text
from handlers.context import Ladder

PROMPT = "you › "


def _message(email: str, conversation: str, text: str = "", ref: ActionRef | None = None) -> Message:
    return Message(channel=Channel.terminal, sender_email=email, conversation_id=conversation, text=text, action=ref)


def one_shot(ladder: Ladder, email: str, *, message: str | None, click: str | None, as_json: bool, conversation: str) -> int:
    router = Router(ladder)
    if click is not None:
        try:
            ref = ActionRef.decode(click)
        except ValueError as exc:
            print(f"That is not a button reference Ladder gave out ({exc}).", file=sys.stderr)
            return 2
        reply = router.handle(_message(email, conversation, ref=ref))
    else:
        reply = router.handle(_message(email, conversation, text=message or ""))
    if as_json:
        print(render_json(reply))
    else:
        print(render_text(reply)[0])
    return 1 if reply.error_id else 0


def interactive(ladder: Ladder, email: str, *, conversation: str) -> int:
    router = Router(ladder)
    color = sys.stdout.isatty()
    print(f"Ladder — chatting as {email}. Type a question, a button number to click it, or 'quit'.")
    refs: list[str] = []
    while True:
        try:
            line = input(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            continue
        if line.lower() in ("quit", "exit", ":q"):
            return 0
        if line.isdigit() and refs:
            index = int(line) - 1
            if not 0 <= index < len(refs):
                print(f"There is no button {line}; pick 1–{len(refs)}.")
                continue
            reply = router.handle(_message(email, conversation, ref=ActionRef.decode(refs[index])))
        else:
            reply = router.handle(_message(email, conversation, text=line))
        text, new_refs = render_text(reply, color=color)
        if new_refs or not reply.ephemeral:
            refs = new_refs or refs
        print(f"ladder › {text}\n")

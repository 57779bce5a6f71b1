"""The terminal adapter: `python app.py chat --as EMAIL`, interactive or one message at a time."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bot.terminal import field_line, form_hint, render_json, render_text, save_attachments
from conversation import ActionRef, Channel, Form, Message
from handlers.context import Ladder
from handlers.router import Router

PROMPT = "you › "
# Asks the person one question and returns the answer (``input`` at a terminal); EOFError means "give up".
Ask = Callable[[str], str]


def _message(email: str, conversation: str, text: str = "", ref: ActionRef | None = None,
             form: dict[str, str] | None = None) -> Message:
    return Message(channel=Channel.terminal, sender_email=email, conversation_id=conversation, text=text, action=ref,
                   form=form or {}, form_submitted=form is not None)


def form_values(pairs: list[str]) -> dict[str, str]:
    """``--form NAME=VALUE`` arguments → {name: value}; ValueError names an argument without ``=``."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--form takes NAME=VALUE, not {pair!r}.")
        values[name.strip()] = value
    return values


def files_folder(ladder: Ladder) -> Path:
    """Where the terminal saves the files a reply carries (a chart, a data export)."""
    return ladder.settings.data_dir / "files"


def one_shot(ladder: Ladder, email: str, *, message: str | None, click: str | None, as_json: bool, conversation: str,
             form: dict[str, str] | None = None) -> int:
    router = Router(ladder)
    ref = None
    if click is not None:
        try:
            ref = ActionRef.decode(click)
        except ValueError as exc:
            print(f"That is not a button reference Ladder gave out ({exc}).", file=sys.stderr)
            return 2
        reply = router.handle(_message(email, conversation, ref=ref, form=form or None))
    else:
        reply = router.handle(_message(email, conversation, text=message or ""))
    saved = save_attachments(reply, files_folder(ladder))
    if as_json:
        print(render_json(reply, saved))
    else:
        print(render_text(reply, saved=saved)[0])
        if reply.form is not None:
            print(form_hint(reply.form))
    return 1 if reply.error_id else 0


def fill_in(form: Form, ask: Ask) -> dict[str, str] | None:
    """Ask for each field in turn (a required one until it is answered); None when the person gives up."""
    values: dict[str, str] = {}
    for field in form.fields:
        while True:
            try:
                answer = ask(f"{field_line(field)} › ").strip()
            except (EOFError, KeyboardInterrupt):
                return None
            if field.choices and answer.isdigit() and 0 < int(answer) <= len(field.choices):
                answer = field.choices[int(answer) - 1].value
            if answer or not field.required:
                break
        if answer:
            values[field.name] = answer
    return values


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
        ref = None
        if line.isdigit() and refs:
            index = int(line) - 1
            if not 0 <= index < len(refs):
                print(f"There is no button {line}; pick 1–{len(refs)}.")
                continue
            ref = ActionRef.decode(refs[index])
            reply = router.handle(_message(email, conversation, ref=ref))
        else:
            reply = router.handle(_message(email, conversation, text=line))
        text, new_refs = render_text(reply, color=color, saved=save_attachments(reply, files_folder(ladder)))
        if new_refs or not reply.ephemeral:
            refs = new_refs or refs
        print(f"ladder › {text}\n")
        while reply.form is not None:  # the answer needs inputs first: ask for them, then send them
            values = fill_in(reply.form, input)
            if values is None:
                print("(not sent)\n")
                break
            ref = ActionRef.decode(reply.form.submit)
            reply = router.handle(_message(email, conversation, ref=ref, form=values))
            print(f"ladder › {render_text(reply, color=color)[0]}\n")

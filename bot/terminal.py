"""The terminal channel: render a Reply as text with numbered buttons (and the form it asks for), or as JSON."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from conversation import Form, FormField, Reply

RESET, BOLD, DIM = "\033[0m", "\033[1m", "\033[2m"


def save_attachments(reply: Reply, folder: Path) -> list[Path]:
    """The reply's files (a chart, a data export), written under ``folder``: a terminal cannot show them. Readable by
    their owner only: an export is personal data."""
    saved = []
    for attachment in reply.attachments:
        folder.mkdir(parents=True, exist_ok=True)
        name = Path(attachment.filename).name  # never a path the reply chose outside the folder
        stem, dot, ext = name.rpartition(".")
        path = folder / f"{stem or ext}-{uuid.uuid4().hex[:8]}{dot}{ext if stem else ''}"  # a later file never overwrites
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(attachment.data)
        saved.append(path)
    return saved


def render_text(reply: Reply, *, color: bool = False, saved: list[Path] | None = None) -> tuple[str, list[str]]:
    """Text for a terminal, and the action refs of the numbered buttons in display order."""
    bold = (lambda s: f"{BOLD}{s}{RESET}") if color else (lambda s: s)
    dim = (lambda s: f"{DIM}{s}{RESET}") if color else (lambda s: s)
    lines = [_markdown(reply.text, bold)]
    refs: list[str] = []
    for card in reply.cards:
        lines.append("")
        if card.title:
            lines.append(bold(f"┌ {card.title}"))
        if card.body:
            lines.extend(f"│ {line}" for line in card.body.splitlines())
        for fact in card.facts:
            lines.append(f"│ {fact.title}: {fact.value}")
        if card.footer:
            lines.append(dim(f"│ {card.footer}"))
        for button in card.buttons:
            refs.append(button.ref)
            lines.append(f"│ [{len(refs)}] {button.label}")
    if reply.form is not None:
        lines.append("")
        # A form's intro is often the reply's own text (both are said where there is no modal): once is enough.
        lines.extend(form_lines(reply.form, bold, intro=reply.form.intro.strip() != reply.text.strip()))
    if reply.citations:
        lines.append("")
        lines.append(dim("Sources:"))
        for c in reply.citations:
            where = f" › {c.section}" if c.section else ""
            lines.append(dim(f"  [{c.number}] {c.title}{where} ({c.source})"))
    for attachment, path in zip(reply.attachments, saved or []):
        lines.append(f"📎 {attachment.alt_text or attachment.filename}: saved to {path}")
    if reply.error_id:
        lines.append(dim(f"(error id {reply.error_id})"))
    return "\n".join(lines), refs


def form_lines(form: Form, bold=lambda s: s, *, intro: bool = True) -> list[str]:
    """The form as a box: its title, intro and one line per field (what it is, whether it is needed, choices)."""
    lines = [bold(f"┌ {form.title}")]
    if intro:
        lines.extend(f"│ {line}" for line in form.intro.splitlines() if line.strip())
    lines.extend(f"│ {field_line(f)}" for f in form.fields)
    return lines


def field_line(field: FormField) -> str:
    need = "required" if field.required else "optional"
    choices = f": one of {', '.join(c.value for c in field.choices)}" if field.choices else ""
    return f"{field.label} ({field.name}, {need}){choices}"


def form_hint(form: Form) -> str:
    """How to send the form from the command line."""
    values = " ".join(f"--form {f.name}=…" for f in form.fields)
    return f"Send it with: --click {form.submit} {values}".rstrip()


def _markdown(text: str, bold) -> str:
    out = []
    for line in text.splitlines():
        if line.startswith("*") and line.endswith("*") and len(line) > 2:
            line = bold(line.strip("*"))
        out.append(line)
    return "\n".join(out)


def render_json(reply: Reply, saved: list[Path] | None = None) -> str:
    """The reply as JSON; its files are named by where they were saved, not inlined."""
    data = reply.model_dump(mode="json", exclude={"attachments"})
    data["attachments"] = [{"filename": a.filename, "content_type": a.content_type, "size": a.size,
                            "path": str(p) if p is not None else None}
                           for a, p in zip(reply.attachments, [*(saved or []), *[None] * len(reply.attachments)])]
    return json.dumps(data, indent=2, ensure_ascii=False)

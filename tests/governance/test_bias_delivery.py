"""A reply's image reaches each channel: Teams as an inline attachment after the card, the terminal as a file."""

from __future__ import annotations

import base64

from bot.teams.bot import reply_activity
from bot.terminal import render_text, save_attachments
from conversation import Attachment, Reply
from governance.bias import Decision, audit
from handlers.bias_chart import impact_ratio_chart


def _chart_reply() -> Reply:
    decisions = [Decision(i, {"sex": "F" if i % 2 else "M", "race_ethnicity": "A" if i % 3 else "B"}, i % 5 < 2)
                 for i in range(200)]
    png, alt = impact_ratio_chart([audit("x", decisions)])
    return Reply(text="audit", attachments=[Attachment(filename="bias-audit.png", content_type="image/png", data=png, alt_text=alt)])


def test_chart_is_a_png_with_alt_text_naming_the_line():
    reply = _chart_reply()
    [chart] = reply.attachments
    assert chart.data.startswith(b"\x89PNG") and "dashed line at 0.8" in chart.alt_text
    assert Reply.model_validate_json(reply.model_dump_json()).attachments[0].data == chart.data  # --json keeps the bytes


def test_teams_sends_the_image_inline_after_the_card():
    reply = _chart_reply()
    activity = reply_activity(reply)
    card, image = activity.attachments
    assert card.content_type == "application/vnd.microsoft.card.adaptive"
    assert image.content_type == "image/png" and image.name == reply.attachments[0].alt_text
    assert base64.b64decode(image.content_url.split(",", 1)[1]) == reply.attachments[0].data


def test_terminal_writes_the_image_under_the_data_folder(tmp_path):
    reply = _chart_reply()
    [path] = save_attachments(reply, tmp_path / "attachments")
    [written] = (tmp_path / "attachments").glob("bias-audit-*.png")
    assert path == written and written.read_bytes() == reply.attachments[0].data
    assert f"saved to {written}" in render_text(reply, saved=[path])[0]
    assert save_attachments(Reply(text="no files"), tmp_path / "none") == [] and not (tmp_path / "none").exists()

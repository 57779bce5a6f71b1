"""An HR admin shares a document with Ladder in a DM and asks to add it to the knowledge base."""

from __future__ import annotations

import asyncio

from slack_harness import direct_message, person_id, serving, slack_id

DOC = b"""---
title: Bike to work scheme
audience: everyone
updated: 2026-11-01
contact: people-ops@kestrel.example
topic: benefits
---
# Bike to work scheme

## How it works
Kestrel pays up to 1,200 EUR towards a bicycle for commuting, repaid over 12 months from gross salary.
"""


def _file_event(user: str, text: str, url: str) -> dict:
    return direct_message(user, text, subtype="file_share",
                          files=[{"id": "F0BIKE", "name": "bike scheme.md", "size": len(DOC), "url_private_download": url}])


def test_admin_adds_a_shared_file_and_an_employee_cannot(fresh_demo, tmp_path):
    (tmp_path / "no-model").mkdir()
    fresh_demo.settings.embedding_model_dir = tmp_path / "no-model"  # lexical retrieval: fast
    priya = slack_id(person_id(fresh_demo, "priya.raman@kestrel.example"))
    maya = slack_id(person_id(fresh_demo, "maya.patel@kestrel.example"))

    async def scenario():
        async with serving(fresh_demo) as h:
            h.api.files["bike.md"] = DOC
            await h.slack.event(_file_event(maya, "add to knowledge base", h.api.file_url("bike.md")))
            [refused] = await h.api.wait_for("chat.postMessage")
            assert "To manage the knowledge base you need to be in HR or in L&D or an admin" in refused.args["text"]
            await h.slack.event(_file_event(priya, "please add this to the knowledge base", h.api.file_url("bike.md")))
            posts = await h.api.wait_for("chat.postMessage", 2, timeout=60)
            assert "Knowledge base updated: 1 added" in posts[1].args["text"]
            await h.slack.event(direct_message(maya, "how much does Kestrel pay towards a bicycle?"))
            posts = await h.api.wait_for("chat.postMessage", 3, timeout=60)
            assert "1,200 EUR" in posts[2].args["text"]

    asyncio.run(scenario())

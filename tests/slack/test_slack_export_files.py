"""A data export in Slack: the reply says what it is, the files arrive in the person's DM through files_upload_v2
(getUploadURLExternal → upload → completeUploadExternal), never in the channel the request came from."""

from __future__ import annotations

import asyncio
import json

from slack_harness import app_mention, person_id, serving, slack_id

MAYA = "maya.patel@kestrel.example"


def test_export_in_a_channel_uploads_the_files_to_the_dm(fresh_demo, slack_tasks):
    maya = slack_id(person_id(fresh_demo, MAYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            status, _ = await h.slack.event(app_mention(maya, "export my data"))
            assert status == 200
            await h.api.wait_for("files.completeUploadExternal")
            [said] = h.api.of("chat.postEphemeral")
            assert said.args["channel"] == "C0LADDER1" and "everything Ladder holds about you" in said.args["text"]
            [complete] = h.api.of("files.completeUploadExternal")
            opened = {c.args["users"] for c in h.api.of("conversations.open")}
            assert opened == {maya} and complete.args["channel_id"] == f"D{maya}"  # the DM, not C0LADDER1
            uploads = {u["filename"]: u for u in h.api.uploads.values()}
            assert {name.rsplit(".", 1)[1] for name in uploads} == {"json", "md"}
            exported = json.loads(next(u["data"] for n, u in uploads.items() if n.endswith(".json")))
            assert exported["profile"]["email"] == MAYA
            assert all(u["channel"] == f"D{maya}" for u in uploads.values())
            assert h.api.problems == []

    asyncio.run(scenario())

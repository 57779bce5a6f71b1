"""HR's bias audit in Slack: the tables privately, the chart uploaded with files_upload_v2 — to the DM, since a
file cannot be ephemeral and the figures are for HR only."""

from __future__ import annotations

import asyncio

from slack_harness import app_mention, direct_message, person_id, serving, slack_id

PRIYA = "priya.raman@kestrel.example"


def test_bias_audit_chart_goes_to_hr_privately_through_files_upload_v2(fresh_demo, slack_tasks):
    priya = slack_id(person_id(fresh_demo, PRIYA))

    async def scenario():
        async with serving(fresh_demo, tasks=slack_tasks) as h:
            status, _ = await h.slack.event(app_mention(priya, "run a bias audit"))
            assert status == 200
            [complete] = await h.api.wait_for("files.completeUploadExternal", timeout=60)
            [ephemeral] = h.api.of("chat.postEphemeral")
            assert ephemeral.args["user"] == priya and "impact ratio" in ephemeral.args["text"].lower()
            assert not [c for c in h.api.of("chat.postMessage") if "ratio" in (c.args.get("text") or "")]
            [url] = h.api.of("files.getUploadURLExternal")
            assert url.args["filename"] == "bias-audit.png" and "0.8" in url.args["alt_txt"]
            [(file_id, upload)] = h.api.uploads.items()
            data = upload["data"]
            assert data.startswith(b"\x89PNG") and int(url.args["length"]) == len(data)
            assert complete.args["channel_id"] == f"D{priya}"  # her DM, not the channel she asked in
            assert file_id in complete.args["files"]

            # Asked in the DM itself, the chart comes back to that DM.
            status, _ = await h.slack.event(direct_message(priya, "are our recommendations fair?"))
            assert status == 200
            calls = await h.api.wait_for("files.completeUploadExternal", count=2, timeout=60)
            assert calls[1].args["channel_id"] == "D0LADDER1"

    asyncio.run(scenario())

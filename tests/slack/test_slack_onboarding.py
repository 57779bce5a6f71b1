"""Onboarding over the real Slack server: HR registers a new hire with `/ladder hire`, the manager gets the plan card
as a DM and confirms it with a click (twice: once counts), and the new hire hears about it in Slack."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Decision, Proposal

from slack_harness import block_actions, directory_of, person_id, serving, slack_id, slash_command

DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"
JANE = "jane.doe@kestrel.example"
JANE_SLACK = "UJANE0001"


def test_hire_card_click_confirms_the_plan_once_and_the_new_hire_hears_it(fresh_demo):
    daniel, priya = (slack_id(person_id(fresh_demo, e)) for e in (DANIEL, PRIYA))
    directory = {**directory_of(fresh_demo), JANE_SLACK: JANE}  # Jane's Slack account exists before Ladder knows her

    async def scenario() -> int:
        async with serving(fresh_demo, directory) as h:
            hire = (f'hire {JANE} "Jane Doe" as data analyst reporting to {DANIEL} team Data & Analytics starting 2026-12-07')
            await h.slack.form(slash_command(priya, hire, h.api.response_url("priya")))
            answer = await h.api.final("response_url:priya")
            assert "Onboarding started for Jane Doe" in answer.args["text"]

            posts = await h.api.wait_for("chat.postMessage")
            dm = next(p for p in posts if p.args["channel"] == "D" + daniel)
            row = next(b for b in dm.args["blocks"] if b["type"] == "actions"
                       and any(e["text"]["text"] == "Confirm" for e in b["elements"]))
            confirm = next(e for e in row["elements"] if e["text"]["text"] == "Confirm")
            assert [e["text"]["text"] for e in row["elements"]] == ["Confirm", "Reject", "Adjust…"]
            plan_id = int(confirm["value"].split(":")[1])
            message = {"type": "message", "ts": "1700000000.000555", "text": dm.args["text"], "blocks": dm.args["blocks"]}
            click = block_actions(daniel, value=confirm["value"], action_id=confirm["action_id"], block_id=row.get("block_id", "b1"),
                                  message=message, channel="D" + daniel, response_url=h.api.response_url("confirm"),
                                  label="Confirm")
            assert (await h.slack.interaction(click))[0] == 200
            [update] = await h.api.wait_for("chat.update")
            assert update.args["ts"] == message["ts"] and "Confirmed by Daniel Okafor" in str(update.args)
            await h.slack.interaction(click)  # the same click again changes nothing twice
            await h.api.settle()
            assert len(h.api.of("chat.update")) == 1
            told = [p for p in h.api.of("chat.postMessage") if p.args["channel"] == "D" + JANE_SLACK]
            assert len([p for p in told if "confirmed your plan" in p.args["text"]]) == 1
            assert h.api.problems == []
            return plan_id

    plan_id = asyncio.run(scenario())
    with fresh_demo.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Decision).where(Decision.proposal_id == plan_id)) == 1
        assert s.get(Proposal, plan_id).status.value == "executed"

"""The marketplace's key steps in Slack, over the real server and the Slack Web API stand-in: a brief in a DM comes
back as a draft with Publish; "I'm interested" opens a modal for the note and the submission applies (the owner is
told, without the applicant's name); the owner's shortlist is blind."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.slack.modals import field_block_id
from storage.models import Application, Opportunity, Person

from slack_harness import block_actions, direct_message, person_id, serving, slack_id, view_submission

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "marketplace"))
from market_helpers import BRIEF, MAYA, team_lead  # noqa: E402

POSTS = ("chat.postMessage", "chat.postEphemeral")


def _posts(h) -> list:
    return [c for c in h.api.calls if c.method in POSTS]


async def _next_post(h, before: int):
    for _ in range(300):
        found = _posts(h)
        if len(found) > before:
            return found[before]
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing posted: {[c.method for c in h.api.calls]}")


def _buttons(call) -> list[dict]:
    return [e for b in call.args.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def _message(call, ts: str) -> dict:
    return {"type": "message", "ts": ts, "text": call.args.get("text", ""),
            "blocks": [{**b, "block_id": f"blk{i}"} for i, b in enumerate(call.args.get("blocks") or [])]}


def test_post_interest_modal_and_blind_shortlist_in_slack(fresh_demo):
    owner_email = team_lead(fresh_demo, "Data & Analytics")
    owner, maya = slack_id(person_id(fresh_demo, owner_email)), slack_id(person_id(fresh_demo, MAYA))
    with fresh_demo.db.session() as s:
        maya_name = s.scalar(select(Person.name).where(Person.email == MAYA))

    async def scenario():
        async with serving(fresh_demo) as h:
            n = len(_posts(h))
            await h.slack.event(direct_message(owner, BRIEF, channel="D0OWNER01"))
            draft = await _next_post(h, n)
            assert "Draft · Churn project" in str(draft.args["blocks"])
            publish = next(e for e in _buttons(draft) if e["value"].startswith("publish_opportunity:"))
            oid = int(publish["value"].split(":")[1])
            await h.slack.interaction(block_actions(owner, value=publish["value"], action_id=publish["action_id"],
                                                    message=_message(draft, "1700000000.100001"), channel="D0OWNER01",
                                                    response_url=h.api.response_url("publish"), label="Publish"))
            for _ in range(200):
                with fresh_demo.db.session() as s:
                    if s.get(Opportunity, oid).status == "open":
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("not published")

            n = len(_posts(h))
            await h.slack.event(direct_message(maya, "I know SQL at level 3", channel="D0MAYA001"))
            await _next_post(h, n)
            n = len(_posts(h))
            await h.slack.event(direct_message(maya, "gigs that fit me", channel="D0MAYA001"))
            matches = await _next_post(h, n)
            interested = next(e for e in _buttons(matches) if e["value"] == f"apply_opportunity:{oid}")
            await h.slack.interaction(block_actions(maya, value=interested["value"], action_id=interested["action_id"],
                                                    message=_message(matches, "1700000000.100002"), channel="D0MAYA001",
                                                    response_url=h.api.response_url("apply"), label="I'm interested"))
            [opened] = await h.api.wait_for("views.open")
            inputs = [b["block_id"] for b in opened.args["view"]["blocks"] if b["type"] == "input"]
            assert inputs == [field_block_id("note")]
            view_id = next(iter(h.api.views))
            n = len(_posts(h))
            status, _ = await h.slack.interaction(view_submission(
                maya, opened.args["view"], {field_block_id("note"): {"note": "I built the sales dashboards"}}, view_id))
            assert status == 200
            told = [await _next_post(h, n)]
            told.append(await _next_post(h, n + 1))
            texts = " ".join(c.args.get("text", "") for c in told)
            assert "applied" in texts and "Candidate A" in texts and maya_name not in texts

            n = len(_posts(h))
            see = next(e for c in told for e in _buttons(c) if e["value"] == f"view_shortlist:{oid}")
            await h.slack.interaction(block_actions(owner, value=see["value"], action_id=see["action_id"],
                                                    message=_message(told[0], "1700000000.100003"), channel="D0OWNER01",
                                                    response_url=h.api.response_url("list"), label="See the shortlist"))
            listed = await _next_post(h, n)
            shown = str(listed.args)
            assert "Candidate A" in shown and maya_name not in shown and "I built the sales dashboards" in shown
            assert h.api.problems == []
            return oid

    oid = asyncio.run(scenario())
    with fresh_demo.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Application).where(Application.opportunity_id == oid)) == 1

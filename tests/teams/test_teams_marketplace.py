"""The marketplace's key steps in Teams, over the real server and a stand-in Bot Connector: a brief posted in a
personal chat comes back as a draft card whose Publish works; a match card's "I'm interested" asks for a note on a
card and the submission applies (twice changes nothing); the owner's shortlist card is blind; the manager's approval
card places the person and fills the opportunity."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select
from teams_activities import card_action, personal_message
from test_teams_cards import assert_valid

from bot.teams import cards
from storage.models import Application, Opportunity, Person, Proposal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "marketplace"))
from market_helpers import BRIEF, DANIEL, MAYA, team_lead  # noqa: E402


def _actions(card: dict) -> list[dict]:
    return [a for el in card["body"] if el["type"] == "Container" for i in el["items"] if i["type"] == "ActionSet"
            for a in i["actions"]]


def _card_of(recorded) -> dict:
    [attachment] = [a for a in recorded.body["attachments"] if a["contentType"] == cards.ADAPTIVE_CARD_CONTENT_TYPE]
    assert_valid(attachment["content"])
    return attachment["content"]


def _say(server, connector, email: str, text: str) -> dict:
    before = len(connector.posts())
    assert server.post(personal_message(connector.url, email, text)).status_code == 200
    return _card_of(connector.wait_for(before + 1, "POST")[before])


def _click(server, connector, email: str, action: dict, **values) -> dict:
    activity = card_action(connector.url, email, action["verb"], action["data"]["ref"])
    activity["value"]["action"]["data"] = {**action["data"], **values}
    response = server.post(activity)
    assert response.status_code == 200, response.text
    return response.json()


def test_post_apply_blind_shortlist_and_approval_in_teams(teams_server, connector):
    ladder = teams_server.ladder
    owner = team_lead(ladder, "Data & Analytics")

    draft = _say(teams_server, connector, owner, BRIEF)
    assert "Draft · Churn project" in cards.visible_text(draft)
    publish = next(a for a in _actions(draft) if a["title"] == "Publish")
    assert publish["verb"] == "ladder.publishOpportunity"
    published = _click(teams_server, connector, owner, publish)
    assert "Published" in str(published["value"])
    oid = int(publish["data"]["ref"].split(":")[1])
    with ladder.db.session() as s:
        assert s.get(Opportunity, oid).status == "open"

    _say(teams_server, connector, MAYA, "I know SQL at level 3")
    matches = _say(teams_server, connector, MAYA, "gigs that fit me")
    interested = next(a for a in _actions(matches) if a["data"]["ref"] == f"apply_opportunity:{oid}")
    asked = _click(teams_server, connector, MAYA, interested)
    form = asked["value"]
    assert asked["type"] == cards.ADAPTIVE_CARD_CONTENT_TYPE and any(i.get("id") == "note" for el in form["body"]
                                                                     if el["type"] == "Container" for i in el["items"])
    [submit] = [a for a in _actions(form) if a["data"]["ref"] == f"apply_opportunity:{oid}"]
    done = _click(teams_server, connector, MAYA, submit, note="I built the sales dashboards")
    assert "applied" in str(done["value"]).lower()
    _click(teams_server, connector, MAYA, submit, note="again")  # a second submission changes nothing
    with ladder.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Application).where(Application.opportunity_id == oid)) == 1
        maya_name = s.scalar(select(Person.name).where(Person.email == MAYA))

    listed = _click(teams_server, connector, owner, {"verb": "ladder.viewShortlist", "data": {"ref": f"view_shortlist:{oid}"}})
    text = " ".join(cards.visible_text(listed["value"]))
    assert "Candidate A" in text and maya_name not in text and "I built the sales dashboards" in text
    shortlist = next(a for a in _actions(listed["value"]) if a["data"]["ref"].startswith("shortlist_candidate:"))
    revealed = _click(teams_server, connector, owner, shortlist)
    assert maya_name in str(revealed["value"])
    aid = shortlist["data"]["ref"].split(":")[1]
    _click(teams_server, connector, owner, {"verb": "ladder.offerPlace", "data": {"ref": f"offer_place:{aid}"}})
    with ladder.db.session() as s:
        proposal = s.scalar(select(Proposal).where(Proposal.action_type == "staff_opportunity"))
        assert s.scalar(select(Person.email).where(Person.id == proposal.approver_id)) == DANIEL
        ref = f"approve:{proposal.id}:{proposal.version}"
    decided = _click(teams_server, connector, DANIEL, {"verb": "ladder.approve", "data": {"ref": ref}})
    assert decided["type"] == cards.ADAPTIVE_CARD_CONTENT_TYPE
    with ladder.db.session() as s:
        assert s.get(Opportunity, oid).status == "filled"
        assert s.scalar(select(Application.status).where(Application.opportunity_id == oid)).value == "placed"

"""HR's bias audit in Teams, end to end: the card with the tables, then the chart as an inline image attachment."""

from __future__ import annotations

import base64

from teams_activities import personal_message
from test_teams_cards import assert_valid

PRIYA = "priya.raman@kestrel.example"
MAYA = "maya.patel@kestrel.example"


def test_bias_audit_card_then_the_chart_inline(teams_server, connector):
    response = teams_server.post(personal_message(connector.url, PRIYA, "run a bias audit"))
    assert response.status_code == 200
    [sent] = connector.wait_for(1, "POST")
    card, image = sent.body["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert_valid(card["content"])
    assert "sex × race_ethnicity" in str(card["content"])
    assert image["contentType"] == "image/png" and "0.8" in image["name"]
    header, data = image["contentUrl"].split(",", 1)
    assert header == "data:image/png;base64" and base64.b64decode(data).startswith(b"\x89PNG")
    assert len(image["contentUrl"]) < 28_000  # Teams bounds a bot message's size


def test_an_employee_gets_the_refusal_and_no_image(teams_server, connector):
    teams_server.post(personal_message(connector.url, MAYA, "are our recommendations fair?"))
    [sent] = connector.wait_for(1, "POST")
    assert len(sent.body["attachments"]) == 1 and "HR" in str(sent.body["attachments"][0]["content"])

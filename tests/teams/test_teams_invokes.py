"""An invoke Ladder does not answer (another name, or none) is refused with a 400: botbuilder's own answer is a
501, a server error Teams would retry (found by tests/fuzz)."""

from __future__ import annotations

from teams_activities import card_action

MAYA = "maya.patel@kestrel.example"


def test_an_invoke_ladder_does_not_answer_is_a_400(teams_server, connector):
    for name in (None, "", "composeExtension/unknown", "task/fetch-something"):
        activity = card_action(connector.url, MAYA, "ladder.pickRole", "pick_role:30")
        if name is None:
            activity.pop("name", None)
        else:
            activity["name"] = name
        response = teams_server.post(activity)
        assert response.status_code == 400, (name, response.status_code)
        assert response.json() == {"error": "Ladder does not answer this kind of invoke"}
    answered = teams_server.post(card_action(connector.url, MAYA, "ladder.pickRole", "pick_role:30"))
    assert answered.status_code == 200

"""With MICROSOFT_APP_ID/PASSWORD set, every request must carry a valid Bot Framework JWT.

Tokens are signed here with a local RSA key; the bot fetches the OpenID metadata and keys from a local
server (``teams_openid_metadata_url``). An accepted request is an ``adaptiveCard/action`` invoke, which
is answered inline (outgoing calls with credentials would need Azure AD's token endpoint, which MSAL
insists is https — outgoing traffic is covered by the emulator-mode tests).
"""

from __future__ import annotations

import logging

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select
from teams_activities import card_action, personal_message
from teams_standins import ISSUER

from bot.teams import endpoint as teams_endpoint
from teams_harness import APP_ID, with_settings
from storage.models import ConversationState, ProcessedEvent

MAYA = "maya.patel@kestrel.example"


def role_choice_click(service_url: str) -> dict:
    return card_action(service_url, MAYA, "ladder.pickRole", "pick_role:30")


def processed_rows(ladder) -> int:
    with ladder.db.session() as session:
        return (session.scalar(select(func.count()).select_from(ProcessedEvent))
                + session.scalar(select(func.count()).select_from(ConversationState)))


def test_a_valid_token_is_accepted(secured_server, token_issuer, connector):
    click = role_choice_click(connector.url)
    token = token_issuer.token(audience=APP_ID, service_url=click["serviceUrl"])
    response = secured_server.post(click, token=token)
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["body"][0]["text"] == "Your path to data scientist"
    assert processed_rows(secured_server.ladder) > 0


@pytest.mark.parametrize("case", ["missing", "wrong audience", "wrong issuer", "bad signature", "expired",
                                  "unknown key", "wrong service url", "not bearer", "garbage", "alg none"])
def test_invalid_tokens_are_refused_and_nothing_is_processed(case, secured_server, token_issuer, connector):
    message = personal_message(connector.url, MAYA, "what's my path to data scientist?")
    click = role_choice_click(connector.url)
    good = dict(audience=APP_ID, service_url=message["serviceUrl"])
    header_token = {
        "missing": None,
        "wrong audience": token_issuer.token(**{**good, "audience": "some-other-bot"}),
        "wrong issuer": token_issuer.token(**good, issuer="https://sts.windows.net/attacker/"),
        "bad signature": token_issuer.token(**good, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "expired": token_issuer.token(**good, expires_in=-3600),
        "unknown key": token_issuer.token(**good, kid="someone-elses-key"),
        "wrong service url": token_issuer.token(**{**good, "service_url": "https://evil.example/"}),
        "not bearer": None,
        "garbage": "not.a.jwt",
        "alg none": _unsigned(good),
    }[case]
    before = processed_rows(secured_server.ladder)
    for activity in (message, click):
        if case == "not bearer":
            response = secured_server.session.post(
                f"{secured_server.url}/api/messages", json=activity,
                headers={"Authorization": "Basic " + token_issuer.token(**good)})
        else:
            response = secured_server.post(activity, token=header_token)
        assert response.status_code == 401, response.text
        assert response.json() == {"error": "unauthorized"}
    assert connector.requests == []
    assert processed_rows(secured_server.ladder) == before


def _unsigned(good: dict) -> str:
    import base64
    import json
    import time

    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"iss": ISSUER, "aud": good["audience"], "serviceurl": good["service_url"], "exp": int(time.time()) + 600}
    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': 'ladder-test-key'})}.{b64(claims)}."


def test_malformed_requests_are_400_even_with_auth(secured_server):
    assert secured_server.post(data=b"{oops").status_code == 400


def test_emulator_mode_is_logged_once(fresh_demo, caplog, monkeypatch):
    monkeypatch.setattr(teams_endpoint, "_emulator_logged", False)
    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None)
    with caplog.at_level(logging.WARNING, logger="bot.teams.endpoint"):
        first = teams_endpoint.TeamsEndpoint(ladder)
        teams_endpoint.TeamsEndpoint(ladder)
    assert first.emulator_mode
    warnings = [r for r in caplog.records if "emulator mode" in r.getMessage()]
    assert len(warnings) == 1 and "NOT authenticated" in warnings[0].getMessage()


def test_with_credentials_there_is_no_emulator_mode(secured_server):
    from bot.teams import ENDPOINT_KEY

    endpoint = secured_server.thread.app[ENDPOINT_KEY]
    assert endpoint.emulator_mode is False and endpoint.app_id == APP_ID


def test_emulator_mode_answers_local_service_urls_only(teams_server, connector):
    activity = personal_message("https://smba.trafficmanager.net/amer/", MAYA, "hi")
    response = teams_server.post(activity)
    assert response.status_code == 401
    assert connector.requests == []

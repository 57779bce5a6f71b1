"""Teams' door, /api/messages, and the health checks, fuzzed over real HTTP.

In emulator mode (no app id) what gets fuzzed is the activity parsing and the bot; with Bot Framework credentials
every request needs a valid JWT, so bad, expired or garbage tokens are refused whatever the body, and a valid token
with a malformed card action gets no 5xx either. Nothing the bot sends to the Bot Connector shows a Python failure;
a replayed activity is answered once.
"""

from __future__ import annotations

import json
import time
import uuid

from hypothesis import given, strategies as st

from fuzz_harness import TALLY, leaks, visible_text
from strategies import CONTENT_TYPES, chat_text, mutated, raw_bodies
from teams_activities import card_action, install, personal_message
from teams_harness import APP_ID

MAYA = "maya.patel@kestrel.example"


def _ok(response, sent: str = "") -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert not leaks(response.text, sent), response.text[:500]


def _settle_connector(live, quiet: float = 0.3) -> None:
    while True:
        n = len(live.connector.requests)
        time.sleep(quiet)
        if len(live.connector.requests) == n:
            return


@given(body=raw_bodies(), content_type=st.sampled_from(CONTENT_TYPES))
def test_garbage_bodies_are_refused_plainly(live, body, content_type):
    TALLY.count("teams: garbage body")
    _ok(live.teams(body, content_type))


@given(data=st.data(), kind=st.sampled_from(["message", "click", "install"]))
def test_activities_with_wrongly_typed_fields_get_no_failure(live, data, kind):
    TALLY.count(f"teams: wrongly typed {kind}")
    url = live.connector.url
    base = {"message": lambda: personal_message(url, MAYA, "what's my path to data scientist?"),
            "click": lambda: card_action(url, MAYA, "ladder.pickRole", "pick_role:30"),
            "install": lambda: install(url, MAYA)}[kind]()
    sent = json.dumps(data.draw(mutated(base)))
    start = len(live.connector.requests)
    _ok(live.teams(sent.encode()), sent)
    _settle_connector(live)
    for body in live.teams_sent_since(start):
        assert not leaks(visible_text(body), sent), visible_text(body)[:500]


TOKEN_CASES = ["missing", "garbage", "not bearer", "expired", "wrong audience", "wrong issuer", "unknown key", "empty bearer"]


@given(case=st.sampled_from(TOKEN_CASES), data=st.data(), body_kind=st.sampled_from(["activity", "raw"]))
def test_requests_without_a_valid_token_are_refused(live, case, data, body_kind):
    TALLY.count("teams: bad token")
    url = live.connector.url
    body = (json.dumps(data.draw(mutated(personal_message(url, MAYA, "hi")))).encode() if body_kind == "activity"
            else data.draw(raw_bodies()))
    good = dict(audience=APP_ID, service_url=url)
    token = {"missing": None, "garbage": "Bearer " + uuid.uuid4().hex, "not bearer": "Basic dXNlcjpwYXNz",
             "expired": "Bearer " + live.issuer.token(**good, expires_in=-3600),
             "wrong audience": "Bearer " + live.issuer.token(**{**good, "audience": "someone-else"}),
             "wrong issuer": "Bearer " + live.issuer.token(**good, issuer="https://evil.example/"),
             "unknown key": "Bearer " + live.issuer.token(**good, kid="not-our-key"), "empty bearer": "Bearer "}[case]
    response = live.teams(body, token=token, secured=True)
    assert response.status_code in (400, 401, 413), (case, response.status_code, response.text[:300])
    _ok(response)


@given(data=st.data())
def test_a_valid_token_with_a_malformed_card_action_gets_no_failure(live, data):
    TALLY.count("teams: signed malformed invoke")
    url = live.connector.url
    click = data.draw(mutated(card_action(url, MAYA, "ladder.pickRole", "pick_role:30")))
    click["type"] = "invoke"  # answered inline: nothing goes out to Azure AD for a token
    click["serviceUrl"] = url
    service_url = url
    token = "Bearer " + live.issuer.token(audience=APP_ID, service_url=service_url)
    sent = json.dumps(click)
    _ok(live.teams(sent.encode(), token=token, secured=True), sent)


@given(text=chat_text())
def test_a_replayed_message_is_answered_once(live, text):
    TALLY.count("teams: replayed message")
    conversation = f"a:personal-fuzz-{uuid.uuid4().hex[:12]}"
    activity = personal_message(live.connector.url, MAYA, text or "hi", conversation=conversation)
    body = json.dumps(activity).encode()
    assert live.teams(body).status_code < 300
    assert live.teams(body).status_code < 300
    _settle_connector(live)
    replies = [r for r in live.connector.posts() if conversation in r.path]
    assert len(replies) == 1, [r.body.get("text") for r in replies]
    assert visible_text(replies[0].body).strip() and not leaks(visible_text(replies[0].body), text)


DOORS = ["/healthz", "/readyz", "/slack/events", "/api/messages", "/", "/admin", "/slack/events/../healthz", "/%00",
         "/api/messages?x=1"]


@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
       path=st.one_of(st.sampled_from(DOORS), st.text(alphabet="abcdefghijklmnopqrstuvwxyz/._-%0123456789", max_size=40)
                      .map(lambda p: "/" + p.lstrip("/"))),
       query=st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=3),
       body=st.one_of(st.none(), st.binary(max_size=200)))
def test_health_checks_and_unknown_doors(live, method, path, query, body):
    TALLY.count("http: health and unknown doors")
    response = live.request(method, path, data=body, params=query, headers={"Content-Type": "application/json"})
    _ok(response)
    if method == "GET" and path in ("/healthz", "/readyz") and not query:
        assert response.status_code == 200 and response.json()["status"] in ("ok", "ready")

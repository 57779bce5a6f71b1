"""Slack's one door, /slack/events (events, slash commands, clicks, modal submissions), fuzzed over real HTTP.

Badly signed requests are refused; correctly signed garbage and payloads with wrongly typed fields are parsed and
answered without a 5xx or a Python failure in the response or in anything posted to Slack; a replayed event or
click changes nothing twice.
"""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import urlencode

from hypothesis import given, strategies as st
from sqlalchemy import func, select

from conversation import ActionKind, ActionRef
from storage.models import Decision, Proposal, ProposalStatus

from bot.slack.action_ids import ActionId
from channel_helpers import make_proposal
from fuzz_harness import TALLY, leaks, visible_text
from slack_harness import app_home_opened, app_mention, block_actions, direct_message, slack_id, slash_command, view_submission
from strategies import CONTENT_TYPES, chat_text, mutated, raw_bodies, wrong_values

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
_channels = itertools.count(1)


def _person_id(ladder, email: str) -> int:
    from storage.models import Person

    with ladder.db.session() as s:
        return s.scalar(select(Person.id).where(Person.email == email))


def _ok(response, sent: str = "") -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert not leaks(response.text, sent), response.text[:500]


def _no_leak_in_posts(live, start: int, sent: str) -> None:
    live.settle_slack()
    for args in live.slack_sent_since(start):
        assert not leaks(visible_text(args), sent), visible_text(args)[:500]


SIGNATURE_CASES = ["missing", "wrong secret", "expired", "future", "garbage signature", "garbage timestamp",
                   "no timestamp", "empty"]


@given(body=raw_bodies(), content_type=st.sampled_from(CONTENT_TYPES), case=st.sampled_from(SIGNATURE_CASES))
def test_requests_without_a_valid_signature_are_refused(live, body, content_type, case):
    TALLY.count("slack: bad signature")
    now = int(time.time())
    if case == "missing":
        response = live.slack(body, content_type, signed=False)
    elif case == "wrong secret":
        response = live.slack(body, content_type, secret="0" * 32)
    elif case == "expired":
        response = live.slack(body, content_type, timestamp=now - 6 * 60)
    elif case == "future":
        response = live.slack(body, content_type, timestamp=now + 6 * 60)
    else:
        headers = {"garbage signature": {"X-Slack-Signature": "v0=nothex", "X-Slack-Request-Timestamp": str(now)},
                   "garbage timestamp": {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": "soon\u00e9"},
                   "no timestamp": {"X-Slack-Signature": "v0=" + "0" * 64},
                   "empty": {"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}}[case]
        response = live.slack(body, content_type, signed=False, headers=headers)
    assert response.status_code in (401, 413), (case, response.status_code, response.text[:300])
    _ok(response)


@given(body=raw_bodies(), content_type=st.sampled_from(CONTENT_TYPES))
def test_signed_garbage_is_parsed_without_a_failure(live, body, content_type):
    TALLY.count("slack: signed garbage")
    _ok(live.slack(body, content_type))


def _payload(kind: str, user: str, live) -> tuple[bytes, str]:
    channel = f"D0FUZZ{next(_channels):05d}"
    if kind == "mention":
        return json.dumps(app_mention(user, "what's my path to data scientist?", channel=channel)).encode(), "application/json"
    if kind == "dm":
        return json.dumps(direct_message(user, "hi", channel=channel)).encode(), "application/json"
    if kind == "home":
        return json.dumps(app_home_opened(user)).encode(), "application/json"
    message = {"type": "message", "ts": "1700000000.000100", "text": "x", "blocks": []}
    if kind == "click":
        ref = ActionRef(kind=ActionKind.show_path, target="1")
        return urlencode({"payload": json.dumps(block_actions(user, value=ref.encode(), action_id=ActionId.show_path.value,
                                                             message=message, channel=channel,
                                                             response_url=live.slack_api.response_url("fz")))}).encode(), \
            "application/x-www-form-urlencoded"
    if kind == "submit":
        view = {"type": "modal", "callback_id": "ladder.form", "private_metadata": json.dumps({"ref": "approve:1:1"}),
                "blocks": [], "title": {"type": "plain_text", "text": "x"}}
        return urlencode({"payload": json.dumps(view_submission(user, view, {"ladder.field.reason": {"reason": "x"}},
                                                                "V0FUZZ"))}).encode(), "application/x-www-form-urlencoded"
    return urlencode(slash_command(user, "status", live.slack_api.response_url("cmd"))).encode(), "application/x-www-form-urlencoded"


@given(data=st.data(), kind=st.sampled_from(["mention", "dm", "home", "click", "submit", "command"]))
def test_signed_payloads_with_wrongly_typed_fields_get_no_failure(live, data, kind):
    """Sign correctly, so that what gets fuzzed is the parsing of each kind of payload Slack sends."""
    TALLY.count(f"slack: wrongly typed {kind}")
    user = slack_id(_person_id(live.ladder, MAYA))
    body, content_type = _payload(kind, user, live)
    if content_type == "application/json":
        sent = json.dumps(data.draw(mutated(json.loads(body))))
    else:
        fields = dict(pair.split("=", 1) for pair in body.decode().split("&"))
        from urllib.parse import unquote_plus

        fields = {k: unquote_plus(v) for k, v in fields.items()}
        if "payload" in fields:
            fields["payload"] = json.dumps(data.draw(mutated(json.loads(fields["payload"]))))
        else:
            key = data.draw(st.sampled_from(sorted(fields)))
            value = data.draw(wrong_values)
            fields[key] = value if isinstance(value, str) else json.dumps(value)
        sent = urlencode(fields)
    start = live.slack_calls()
    _ok(live.slack(sent, content_type), sent)
    _no_leak_in_posts(live, start, sent)


@given(text=chat_text(), retry=st.booleans())
def test_a_replayed_event_is_answered_once(live, text, retry):
    TALLY.count("slack: replayed event")
    channel = f"D0REPLAY{next(_channels):05d}"
    user = slack_id(_person_id(live.ladder, MAYA))
    body = json.dumps(direct_message(user, text or "hi", channel=channel))
    first = live.slack(body, "application/json")
    again = live.slack(body, "application/json", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if retry else None)
    assert first.status_code == 200 and again.status_code == 200
    answered = live.wait_slack(lambda method, args: method == "chat.postMessage" and args.get("channel") == channel)
    assert answered, "the event was never answered"
    live.settle_slack()
    posts = [c for c in live.slack_api.calls if c.method == "chat.postMessage" and c.args.get("channel") == channel]
    assert len(posts) == 1, [p.args.get("text") for p in posts]
    assert not leaks(visible_text(posts[0].args), text)


@given(times=st.integers(min_value=2, max_value=4))
def test_a_replayed_approval_click_decides_once(live, times):
    TALLY.count("slack: replayed click")
    proposal_id, version = make_proposal(live.ladder, MAYA, DANIEL, source=f"fuzz-{next(_channels)}")
    daniel = slack_id(_person_id(live.ladder, DANIEL))
    ref = ActionRef(kind=ActionKind.approve, target=str(proposal_id), version=version)
    message = {"type": "message", "ts": f"1700000001.{next(_channels):06d}", "text": "decide", "blocks": []}
    payload = block_actions(daniel, value=ref.encode(), action_id=ActionId.approve.numbered(1), message=message,
                            channel="D0DANIEL1", response_url=live.slack_api.response_url("approve"), label="Approve")
    body = urlencode({"payload": json.dumps(payload)})
    for _ in range(times):
        assert live.slack(body, "application/x-www-form-urlencoded").status_code == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with live.ladder.db.session() as s:
            status = s.scalar(select(Proposal.status).where(Proposal.id == proposal_id))
        if status != ProposalStatus.proposed:
            break
        time.sleep(0.05)
    live.settle_slack()
    with live.ladder.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Decision).where(Decision.proposal_id == proposal_id)) == 1
        assert s.scalar(select(Proposal.status).where(Proposal.id == proposal_id)) in (ProposalStatus.approved, ProposalStatus.executed)

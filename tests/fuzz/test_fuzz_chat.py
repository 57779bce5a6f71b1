"""Chat entry fuzzed: any text at all — unicode, control characters, 100,000 characters, nothing, only mentions or
emoji, SQL-ish and Block Kit-ish strings — gets a non-empty plain-language reply and never a Python failure, through
the terminal channel (the router and its renderer) and through signed Slack events and Teams messages."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, strategies as st

from bot.terminal import render_json, render_text
from conversation import Channel, Message
from handlers.router import Router

from fuzz_harness import TALLY, leaks, visible_text
from slack_harness import direct_message, slack_id
from strategies import chat_text
from teams_activities import personal_message

PEOPLE = ["maya.patel@kestrel.example", "daniel.okafor@kestrel.example", "priya.raman@kestrel.example",
          "nobody@elsewhere.example"]
_conversations = itertools.count(1)


@given(text=chat_text(), email=st.sampled_from(PEOPLE))
def test_the_terminal_answers_anything_in_plain_words(fuzz_ladder, text, email):
    TALLY.count("chat: terminal")
    reply = Router(fuzz_ladder).handle(Message(channel=Channel.terminal, sender_email=email,
                                               conversation_id=f"fuzz-{next(_conversations) % 7}", text=text))
    shown = render_text(reply)[0]
    assert reply.text.strip() and shown.strip()
    assert not leaks(shown, text) and not leaks(render_json(reply), text), shown[:500]


@given(text=chat_text())
def test_slack_answers_any_message_in_plain_words(live, text):
    TALLY.count("chat: slack")
    from sqlalchemy import select

    from storage.models import Person

    with live.ladder.db.session() as s:
        user = slack_id(s.scalar(select(Person.id).where(Person.email == PEOPLE[0])))
    channel = f"D0CHAT{next(_conversations):06d}"
    assert live.slack(json.dumps(direct_message(user, text, channel=channel)), "application/json").status_code == 200
    posted = live.wait_slack(lambda method, args: method == "chat.postMessage" and args.get("channel") == channel)
    assert posted, "no reply was posted"
    shown = visible_text(posted[0])
    assert shown.strip() and not leaks(shown, text), shown[:500]


@given(text=chat_text())
def test_teams_answers_any_message_in_plain_words(live, text):
    TALLY.count("chat: teams")
    conversation = f"a:personal-chat-{next(_conversations)}"
    activity = personal_message(live.connector.url, PEOPLE[0], text, conversation=conversation)
    assert live.teams(json.dumps(activity).encode()).status_code < 300
    replies = [r for r in live.connector.posts() if conversation in r.path]
    assert len(replies) == 1
    shown = visible_text(replies[0].body)
    assert shown.strip() and not leaks(shown, text), shown[:500]

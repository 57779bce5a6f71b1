"""Ladder in Teams, end to end: the real server on 127.0.0.1, Activities shaped like Teams', and every reply,
update and lookup received by a stand-in Bot Connector at the activity's serviceUrl (emulator mode)."""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select
from teams_activities import CHANNEL_CONVERSATION, aad_id, card_action, channel_mention, install, personal_message
from teams_standins import BOT_ID, TENANT
from test_teams_cards import assert_valid, terminal_content

from conversation import Notifiers, Channel, Message
from handlers.router import Router
from bot.teams import cards
from teams_harness import LadderServer
from storage import Database
from storage.models import ChatIdentity, ConversationState, Enrolment, Person

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PATH_QUESTION = "what's my path to data scientist?"


def only_card(recorded) -> dict:
    attachments = recorded.body["attachments"]
    assert len(attachments) == 1 and attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachments[0]["content"]
    assert_valid(card)
    return card


def teams_identity(ladder, aad: str) -> ChatIdentity | None:
    with ladder.db.session() as session:
        return session.scalar(select(ChatIdentity).where(ChatIdentity.channel == "teams",
                                                         ChatIdentity.external_id == aad))


def test_personal_path_question_gets_the_same_answer_as_the_terminal(teams_server, connector):
    activity = personal_message(connector.url, MAYA, PATH_QUESTION)
    response = teams_server.post(activity)
    assert response.status_code == 200
    [sent] = connector.wait_for(1, "POST")
    # a reply in the same conversation, to the message asked
    assert sent.path == f"/v3/conversations/{activity['conversation']['id']}/activities/{activity['id']}"
    assert sent.body["replyToId"] == activity["id"]
    assert sent.body["recipient"]["id"] == activity["from"]["id"]
    assert sent.body["summary"] == "Your path to data scientist"
    card = only_card(sent)

    terminal = Router(teams_server.ladder).handle(
        Message(channel=Channel.terminal, sender_email=MAYA, conversation_id="terminal", text=PATH_QUESTION))
    assert cards.visible_text(card) == terminal_content(terminal)
    executes = [a for el in card["body"] if el["type"] == "Container" for i in el["items"]
                if i["type"] == "ActionSet" for a in i["actions"]]
    assert executes and all(a["type"] == "Action.Execute" and a["data"]["ref"] for a in executes)
    # first contact stores how to reach Maya later
    ref = teams_identity(teams_server.ladder, aad_id(MAYA)).conversation_ref
    assert ref["conversation"]["id"] == activity["conversation"]["id"]
    assert ref["serviceUrl"] == connector.url and ref["user"]["id"] == activity["from"]["id"]


def test_channel_mention_is_stripped_and_answered_in_the_reply_chain_with_context(teams_server, connector):
    first = channel_mention(connector.url, MAYA, PATH_QUESTION)
    assert teams_server.post(first).status_code == 200
    [sent] = connector.wait_for(1, "POST")
    conversation = first["conversation"]["id"]
    assert conversation.startswith(CHANNEL_CONVERSATION + ";messageid=")
    assert sent.path == f"/v3/conversations/{conversation}/activities/{first['id']}"
    card = only_card(sent)
    assert cards.visible_text(card)[0] == "Your path to data scientist"  # "<at>Ladder</at>" was not in the question

    root = first["id"]
    with teams_server.ladder.db.session() as session:
        state = session.get(ConversationState, f"teams:{CHANNEL_CONVERSATION}:{root}")
        assert state is not None and state.data["last_intent"] == "career_path"

    follow_up = channel_mention(connector.url, MAYA, "what about cloud engineer?", root_id=root)
    follow_up["id"] = "1799999999999"
    assert teams_server.post(follow_up).status_code == 200
    sent = connector.wait_for(2, "POST")[1]
    assert sent.path.startswith(f"/v3/conversations/{CHANNEL_CONVERSATION};messageid={root}/activities")
    assert cards.visible_text(only_card(sent))[0] == "Your path to cloud engineer"


def test_install_stores_the_reference_and_says_hello(teams_server, connector):
    activity = install(connector.url, DANIEL)
    assert teams_server.post(activity).status_code == 200
    [sent] = connector.wait_for(1, "POST")
    assert sent.path.startswith(f"/v3/conversations/{activity['conversation']['id']}/activities")
    assert "I'm Ladder" in " ".join(cards.visible_text(only_card(sent)))
    ref = teams_identity(teams_server.ladder, aad_id(DANIEL)).conversation_ref
    assert ref["conversation"]["id"] == activity["conversation"]["id"]
    # botbuilder-schema spells it "tenantID"; Teams sends "tenantId" (we take it from channelData.tenant)
    assert ref["conversation"]["tenantID"] == TENANT and ref["bot"]["id"] == BOT_ID


def test_team_install_stores_the_reference_without_posting_in_the_channel(teams_server, connector):
    assert teams_server.post(install(connector.url, DANIEL, personal=False)).status_code == 200
    assert teams_identity(teams_server.ladder, aad_id(DANIEL)).conversation_ref["conversation"]["conversationType"] == "channel"
    assert connector.posts() == []


def test_card_click_returns_the_updated_card_in_the_invoke_response(teams_server, connector):
    teams_server.post(personal_message(connector.url, MAYA, "what's my path to engineer?"))
    [sent] = connector.wait_for(1, "POST")
    choice = only_card(sent)
    button = choice["body"][-1]["items"][-1]["actions"][0]
    click = card_action(connector.url, MAYA, button["verb"], button["data"]["ref"], reply_to_id="1700000000001")
    response = teams_server.post(click)
    assert response.status_code == 200
    body = response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid(body["value"])
    assert cards.visible_text(body["value"])[0] == f"Your path to {button['title']}"
    assert len(connector.posts()) == 1  # the card was replaced through the invoke response, nothing new posted


def test_enrol_click_changes_the_card_in_place_and_a_repeat_changes_nothing(teams_server, connector):
    teams_server.post(personal_message(connector.url, MAYA, PATH_QUESTION))
    card = only_card(connector.wait_for(1, "POST")[0])
    enrol = next(a for el in card["body"] if el["type"] == "Container" for i in el["items"]
                 if i["type"] == "ActionSet" for a in i["actions"] if a["verb"] == "ladder.enrol")
    click = card_action(connector.url, MAYA, enrol["verb"], enrol["data"]["ref"])
    first = teams_server.post(click)
    assert first.status_code == 200 and first.json()["type"] == "application/vnd.microsoft.card.adaptive"
    again = teams_server.post(click)  # Teams retried the same invoke
    assert again.status_code == 200
    assert again.json()["type"] == "application/vnd.microsoft.activity.message"
    with teams_server.ladder.db.session() as session:
        maya = session.scalar(select(Person).where(Person.email == MAYA))
        course_id = int(enrol["data"]["ref"].split(":")[1])
        rows = session.scalars(select(Enrolment).where(Enrolment.person_id == maya.id,
                                                       Enrolment.course_id == course_id)).all()
        assert len(rows) == 1


def test_channel_card_click_updates_the_posted_card_for_everyone(teams_server, connector):
    teams_server.post(channel_mention(connector.url, MAYA, "what's my path to engineer?", root_id="1700000000500"))
    choice = only_card(connector.wait_for(1, "POST")[0])
    button = choice["body"][-1]["items"][-1]["actions"][0]
    conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                    "id": f"{CHANNEL_CONVERSATION};messageid=1700000000500"}
    click = card_action(connector.url, MAYA, button["verb"], button["data"]["ref"], reply_to_id="1700000000001",
                        conversation=conversation)
    assert teams_server.post(click).status_code == 200
    [put] = connector.wait_for(1, "PUT")
    assert put.path == f"/v3/conversations/{conversation['id']}/activities/1700000000001"
    assert cards.visible_text(only_card(put))[0] == f"Your path to {button['title']}"


def test_tampered_or_stale_buttons_get_a_plain_note(teams_server, connector):
    click = card_action(connector.url, MAYA, "ladder.approve", "enrol:3")
    response = teams_server.post(click)
    assert response.status_code == 200
    assert response.json() == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                               "value": "That button is out of date — ask me again and use the new one."}


def test_a_repeated_message_is_answered_once(teams_server, connector):
    activity = personal_message(connector.url, MAYA, "hi")
    assert teams_server.post(activity).status_code == 200
    assert teams_server.post(activity).status_code == 200
    connector.wait_for(1, "POST")
    assert len(connector.posts()) == 1


def test_a_teams_user_known_only_by_email_is_linked_on_first_contact(teams_server, connector):
    new_aad = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    activity = personal_message(connector.url, MAYA, "who am i", aad=new_aad)
    connector.members[activity["from"]["id"]] = {"id": activity["from"]["id"], "name": "Maya Patel",
                                                 "aadObjectId": new_aad, "email": MAYA,
                                                 "userPrincipalName": MAYA, "tenantId": TENANT}
    assert teams_server.post(activity).status_code == 200
    posts = connector.wait_for(1, "POST")
    assert "You are Maya Patel" in " ".join(cards.visible_text(only_card(posts[0])))
    lookups = [r for r in connector.requests if r.method == "GET"]
    assert [r.path for r in lookups] == [f"/v3/conversations/{activity['conversation']['id']}/members/{activity['from']['id']}"]
    assert teams_identity(teams_server.ladder, new_aad) is not None
    # next time the AAD id is enough: no lookup
    teams_server.post(personal_message(connector.url, MAYA, "who am i", aad=new_aad))
    connector.wait_for(2, "POST")
    assert len([r for r in connector.requests if r.method == "GET"]) == 1


def test_someone_not_in_the_directory_gets_a_clear_reply(teams_server, connector):
    stranger = "b8c5e2a4-0000-4000-8000-000000000001"
    activity = personal_message(connector.url, None, PATH_QUESTION, aad=stranger)
    connector.members[activity["from"]["id"]] = {"id": activity["from"]["id"], "name": "Guest",
                                                 "aadObjectId": stranger, "email": "guest@elsewhere.example"}
    assert teams_server.post(activity).status_code == 200
    [sent] = connector.wait_for(1, "POST")
    text = " ".join(cards.visible_text(only_card(sent)))
    assert "can't find you in the directory" in text
    assert teams_identity(teams_server.ladder, stranger) is None


def test_member_lookup_failure_is_just_not_in_the_directory(teams_server, connector):
    activity = personal_message(connector.url, None, "hi", aad="b8c5e2a4-0000-4000-8000-000000000002")
    assert teams_server.post(activity).status_code == 200  # the stand-in answers 404 for unknown members
    [sent] = connector.wait_for(1, "POST")
    assert "can't find you in the directory" in " ".join(cards.visible_text(only_card(sent)))


def test_malformed_requests_get_400_and_nothing_happens(teams_server, connector):
    good = personal_message(connector.url, MAYA, "hi")
    cases = [
        teams_server.post(data=b"{not json"),
        teams_server.post(data=b"[1, 2]"),
        teams_server.post(data=b""),
        teams_server.post(data=b"\xff\xfe\x00"),
        teams_server.post({k: v for k, v in good.items() if k != "type"}),
        teams_server.post({**good, "type": ""}),
        teams_server.post({**good, "type": 5}),
        teams_server.post({**good, "conversation": None}),
        teams_server.post({k: v for k, v in good.items() if k != "serviceUrl"}),
        teams_server.post(data=json.dumps(good).encode(), content_type="text/plain"),
        teams_server.post(data=b"type=message", content_type="application/x-www-form-urlencoded"),
    ]
    assert [r.status_code for r in cases] == [400] * len(cases)
    assert all("Traceback" not in r.text and "Error" not in r.text for r in cases)
    assert connector.requests == []


def test_a_failing_database_gives_a_plain_reply_with_an_error_id(fresh_demo, connector, tmp_path):
    # A real failure a person can hit: the database is unreachable (nothing listens on that port).
    ladder = dataclasses.replace(fresh_demo, db=Database("postgresql://postgres@127.0.0.1:9/unreachable"),
                                 notifiers=Notifiers())
    server = LadderServer(ladder)
    try:
        assert server.post(personal_message(connector.url, MAYA, "hi")).status_code == 200
        [sent] = connector.wait_for(1, "POST")
        text = " ".join(cards.visible_text(only_card(sent)))
        assert "something went wrong" in text and "error id" in text
        assert "OperationalError" not in text and "Traceback" not in text and "127.0.0.1" not in text
    finally:
        server.stop()


def test_installation_update_stores_the_reference_without_a_second_welcome(teams_server, connector):
    activity = install(connector.url, DANIEL)
    activity.update(type="installationUpdate", action="add")
    activity.pop("membersAdded")
    assert teams_server.post(activity).status_code == 200
    assert teams_identity(teams_server.ladder, aad_id(DANIEL)).conversation_ref["conversation"]["id"] == \
        activity["conversation"]["id"]
    assert connector.posts() == []


def test_a_click_in_a_personal_chat_keeps_the_chats_context(teams_server, connector):
    asked = personal_message(connector.url, MAYA, "what's my path to engineer?")
    teams_server.post(asked)
    button = only_card(connector.wait_for(1, "POST")[0])["body"][-1]["items"][-1]["actions"][0]
    teams_server.post(card_action(connector.url, MAYA, button["verb"], button["data"]["ref"]))
    with teams_server.ladder.db.session() as session:
        state = session.get(ConversationState, f"teams:{asked['conversation']['id']}:")
        assert state is not None and state.data["role_id"] == int(button["data"]["ref"].split(":")[1])


def test_mentions_and_markup_are_cleaned_from_the_text():
    from botbuilder.schema import Activity

    from bot.teams.bot import clean_text, split_conversation

    activity = Activity().deserialize({
        "type": "message", "text": "<at>Ladder</at> what&#39;s the path for <at>Maya Patel</at>?&nbsp;",
        "recipient": {"id": BOT_ID, "name": "Ladder"},
        "entities": [{"type": "mention", "text": "<at>Ladder</at>", "mentioned": {"id": BOT_ID, "name": "Ladder"}},
                     {"type": "mention", "text": "<at>Maya Patel</at>", "mentioned": {"id": "29:maya", "name": "Maya Patel"}}],
    })
    assert clean_text(activity) == "what's the path for Maya Patel?"
    assert split_conversation("19:abc@thread.tacv2;messageid=42", None, "channel") == ("19:abc@thread.tacv2", "42")
    assert split_conversation("19:abc@thread.tacv2", "43", "channel") == ("19:abc@thread.tacv2", "43")
    assert split_conversation("a:personal", "44", "personal") == ("a:personal", None)
    assert split_conversation("19:group@thread.v2", "45", "groupChat") == ("19:group@thread.v2", None)

"""A data export in Teams: the reply card, then a file consent card per file; accepted, the file is uploaded to the
URL Teams gives (the person's OneDrive) and a file info card follows; declined, it is discarded. In a channel no
file is offered. The Bot Connector and the upload URL are stand-ins on 127.0.0.1."""

from __future__ import annotations

import json

from aiohttp import web
from sqlalchemy import select
from teams_activities import card_action, channel_mention, personal_message
from teams_standins import ServerThread

from bot.teams import cards
from storage.models import ConversationState

MAYA = "maya.patel@kestrel.example"


class UploadStandIn:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []

    def app(self) -> web.Application:
        async def put(request: web.Request) -> web.Response:
            self.received.append((request.match_info["name"], dict(request.headers), await request.read()))
            return web.json_response({"id": "onedrive-item"}, status=201)

        app = web.Application()
        app.router.add_put("/upload/{name}", put)
        return app


def _file_consent(service_url: str, email: str, action: str, context: dict, upload_url: str) -> dict:
    act = card_action(service_url, email, "unused", "unused")
    act["name"] = "fileConsent/invoke"
    act["value"] = {"type": "fileUpload", "action": action, "context": context,
                    "uploadInfo": {"name": "ladder-export.json", "uploadUrl": upload_url,
                                   "contentUrl": "https://kestrel-my.sharepoint.com/personal/maya/ladder-export.json",
                                   "uniqueId": "1A2B3C", "fileType": "json"}}
    return act


def test_export_in_a_personal_chat_is_offered_uploaded_on_accept_and_discarded_on_decline(teams_server, connector):
    uploads = UploadStandIn()
    upload_server = ServerThread(uploads.app()).start()
    try:
        assert teams_server.post(personal_message(connector.url, MAYA, "export my data")).status_code == 200
        sent = connector.wait_for(3, "POST")
        assert "everything Ladder holds about you" in json.dumps(sent[0].body)
        offers = [a for r in sent[1:] for a in r.body["attachments"]]
        assert [a["contentType"] for a in offers] == [cards.FILE_CONSENT] * 2
        by_name = {a["name"].rsplit(".", 1)[1]: a for a in offers}
        assert set(by_name) == {"json", "md"}
        json_offer = by_name["json"]

        accept = _file_consent(connector.url, MAYA, "accept", json_offer["content"]["acceptContext"],
                               f"{upload_server.url}/upload/export.json")
        response = teams_server.post(accept)
        assert response.status_code == 200
        [(name, headers, body)] = uploads.received
        assert json.loads(body)["profile"]["email"] == MAYA
        assert headers["Content-Range"] == f"bytes 0-{len(body) - 1}/{len(body)}"
        assert len(body) == json_offer["content"]["sizeInBytes"]
        info = connector.wait_for(4, "POST")[3].body["attachments"][0]
        assert info["contentType"] == cards.FILE_INFO and info["content"]["uniqueId"] == "1A2B3C"

        decline = _file_consent(connector.url, MAYA, "decline", by_name["md"]["content"]["declineContext"],
                                f"{upload_server.url}/upload/never")
        assert teams_server.post(decline).status_code == 200
        assert "discarded" in json.dumps(connector.wait_for(5, "POST")[4].body)
        assert len(uploads.received) == 1
        with teams_server.ladder.db.session() as s:  # nothing of the export is kept once answered
            assert s.scalars(select(ConversationState).where(ConversationState.key.like("teams-file:%"))).all() == []
    finally:
        upload_server.stop()


def test_no_file_is_offered_in_a_channel(teams_server, connector):
    assert teams_server.post(channel_mention(connector.url, MAYA, "export my data")).status_code == 200
    sent = connector.wait_for(2, "POST")
    assert all(a["contentType"] != cards.FILE_CONSENT for r in sent for a in r.body.get("attachments") or [])
    assert "only send files in a personal chat" in json.dumps(sent[1].body)

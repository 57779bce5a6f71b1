"""The app manifest asks for what the code uses — no more, no less."""

from pathlib import Path

import yaml

from bot.slack import EVENTS_PATH
from bot.slack.command import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "slack" / "manifest.yaml"


def test_manifest_matches_the_code():
    m = yaml.safe_load(MANIFEST.read_text())
    assert set(m["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "channels:history", "groups:history", "chat:write", "im:history", "im:read", "im:write", "users:read", "users:read.email",
        "commands", "files:read"}
    events = m["settings"]["event_subscriptions"]
    assert set(events["bot_events"]) == {"app_mention", "message.im", "message.channels", "message.groups", "app_home_opened"}
    [command] = m["features"]["slash_commands"]
    assert command["command"] == COMMAND
    urls = {events["request_url"], m["settings"]["interactivity"]["request_url"], command["url"]}
    assert len(urls) == 1 and urls.pop().endswith(EVENTS_PATH)  # one URL for events, commands and clicks
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] and m["features"]["app_home"]["messages_tab_enabled"]

"""The two botbuilder 4.17.1 defects Ladder works around (bot/teams/patches.py), each shown and fixed."""

from __future__ import annotations

from types import SimpleNamespace

from msrest.universal_http.requests import ClientRetryPolicy
from teams_activities import card_action, personal_message
from teams_harness import EndpointServer, echo, with_settings
from teams_standins import ServerThread

from bot.teams import patches

MAYA = "maya.patel@kestrel.example"
ORIGINAL_SAFE_CODES = [i for i in range(500) if i != 408] + [501, 505]  # msrest 0.7.1's list


def test_retry_policy_safe_codes_are_a_set_with_the_same_meaning():
    patches.apply()
    patches.apply()  # idempotent
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    assert ClientRetryPolicy.safe_codes == frozenset(ORIGINAL_SAFE_CODES)
    expected = [i for i in range(999) if i not in ORIGINAL_SAFE_CODES]
    assert ClientRetryPolicy().policy.status_forcelist == expected


class _CountedCode(int):
    """A status code that counts how often it is compared: list membership compares against every element,
    a set compares against (almost) none. Counting, not timing, so a loaded machine cannot blur it."""

    compared = 0

    def __eq__(self, other):
        type(self).compared += 1
        return int(self) == other

    __hash__ = int.__hash__


def test_the_patch_takes_the_retry_policy_out_of_a_stock_turns_time(fresh_demo, connector, monkeypatch):
    """botbuilder's stock turn builds a new connector client (and so a retry policy) per turn: with msrest's
    list every one of 999 status codes is compared against ~500 safe codes; with the set, hardly any.
    (The CPU cost itself is measured in bench/teams_bench.py.)"""
    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None)
    server = EndpointServer(ladder, echo, reuse_clients=False)
    codes = [_CountedCode(c) for c in ORIGINAL_SAFE_CODES]
    try:
        def comparisons_per_turn(safe_codes, n: int = 3) -> float:
            with monkeypatch.context() as m:
                m.setattr(ClientRetryPolicy, "safe_codes", safe_codes)
                _CountedCode.compared = 0
                for _ in range(n):
                    assert server.post(personal_message(connector.url, MAYA, "hi")).status_code == 200
                return _CountedCode.compared / n

        assert server.post(personal_message(connector.url, MAYA, "hi")).status_code == 200  # warm up
        unpatched = comparisons_per_turn(list(codes))
        patched = comparisons_per_turn(frozenset(codes))
        assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
        print(f"stock turn: {unpatched:.0f} comparisons with the list, {patched:.0f} with the set")
        assert unpatched > 100_000, unpatched  # the stock turn really builds a retry policy each time
        assert patched * 100 < unpatched, (unpatched, patched)
    finally:
        server.stop()


def test_ladder_builds_no_retry_policy_per_turn(fresh_demo, connector, monkeypatch):
    """Ladder reuses its connector client per serviceUrl, so a turn builds no msrest configuration at all."""
    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None)
    server = EndpointServer(ladder, echo)
    built = []
    original = ClientRetryPolicy.__init__

    def counting_init(self):
        built.append(1)
        original(self)

    try:
        assert server.post(personal_message(connector.url, MAYA, "hi")).status_code == 200
        monkeypatch.setattr(ClientRetryPolicy, "__init__", counting_init)
        for _ in range(5):
            assert server.post(personal_message(connector.url, MAYA, "hi")).status_code == 200
            assert server.post(card_action(connector.url, MAYA, "ladder.enrol", "enrol:3")).status_code == 200
        assert built == []
        assert len(connector.posts()) == 6
    finally:
        server.stop()


def test_stock_cloud_adapter_answers_card_actions_with_500_and_ours_with_200(fresh_demo, connector):
    """Upstream defect: CloudAdapter.process serialises the invoke body a second time. If this test ever
    sees 200 from the stock path, botbuilder fixed it and the workaround can go."""
    from aiohttp import web
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    from bot.teams.bot import LadderTeamsBot

    ladder = with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None)
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace(APP_ID=None, APP_PASSWORD=None)))
    bot = LadderTeamsBot(ladder, echo)

    async def stock(request: web.Request) -> web.Response:
        try:
            return await adapter.process(request, bot)
        except Exception:  # noqa: BLE001 - what aiohttp would turn into its own 500
            return web.Response(status=500)

    app = web.Application()
    app.router.add_post("/api/messages", stock)
    stock_server = ServerThread(app).start()
    ours = EndpointServer(ladder, echo)
    try:
        click = card_action(connector.url, MAYA, "ladder.enrol", "enrol:3")
        import requests

        assert requests.post(f"{stock_server.url}/api/messages", json=click, timeout=30).status_code == 500
        response = ours.post({**click, "id": click["id"] + "-again"})
        assert response.status_code == 200
        body = response.json()
        assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
        assert body["value"]["body"][0]["text"] == "You pressed enrol:3."
    finally:
        ours.stop()
        stock_server.stop()

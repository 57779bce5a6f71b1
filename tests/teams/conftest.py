"""Fixtures for the Teams channel: Ladder's real server, a stand-in Bot Connector, a local token service."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from teams_harness import APP_ID, APP_PASSWORD, LadderServer, with_settings  # noqa: E402
from teams_standins import ServerThread, StandInConnector, TokenIssuer  # noqa: E402


@pytest.fixture
def connector() -> Iterator[StandInConnector]:
    stand_in = StandInConnector()
    thread = ServerThread(stand_in.app()).start()
    stand_in.url = thread.url + "/"
    yield stand_in
    thread.stop()


@pytest.fixture(scope="session")
def token_issuer() -> Iterator[TokenIssuer]:
    issuer = TokenIssuer()
    thread = ServerThread(issuer.app()).start()
    issuer.base_url = thread.url
    yield issuer
    thread.stop()


@pytest.fixture
def teams_server(fresh_demo) -> Iterator[LadderServer]:
    """Ladder's HTTP server in local emulator mode (no app id), on a seeded org of its own."""
    server = LadderServer(with_settings(fresh_demo, microsoft_app_id=None, microsoft_app_password=None))
    yield server
    server.stop()


@pytest.fixture
def secured_server(fresh_demo, token_issuer) -> Iterator[LadderServer]:
    """Ladder's HTTP server with Bot Framework credentials: every request needs a valid JWT."""
    from pydantic import SecretStr

    server = LadderServer(with_settings(fresh_demo, microsoft_app_id=APP_ID,
                                        microsoft_app_password=SecretStr(APP_PASSWORD),
                                        teams_openid_metadata_url=token_issuer.metadata_url))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _release_connections(request):
    """Each fresh_demo keeps its pool until the session ends; the server's worker threads fill it. Give the
    connections back after every test so PostgreSQL's connection limit isn't reached."""
    ladder = request.getfixturevalue("fresh_demo") if "fresh_demo" in request.fixturenames else None
    yield
    if ladder is not None:
        ladder.db.dispose()

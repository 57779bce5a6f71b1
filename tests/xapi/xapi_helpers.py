"""xAPI tests: Ladder's real server on a free local port (the Teams tests' ServerThread), one seeded demo company per
module and backend, and an LMS client with credentials issued the way `python app.py lms add` issues them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "teams"))

from teams_standins import ServerThread  # noqa: E402

from bot.server import build_app  # noqa: E402
from handlers import lms_clients  # noqa: E402
from handlers.context import Ladder  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "xapi"
SPEC = FIXTURES / "xAPI-Spec-appendix"
TEMPLATES = FIXTURES / "lrs-conformance-test-suite-templates" / "test" / "v1_0_3" / "templates"
VERSION = {"X-Experience-API-Version": "1.0.3"}


@dataclass
class Lrs:
    ladder: Ladder
    server: ServerThread
    key: str
    secret: str
    http: requests.Session

    @property
    def url(self) -> str:
        return self.server.url + "/xapi/statements"

    def post(self, body, *, auth=None, headers=None, raw: bytes | None = None) -> requests.Response:
        data = raw if raw is not None else json.dumps(body).encode()
        return self.http.post(self.url, data=data, auth=auth or (self.key, self.secret),
                              headers={**VERSION, "Content-Type": "application/json", **(headers or {})}, timeout=30)

    def put(self, body, statement_id: str) -> requests.Response:
        return self.http.put(self.url, params={"statementId": statement_id}, data=json.dumps(body).encode(),
                             auth=(self.key, self.secret), headers={**VERSION, "Content-Type": "application/json"},
                             timeout=30)

    def get(self, **params) -> requests.Response:
        return self.http.get(self.url, params=params, auth=(self.key, self.secret), headers=VERSION, timeout=30)


@pytest.fixture(scope="module")
def lrs(db_factory, tmp_path_factory):
    from handlers.seed_demo import seed_demo

    ladder = db_factory.ladder(tmp_path_factory.mktemp("xapi"))
    seed_demo(ladder)
    with ladder.db.unit_of_work() as uow:
        client = lms_clients.add(ladder, uow, "Test LMS", None)
    server = ServerThread(build_app(ladder, channels=())).start()
    live = Lrs(ladder, server, client.key, client.secret, requests.Session())
    yield live
    live.http.close()
    server.stop()
    db_factory.release(ladder.db)


def spec_statements() -> list[tuple[str, dict]]:
    """Every example of the specification's appendices, as a statement: full statements as they are, object examples
    as the object of a statement, interaction definitions as the definition of an activity."""
    base = {"actor": {"mbox": "mailto:learner@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}}
    out = []
    for path in sorted(SPEC.glob("*.json")):
        data = json.loads(path.read_text())
        if "verb" in data and "actor" in data and data.get("objectType") != "SubStatement":
            statement = data
        elif path.name.startswith("2"):
            statement = {**base, "object": {"id": f"http://example.com/interactions/{path.name[:2]}", **data}}
        else:
            statement = {**base, "object": data}
        out.append((path.name, statement))
    return out

"""SCIM 2.0 /scim/v2/Users over real HTTP (the server `serve` runs), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from pydantic import SecretStr
from sqlalchemy import select
from teams_standins import ServerThread

from bot.server import build_app
from hr_data.scim import ENTERPRISE, ERROR, LIST, PATCH, USER
from storage.models import AuditEvent, Person

TOKEN = "scim-test-token-0123456789abcdef"
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def scim(empty_ladder):
    empty_ladder.settings.scim_token = SecretStr(TOKEN)
    empty_ladder.now = lambda: NOW
    server = ServerThread(build_app(empty_ladder, channels=())).start()
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"})
    yield empty_ladder, server.url + "/scim/v2/Users", session
    session.close()
    server.stop()


def _user(email: str, **extra) -> dict:
    return {"schemas": [USER], "userName": email, "name": {"givenName": "Sam", "familyName": "Example"},
            "emails": [{"value": email, "primary": True}], "active": True, **extra}


def test_create_get_filter_patch_deactivate(scim):
    ladder, url, http = scim
    boss = http.post(url, json=_user("boss@scim-test.example", externalId="B-1"))
    assert boss.status_code == 201 and boss.headers["Content-Type"].startswith("application/scim+json")
    boss_id = boss.json()["id"]
    created = http.post(url, json=_user("Sam.Example@scim-test.example", externalId="S-1", title="Analyst",
                                        **{ENTERPRISE: {"manager": {"value": boss_id}}}))
    assert created.status_code == 201
    sam = created.json()
    assert (sam["userName"], sam["name"]["formatted"], sam["title"], sam[ENTERPRISE]["manager"]["value"]) == (
        "sam.example@scim-test.example", "Sam Example", "Analyst", boss_id)
    assert sam["meta"]["location"].endswith(f"/scim/v2/Users/{sam['id']}")

    got = http.get(f"{url}/{sam['id']}")
    assert got.status_code == 200 and got.json()["externalId"] == "S-1"
    page = http.get(url, params={"filter": 'userName eq "SAM.example@scim-test.example"'}).json()
    assert page["schemas"] == [LIST] and page["totalResults"] == 1 and page["Resources"][0]["id"] == sam["id"]
    assert http.get(url, params={"filter": 'userName eq "nobody@x.example"'}).json()["totalResults"] == 0
    listing = http.get(url, params={"startIndex": 2, "count": 1}).json()
    assert (listing["totalResults"], listing["startIndex"], listing["itemsPerPage"], listing["Resources"][0]["id"]) == (2, 2, 1, sam["id"])

    patched = http.patch(f"{url}/{sam['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "title", "value": "Senior Analyst"},
        {"op": "replace", "value": {"name.givenName": "Samantha", "name.familyName": "Example"}}]})
    assert patched.status_code == 200 and patched.json()["title"] == "Senior Analyst"
    assert patched.json()["displayName"] == "Samantha Example"

    off = http.patch(f"{url}/{sam['id']}", json={"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]})
    assert off.status_code == 200 and off.json()["active"] is False
    assert http.delete(f"{url}/{boss_id}").status_code == 204
    with ladder.db.session() as s:
        people = {p.email: p for p in s.scalars(select(Person))}
        actions = set(s.scalars(select(AuditEvent.action)))
    assert all((p.active, p.leave_date, p.leave_reason) == (False, NOW.date(), "other") for p in people.values())
    assert {"scim.user.created", "scim.user.patched", "scim.user.deactivated"} <= actions

    put = http.put(f"{url}/{sam['id']}", json=_user("sam.example@scim-test.example", externalId="S-1"))
    assert put.status_code == 200 and put.json()["active"] is True and "title" not in put.json()


def test_errors(scim):
    _ladder, url, http = scim
    assert http.post(url, json=_user("dup@scim-test.example")).status_code == 201
    dup = http.post(url, json=_user("DUP@scim-test.example"))
    assert dup.status_code == 409 and dup.json()["scimType"] == "uniqueness" and dup.json()["schemas"] == [ERROR]

    bad_token = requests.get(url, headers={"Authorization": "Bearer wrong"})
    assert bad_token.status_code == 401 and bad_token.json()["status"] == "401"
    assert requests.get(url).status_code == 401
    assert requests.post(url, data="{", headers={"Authorization": "Bearer wrong"}).status_code == 401

    malformed = http.post(url, data="{not json")
    assert malformed.status_code == 400 and malformed.json()["scimType"] == "invalidSyntax"
    not_email = http.post(url, json=_user("not-an-email"))
    assert not_email.status_code == 400 and not_email.json()["scimType"] == "invalidValue"
    no_active = http.post(url, json={**_user("a@scim-test.example"), "active": "maybe"})
    assert no_active.status_code == 400
    assert http.get(f"{url}/99999").status_code == 404 and http.get(f"{url}/abc").status_code == 404
    assert http.patch(f"{url}/99999", json={"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}).status_code == 404
    bad_filter = http.get(url, params={"filter": 'title co "x"'})
    assert bad_filter.status_code == 400 and bad_filter.json()["scimType"] == "invalidFilter"
    assert http.patch(f"{url}/1", json={"Operations": []}).status_code == 400


def test_off_without_token(empty_ladder):
    server = ServerThread(build_app(empty_ladder, channels=())).start()
    try:
        assert requests.get(server.url + "/scim/v2/Users", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    finally:
        server.stop()

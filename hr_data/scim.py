"""SCIM 2.0 Users (RFC 7643 core User + the enterprise extension's manager and department, RFC 7644 operations) on
Ladder's directory. No HTTP here: bot/web/scim.py parses requests and renders what these functions return.

A SCIM user is a person: ``id`` is Ladder's person id, ``userName`` the work email (unique, case-insensitive),
``externalId`` the HRIS id the CSV import matches on. Deleting a user or setting ``active`` to false never deletes
anyone (erasure is the privacy workflow's job, with HR's approval): the person turns inactive with today as their
leave date, as a leaver from the HRIS would.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from storage import UnitOfWork
from storage.models import AccessRole, Person

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
MAX_COUNT = 200
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
FILTER = re.compile(r'^\s*(userName|externalId)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


class ScimError(Exception):
    """A SCIM error response: HTTP status, scimType (RFC 7644 §3.12) and a detail for the identity provider's log."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schemas": [ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            out["scimType"] = self.scim_type
        return out


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def resource(uow: UnitOfWork, person: Person, base_url: str) -> dict[str, Any]:
    team = uow.onboarding.team(person.team_id) if person.team_id else None
    given, _, family = person.name.partition(" ")
    out: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE], "id": str(person.id), "userName": person.email,
        "name": {"formatted": person.name, "givenName": given, "familyName": family},
        "displayName": person.name, "emails": [{"value": person.email, "type": "work", "primary": True}],
        "active": bool(person.active),
        ENTERPRISE: {**({"manager": {"value": str(person.manager_id)}} if person.manager_id else {}),
                     **({"department": team.name} if team is not None else {})},
        "meta": {"resourceType": "User", "location": f"{base_url}/scim/v2/Users/{person.id}"},
    }
    if person.external_id:
        out["externalId"] = person.external_id
    if person.job_title:
        out["title"] = person.job_title
    return out


def list_users(uow: UnitOfWork, *, filter_text: str | None, start: int, count: int, base_url: str) -> dict[str, Any]:
    start, count = max(start, 1), max(min(count, MAX_COUNT), 0)
    user_name = external_id = None
    if filter_text:
        m = FILTER.match(filter_text)
        if m is None:
            raise ScimError(400, 'only the filters userName eq "…" and externalId eq "…" are supported', "invalidFilter")
        value = m.group(2).replace('\\"', '"')
        user_name, external_id = (value, None) if m.group(1).lower() == "username" else (None, value)
    if external_id is not None:
        pid = uow.hr_data.person_ids([external_id]).get(external_id)
        people = [uow.people.get(pid)] if pid else []
        total, page = len(people), people[start - 1:start - 1 + count]
    else:
        total, page = uow.hr_data.scim_page(user_name=user_name, start=start, count=count)
    return {"schemas": [LIST], "totalResults": total, "startIndex": start, "itemsPerPage": len(page),
            "Resources": [resource(uow, p, base_url) for p in page]}


def get_user(uow: UnitOfWork, ref: str) -> Person:
    person = uow.hr_data.person_by_ref(ref)
    if person is None:
        raise ScimError(404, f"no user with id {ref}")
    return person


def _from_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("the body must be a JSON object")
    out: dict[str, Any] = {}
    for key, value in body.items():
        _take(out, key, value)
    return out


def _take(out: dict[str, Any], path: str, value: Any) -> None:
    """One attribute (by its SCIM path) into Ladder's fields; unknown attributes are ignored, as RFC 7644 allows."""
    p = path.strip()
    low = p.lower()
    if low in ("schemas", "id", "meta", "groups", "roles", "phonenumbers", "addresses", "photos", "locale",
               "timezone", "preferredlanguage", "nickname", "profileurl", "usertype"):
        return
    if low == "username":
        out["email"] = _text(value, p)
    elif low == "externalid":
        out["external_id"] = None if value in (None, "") else _text(value, p)
    elif low == "active":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"  # some identity providers send the string
        if not isinstance(value, bool):
            raise _invalid("active must be true or false")
        out["active"] = value
    elif low == "displayname":
        out.setdefault("name", _text(value, p))
    elif low == "title":
        out["job_title"] = None if value in (None, "") else _text(value, p)
    elif low == "name":
        if not isinstance(value, dict):
            raise _invalid("name must be an object")
        for k, v in value.items():
            _take(out, f"name.{k}", v)
    elif low == "name.formatted":
        out["name"] = _text(value, p)
    elif low == "name.givenname":
        out["given"] = _text(value, p)
    elif low == "name.familyname":
        out["family"] = _text(value, p)
    elif low.startswith("emails"):
        out["email_from_emails"] = _email_of(value) if low == "emails" else _text(value, p)
    elif low == ENTERPRISE.lower():
        if not isinstance(value, dict):
            raise _invalid(f"{ENTERPRISE} must be an object")
        for k, v in value.items():
            _take(out, f"{ENTERPRISE}:{k}", v)
    elif low in (f"{ENTERPRISE}:manager".lower(), f"{ENTERPRISE}:manager.value".lower()):
        ref = value.get("value") if isinstance(value, dict) else value
        out["manager"] = None if ref in (None, "") else str(ref)


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{path} must be a non-empty string")
    if len(value) > 300:
        raise _invalid(f"{path} is too long")
    return value.strip()


def _email_of(value: Any) -> str | None:
    if not isinstance(value, list):
        raise _invalid("emails must be a list")
    mails = [e for e in value if isinstance(e, dict) and isinstance(e.get("value"), str)]
    chosen = next((e for e in mails if e.get("primary")), mails[0] if mails else None)
    return chosen["value"] if chosen else None


def _apply(uow: UnitOfWork, person: Person, said: dict[str, Any], today: dt.date) -> list[str]:
    """Writes what was said onto the person; returns the fields that changed. Raises ScimError 400/409."""
    changed: list[str] = []

    def put(field: str, value: Any) -> None:
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)

    email = said.get("email") or said.get("email_from_emails")
    if email is not None:
        if not EMAIL.fullmatch(email) or len(email) > 320:
            raise _invalid("userName must be the person's email address")
        email = email.lower()
        if uow.hr_data.email_taken(email, other_than=person.id):
            raise ScimError(409, f"userName {email} is already taken", "uniqueness")
        put("email", email)
    if "external_id" in said:
        ext = said["external_id"]
        if ext is not None and uow.hr_data.external_id_taken(ext, other_than=person.id):
            raise ScimError(409, f"externalId {ext} is already taken", "uniqueness")
        put("external_id", ext)
    name = said.get("name") or " ".join(x for x in (said.get("given"), said.get("family")) if x)
    if name:
        put("name", name[:200])
    if "job_title" in said:
        put("job_title", said["job_title"])
    if "manager" in said:
        ref = said["manager"]
        manager = uow.hr_data.person_by_ref(ref) if ref is not None else None
        if ref is not None and manager is None:
            raise _invalid(f"manager {ref} is not a user here")
        if manager is not None and person.id is not None and manager.id == person.id:
            raise _invalid("a user can't be their own manager")
        put("manager_id", manager.id if manager is not None else None)
    if "active" in said:
        if said["active"] is False and person.active is not False:
            put("active", False)
            put("leave_date", person.leave_date or today)
            put("leave_reason", person.leave_reason or "other")
        elif said["active"] is True and person.active is False:
            put("active", True)
            put("leave_date", None)
            put("leave_reason", None)
    return changed


def create_user(uow: UnitOfWork, body: Any, *, now: dt.datetime) -> Person:
    said = _from_body(body)
    if not (said.get("email") or said.get("email_from_emails")):
        raise _invalid("userName (the work email) is required")
    person = Person(name="", email="", access_role=AccessRole.employee, active=True)
    _apply(uow, person, {**said, "active": said.get("active", True)}, now.date())
    if not person.name:
        person.name = person.email.split("@")[0]
    uow.add(person)
    uow.flush()
    uow.audit.record(action="scim.user.created", actor_id=None, actor_kind="system", subject_id=person.id,
                     object_type="person", object_id=str(person.id), at=now, detail={"external_id": person.external_id})
    return person


def replace_user(uow: UnitOfWork, ref: str, body: Any, *, now: dt.datetime) -> Person:
    person = get_user(uow, ref)
    said = _from_body(body)
    if not (said.get("email") or said.get("email_from_emails")):
        raise _invalid("userName (the work email) is required")
    said.setdefault("job_title", None)
    said.setdefault("manager", None)
    _record(uow, person, _apply(uow, person, said, now.date()), now, "scim.user.replaced")
    return person


def patch_user(uow: UnitOfWork, ref: str, body: Any, *, now: dt.datetime) -> Person:
    person = get_user(uow, ref)
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list) or not body["Operations"]:
        raise _invalid("a PatchOp body needs a non-empty Operations list")
    said: dict[str, Any] = {}
    for op in body["Operations"]:
        if not isinstance(op, dict):
            raise _invalid("each operation must be an object")
        kind = str(op.get("op", "")).lower()
        path, value = op.get("path"), op.get("value")
        if kind in ("replace", "add"):
            if path:
                _take(said, str(path), value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    _take(said, k, v)
            else:
                raise _invalid("an operation without a path needs an object value")
        elif kind == "remove":
            low = str(path or "").lower()
            if low == "title":
                said["job_title"] = None
            elif low.startswith(f"{ENTERPRISE}:manager".lower()):
                said["manager"] = None
            elif low == "externalid":
                said["external_id"] = None
            else:
                raise ScimError(400, f"{path or 'that attribute'} can't be removed", "noTarget")
        else:
            raise _invalid(f"unsupported op {op.get('op')!r} (add, replace, remove)")
    _record(uow, person, _apply(uow, person, said, now.date()), now, "scim.user.patched")
    return person


def deactivate_user(uow: UnitOfWork, ref: str, *, now: dt.datetime) -> Person:
    person = get_user(uow, ref)
    _record(uow, person, _apply(uow, person, {"active": False}, now.date()), now, "scim.user.deactivated")
    return person


def _record(uow: UnitOfWork, person: Person, changed: list[str], now: dt.datetime, action: str) -> None:
    uow.flush()
    if changed:
        uow.audit.record(action=action, actor_id=None, actor_kind="system", subject_id=person.id, object_type="person",
                         object_id=str(person.id), at=now, detail={"fields": changed})

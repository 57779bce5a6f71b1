"""The Learning Record Store's use cases: store statements (POST/PUT), read them back (GET), manage LMS clients.

Transport-free: ``bot/web/xapi.py`` parses HTTP and calls these inside one unit of work per request, so a batch is
stored whole or not at all. Errors are typed (``LrsError`` with the HTTP status the specification asks for and a
reason) and never leak an exception text.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from learning_records import effects
from learning_records.statements import (
    SUPPORTED_VERSION,
    VOIDED,
    Problem,
    actor_key,
    canonical,
    is_uuid,
    parse_timestamp,
    problems_of_batch,
)
from storage import UnitOfWork
from storage.xapi import StatementQuery, actor_hash

AUTHORITY_HOME = "urn:ladder:lms-client"  # the account homePage of the authority Ladder stamps on what a client sent
MAX_LIMIT = 500


class LrsError(Exception):
    """A request the LRS refuses: ``status`` is the HTTP status, ``reason`` plain words, ``problems`` the rules broken."""

    def __init__(self, status: int, reason: str, problems: list[Problem] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.problems = problems or []

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"error": self.reason}
        if self.problems:
            data["problems"] = [p.as_data() for p in self.problems[:50]]
        return data


@dataclass(frozen=True, slots=True)
class Client:
    """An authenticated LMS client."""

    id: int
    name: str
    key: str


# ---------------------------------------------------------------------------- clients and their secrets


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=2 ** 12, r=8, p=1)
    return f"scrypt$4096$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def secret_matches(secret: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        again = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(again, base64.b64decode(digest))


@dataclass(frozen=True, slots=True)
class NewClient:
    name: str
    key: str
    secret: str  # shown once; only its hash is kept


def add_client(uow: UnitOfWork, name: str, now: dt.datetime) -> NewClient:
    name = name.strip()
    if not name or len(name) > 120:
        raise LrsError(400, "an LMS client needs a name of 1–120 characters")
    if uow.xapi.client_named(name) is not None:
        raise LrsError(409, f"there is already an LMS client named {name!r}")
    key, secret = "lms_" + secrets.token_hex(8), secrets.token_urlsafe(24)
    uow.xapi.add_client(name, key, hash_secret(secret), now)
    return NewClient(name, key, secret)


def authenticate(uow: UnitOfWork, key: str, secret: str) -> Client | None:
    client = uow.xapi.active_client(key)
    if client is None or not secret_matches(secret, client.secret_hash):
        return None
    return Client(client.id, client.name, client.key)


# ---------------------------------------------------------------------------- storing


@dataclass
class Stored:
    ids: list[str] = field(default_factory=list)
    new: int = 0  # how many were stored now (the rest were there already, identical)


def store(uow: UnitOfWork, client: Client, body: Any, now: dt.datetime, *, statement_id: str | None = None) -> Stored:
    """POST (one statement or a list) or PUT (``statement_id`` given): validate everything, then store in order."""
    if statement_id is not None:
        if not is_uuid(statement_id):
            raise LrsError(400, "statementId must be a UUID")
        if isinstance(body, list):
            raise LrsError(400, "PUT takes one statement, not a list")
        if isinstance(body, dict):
            if "id" in body and isinstance(body["id"], str) and body["id"].lower() != statement_id.lower():
                raise LrsError(400, "the statement's id differs from statementId")
            body = {**body, "id": statement_id}
    found = problems_of_batch(body)
    if found:
        raise LrsError(400, f"invalid statement: {found[0].path}: {found[0].reason}", found)
    result = Stored()
    for statement in body if isinstance(body, list) else [body]:
        sid, created = _store_one(uow, client, statement, now)
        result.ids.append(sid)
        result.new += created
    return result


def _store_one(uow: UnitOfWork, client: Client, original: dict[str, Any], now: dt.datetime) -> tuple[str, bool]:
    statement = _with_context_activity_lists(dict(original))
    statement["id"] = (statement.get("id") or str(uuid.uuid4())).lower()
    digest = hashlib.sha256(canonical(statement).encode()).hexdigest()
    stamp = now.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    statement["stored"] = stamp
    statement.setdefault("timestamp", stamp)
    statement["authority"] = {"objectType": "Agent", "name": client.name,
                              "account": {"homePage": AUTHORITY_HOME, "name": client.key}}
    statement.setdefault("version", "1.0.0")
    verb_id = statement["verb"]["id"]
    target = statement["object"]
    voids = target["id"].lower() if verb_id == VOIDED else None
    if voids is not None:
        voided = uow.xapi.statement(voids)
        if voided is not None and voided.voids is not None:
            raise LrsError(400, "a voiding statement cannot itself be voided")
    key = actor_key(statement["actor"])
    row_id = uow.xapi.insert_new({
        "statement_id": statement["id"], "digest": digest, "body": statement,
        "actor_hash": actor_hash(key) if key else None,
        "verb_id": verb_id[:500], "activity_id": target["id"][:500] if target.get("objectType", "Activity") == "Activity" else None,
        "stored": now, "voided": False, "voids": voids,
        "ref_id": target["id"].lower() if target.get("objectType") == "StatementRef" else None,
        "registration": (statement.get("context") or {}).get("registration", "").lower() or None,
        "client_id": client.id, "person_id": None, "effects": {},
    })
    if row_id is None:
        existing = uow.xapi.statement(statement["id"])
        if existing is None or existing.digest != digest:
            raise LrsError(409, f"statement {statement['id']} is stored already with other content")
        return statement["id"], False
    if voids is not None:
        person_id = None
        target_row = uow.xapi.mark_voided(voids)
        if target_row is not None:
            effects.undo(uow, target_row.effects or {})
            person_id = target_row.person_id
        uow.xapi.set_effects(row_id, {"voided": voids}, person_id)
    elif uow.xapi.voided_later(statement["id"]):  # its voiding statement came first
        uow.xapi.mark_voided(statement["id"])
    else:
        person_id, changed = effects.apply(uow, statement, now)
        uow.xapi.set_effects(row_id, changed, person_id)
    return statement["id"], True


def _with_context_activity_lists(statement: dict[str, Any]) -> dict[str, Any]:
    """A single context activity becomes a list of one, as the LRS must return it (Data §2.4.6.2); a SubStatement's too."""
    context = statement.get("context")
    if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
        activities = {k: v if isinstance(v, list) else [v] for k, v in context["contextActivities"].items()}
        statement["context"] = {**context, "contextActivities": activities}
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        statement["object"] = _with_context_activity_lists(dict(target))
    return statement


# ---------------------------------------------------------------------------- reading


@dataclass
class Page:
    statements: list[dict[str, Any]]
    more: str  # the query string of the next page, "" when this is the last


def one(uow: UnitOfWork, statement_id: str, *, voided: bool) -> dict[str, Any]:
    """GET ?statementId= (``voided`` False) or ?voidedStatementId= (True)."""
    if not is_uuid(statement_id):
        raise LrsError(400, "the statement id must be a UUID")
    row = uow.xapi.statement(statement_id)
    if row is None or row.voided != voided:
        raise LrsError(404, "no such statement" if not voided else "no such voided statement")
    return row.body


FILTERS = frozenset({"agent", "verb", "activity", "since", "until", "limit", "ascending", "format", "attachments",
                     "related_activities", "related_agents", "registration", "cursor"})


def find(uow: UnitOfWork, params: dict[str, str]) -> Page:
    """GET with filters: agent (JSON), verb, activity, since, until, limit, ascending; ``cursor`` continues."""
    unknown = set(params) - FILTERS
    if unknown:
        raise LrsError(400, f"unknown parameter {sorted(unknown)[0]!r}")
    import json

    wanted = None
    if "agent" in params:
        try:
            agent = json.loads(params["agent"])
        except ValueError:
            raise LrsError(400, "agent must be an Agent as JSON") from None
        key = actor_key(agent)
        if key is None:
            raise LrsError(400, "agent must name an identifier: mbox, mbox_sha1sum, openid or account")
        wanted = actor_hash(key)
    times: dict[str, dt.datetime | None] = {}
    for name in ("since", "until"):
        times[name] = None
        if name in params:
            times[name] = parse_timestamp(params[name])
            if times[name] is None:
                raise LrsError(400, f"{name} must be an ISO 8601 timestamp")
    try:
        limit = int(params.get("limit", "0"))
        cursor = int(params["cursor"]) if "cursor" in params else None
    except ValueError:
        raise LrsError(400, "limit and cursor must be whole numbers") from None
    if limit < 0:
        raise LrsError(400, "limit must not be negative")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    ascending = params.get("ascending", "false").lower() == "true"
    if params.get("format", "exact") not in ("exact", "ids", "canonical"):
        raise LrsError(400, "format must be exact, ids or canonical")
    registration = params.get("registration")
    if registration is not None and not is_uuid(registration):
        raise LrsError(400, "registration must be a UUID")
    query = StatementQuery(actor_hash=wanted, verb_id=params.get("verb"), activity_id=params.get("activity"),
                           registration=registration.lower() if registration else None,
                           since=times["since"], until=times["until"], ascending=ascending, after_row=cursor,
                           limit=limit + 1)
    rows = uow.xapi.find(query)
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        from urllib.parse import urlencode

        more = urlencode({**{k: v for k, v in params.items() if k != "cursor"}, "cursor": str(rows[-1].id)})
    shown = ids_only if params.get("format") == "ids" else (lambda body: body)
    return Page([shown(r.body) for r in rows], more)


def ids_only(statement: dict[str, Any]) -> dict[str, Any]:
    """``format=ids`` (Communication §2.1.3): agents and groups by identifier only, activities and verbs by id only."""

    def actor(a: Any) -> Any:
        if not isinstance(a, dict):
            return a
        kept = {k: a[k] for k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account") if k in a}
        if a.get("objectType") == "Group" and not any(k in a for k in ("mbox", "mbox_sha1sum", "openid", "account")):
            kept["member"] = [actor(m) for m in a.get("member", [])]
        return kept

    def thing(o: Any) -> Any:
        if not isinstance(o, dict):
            return o
        kind = o.get("objectType", "Activity")
        if kind == "Activity":
            return {"objectType": "Activity", "id": o.get("id")}
        if kind in ("Agent", "Group"):
            return actor(o)
        if kind == "SubStatement":
            return ids_only(o)
        return o

    out = dict(statement)
    for key in ("actor", "authority"):
        if key in out:
            out[key] = actor(out[key])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    if "object" in out:
        out["object"] = thing(out["object"])
    context = out.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = actor(context[key])
        if isinstance(context.get("contextActivities"), dict):
            context["contextActivities"] = {k: [thing(x) for x in v] if isinstance(v, list) else thing(v)
                                            for k, v in context["contextActivities"].items()}
        out["context"] = context
    return out


def version() -> str:
    return SUPPORTED_VERSION

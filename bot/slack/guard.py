"""The door in front of Bolt: a request is checked before anything parses it.

Bolt parses the body before it verifies the signature, so an unsigned request with a broken JSON body (or bytes that
are not UTF-8, or a timestamp that is not a number) raised inside the SDK and came back as a 500 with aiohttp's
traceback in the log. Here the signature is verified over the exact bytes first (401 when it fails, nothing parsed),
then the body is decoded and handed to Bolt; a signed body that still cannot be parsed is a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

from conversation import log_failure

log = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 5 * 60  # Slack's own rule for a replayed request


def signature_is_valid(secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float) -> bool:
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


# The shape every payload Slack sends has (Events API, interactivity, slash commands), as far as Bolt and Ladder read
# it: a field of the wrong type is refused here instead of raising somewhere inside a middleware.
_DICTS = frozenset({"event", "container", "message", "view", "enterprise", "state", "item", "previous_message",
                    "values", "assistant_thread", "bot_profile", "selected_option", "submit", "close"})
# "user", "team", "channel": an id in events, an object in clicks; "text", "title": a string or a text object
_DICT_OR_STR = frozenset({"user", "team", "channel", "text", "title"})
_LISTS_OF_DICTS = frozenset({"actions", "authorizations", "blocks", "elements", "files", "attachments", "options",
                             "selected_options"})
_STRINGS = frozenset({"type", "event_id", "user_id", "team_id", "channel_id", "api_app_id", "action_id", "block_id",
                      "callback_id", "ts", "thread_ts", "event_ts", "command", "trigger_id", "response_url", "value",
                      "id", "subtype", "bot_id", "tab", "channel_type", "client_msg_id", "enterprise_id", "private_metadata",
                      "action_ts", "message_ts", "hash", "root_view_id", "view_id", "external_id", "challenge", "token",
                      "user_team", "name", "username", "url_private_download", "mimetype", "filetype"})
_MAX_DEPTH = 40


def shape_problem(body: object, depth: int = 0) -> str | None:
    """Why ``body`` (as Bolt parsed it) is not shaped like anything Slack sends, or None."""
    if depth > _MAX_DEPTH:
        return "nested too deeply"
    if not isinstance(body, dict):
        return "not an object"
    for key, value in body.items():
        if not isinstance(key, str):
            return "a key that is not a string"
        if value is None:
            continue  # Slack sends null for absent objects ("enterprise": null); what must be there is checked below
        if key in _DICTS and not isinstance(value, dict):
            return f"{key} is not an object"
        if key in _DICT_OR_STR and not isinstance(value, (dict, str)):
            return f"{key} is neither an id nor an object"
        if key in _LISTS_OF_DICTS and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return f"{key} is not a list of objects"
        if key in _STRINGS and not isinstance(value, str):
            return f"{key} is not a string"
        if key.startswith("is_") and not isinstance(value, bool) and value is not None:
            return f"{key} is not true or false"
        children = [value] if isinstance(value, dict) else [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
        for child in children:
            problem = shape_problem(child, depth + 1)
            if problem:
                return problem
    if depth == 0:
        kind = body.get("type")
        if not isinstance(kind, str) and not isinstance(body.get("command"), str):
            return "neither an event, an interaction nor a command"
        needs = _REQUIRED.get(kind) if isinstance(kind, str) else None
        if needs is not None and not needs(body):
            return f"a {kind} without what every {kind} carries"
    return None


def _view_ok(body: dict) -> bool:
    view = body.get("view")
    return (isinstance(view, dict) and isinstance(body.get("user"), dict) and isinstance(view.get("type"), str)
            and isinstance(view.get("callback_id"), str))


def _state_ok(view: dict) -> bool:
    """A modal's inputs: state.values is {block id: {action id: {type, value …}}}."""
    state = view.get("state", {})
    values = state.get("values", {}) if isinstance(state, dict) else None
    return isinstance(values, dict) and all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values()) for block in values.values())


_REQUIRED = {  # what Slack always sends with each kind (Bolt's matchers read it unguarded)
    "event_callback": lambda b: isinstance(b.get("event"), dict) and isinstance(b["event"].get("type"), str),
    "block_actions": lambda b: (bool(b.get("actions")) and isinstance(b.get("user"), dict)
                                and all(isinstance(a.get("action_id"), str) for a in b["actions"])),
    "view_submission": lambda b: _view_ok(b) and _state_ok(b["view"]),
    "view_closed": lambda b: _view_ok(b),
    "url_verification": lambda b: isinstance(b.get("challenge"), str),
}


def _refuse(status: int, reason: str) -> web.Response:
    log.info("slack request rejected", extra={"reason": reason, "status": status})
    return web.json_response({"error": "unauthorized" if status == 401 else "bad request"}, status=status)


async def checked_request(request: web.Request, signing_secret: str) -> AsyncBoltRequest | web.Response:
    """The request as Bolt takes it, or the response that refuses it."""
    body = await request.read()  # over the server's size limit, aiohttp answers 413 itself
    if not signature_is_valid(signing_secret, body, request.headers.get("X-Slack-Request-Timestamp"),
                              request.headers.get("X-Slack-Signature"), time.time()):
        return _refuse(401, "invalid or missing signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(400, "body is not UTF-8")
    try:
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - Bolt raises what its parser raises (JSON, form, payload field)
        return _refuse(400, "body could not be parsed")
    problem = shape_problem(bolt_request.body)
    if problem:
        return _refuse(400, f"payload: {problem}")
    return bolt_request


def unanswerable(bolt_response) -> web.Response | None:
    """Bolt's answer when one of its own matchers or middleware raised on a signed payload (it answers 500, and Slack
    would retry the same payload): a 400 with an error id instead. Ladder's own work runs after the ack and reports its
    failures to the person, so a failure at ack time is a payload Ladder cannot take."""
    if bolt_response.status < 500:
        return None
    error_id = log_failure(log, "slack request failed at the ack", exc_info=False, status=bolt_response.status)
    return web.json_response({"error": "bad request", "error_id": error_id}, status=400)

"""The xAPI 1.0.3 Learning Record Store over HTTP: ``/xapi/statements`` (POST, PUT, GET, HEAD) and ``/xapi/about``.

Thin: parse the request (version header, HTTP Basic credentials of an LMS client, JSON body within the size limit),
call ``learning_records.lrs`` in one unit of work on a worker thread, and answer with the status the specification
asks for — 400 with the reason, 401, 404, 409, 413 — and never a stack trace. Every answer carries
``X-Experience-API-Version``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from typing import Any

from aiohttp import web

from conversation.errors import log_failure
from handlers.context import Ladder
from learning_records import lrs
from learning_records.statements import version_ok

log = logging.getLogger(__name__)

LADDER = web.AppKey("xapi_ladder", Ladder)
PREFIX = "/xapi"
VERSION_HEADER = "X-Experience-API-Version"
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


def mount(app: web.Application, ladder: Ladder) -> None:
    app[LADDER] = ladder
    app.router.add_route("*", f"{PREFIX}/statements", statements)
    app.router.add_get(f"{PREFIX}/about", about)
    app.router.add_route("*", PREFIX + "/{resource:.*}", not_implemented)


def _headers(ladder: Ladder | None = None) -> dict[str, str]:
    headers = {VERSION_HEADER: lrs.version(), "Access-Control-Expose-Headers": f"{VERSION_HEADER}, {CONSISTENT_THROUGH}"}
    if ladder is not None:  # every write is committed before its answer: all stored so far is consistent now
        headers[CONSISTENT_THROUGH] = ladder.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return headers


async def not_implemented(request: web.Request) -> web.Response:
    """The other xAPI resources (documents, state, agents, activities): not part of this LRS yet."""
    if not version_ok(request.headers.get(VERSION_HEADER)):
        return _error(400, f"the {VERSION_HEADER} header is required and must be 1.0.x")
    return _error(404, f"{request.path} is not implemented by this LRS (only /statements and /about are)")


def _error(status: int, reason: str, data: dict[str, Any] | None = None, ladder: Ladder | None = None) -> web.Response:
    headers = _headers(ladder)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Ladder xAPI"'
    return web.json_response(data or {"error": reason}, status=status, headers=headers)


async def about(_request: web.Request) -> web.Response:
    return web.json_response({"version": [lrs.version()]}, headers=_headers())


def _credentials(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        key, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (key, secret) if key and secret else None


async def _read_json(request: web.Request, limit: int) -> Any:
    if request.content_length is not None and request.content_length > limit:
        raise lrs.LrsError(413, f"the body is larger than {limit} bytes")
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        raise lrs.LrsError(400, "statements with attachments (multipart/mixed) are not supported by this LRS")
    if content_type and content_type != "application/json":
        raise lrs.LrsError(400, "the body must be application/json")
    body = bytearray()
    async for chunk in request.content.iter_chunked(65536):
        body.extend(chunk)
        if len(body) > limit:
            raise lrs.LrsError(413, f"the body is larger than {limit} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise lrs.LrsError(400, "the body is not valid JSON (UTF-8)") from None


async def statements(request: web.Request) -> web.StreamResponse:
    ladder = request.app[LADDER]
    if request.method not in ("GET", "HEAD", "POST", "PUT"):
        return _error(405, f"{request.method} is not supported on /statements", ladder=ladder)
    if not version_ok(request.headers.get(VERSION_HEADER)):
        return _error(400, f"the {VERSION_HEADER} header is required and must be 1.0.x", ladder=ladder)
    credentials = _credentials(request)
    if credentials is None:
        return _error(401, "HTTP Basic credentials of an LMS client are required", ladder=ladder)
    loop = asyncio.get_running_loop()
    try:
        client = await loop.run_in_executor(None, _authenticate, ladder, *credentials)
        if client is None:
            return _error(401, "unknown or revoked LMS client credentials", ladder=ladder)
        params = dict(request.query)
        if request.method in ("POST", "PUT"):
            body = await _read_json(request, ladder.settings.xapi_max_body_bytes)
            if request.method == "PUT":
                if "statementId" not in params:
                    return _error(400, "PUT needs the statementId parameter", ladder=ladder)
                await loop.run_in_executor(None, _store, ladder, client, body, params["statementId"])
                return web.Response(status=204, headers=_headers(ladder))
            if params:
                return _error(400, f"POST takes no parameters (got {sorted(params)[0]!r})", ladder=ladder)
            stored = await loop.run_in_executor(None, _store, ladder, client, body, None)
            return web.json_response(stored.ids, headers=_headers(ladder))
        data = await loop.run_in_executor(None, _read, ladder, params)
        return web.json_response(data, headers=_headers(ladder))
    except lrs.LrsError as refused:
        return _error(refused.status, refused.reason, refused.as_data(), ladder)
    except Exception:  # a failure of ours: logged with an id, the LMS gets the id and no internals
        error_id = log_failure(log, "xapi request failed", method=request.method)
        return _error(500, f"the LRS could not handle this request (error id {error_id})", ladder=ladder)


def _authenticate(ladder: Ladder, key: str, secret: str) -> lrs.Client | None:
    with ladder.db.read_only() as uow:
        return lrs.authenticate(uow, key, secret)


def _store(ladder: Ladder, client: lrs.Client, body: Any, statement_id: str | None) -> lrs.Stored:
    with ladder.db.unit_of_work() as uow:
        return lrs.store(uow, client, body, ladder.now(), statement_id=statement_id)


def _read(ladder: Ladder, params: dict[str, str]) -> Any:
    with ladder.db.read_only() as uow:
        if "statementId" in params or "voidedStatementId" in params:
            name = "statementId" if "statementId" in params else "voidedStatementId"
            others = set(params) - {name, "format", "attachments"}
            if others:
                raise lrs.LrsError(400, f"{name} cannot be combined with {sorted(others)[0]!r}")
            return lrs.one(uow, params[name], voided=name == "voidedStatementId")
        page = lrs.find(uow, params)
        return {"statements": page.statements, "more": f"{PREFIX}/statements?{page.more}" if page.more else ""}

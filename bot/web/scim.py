"""SCIM 2.0 ``/scim/v2/Users`` for identity providers (Entra ID, Okta, …): bearer-token auth, JSON in and out.

Off unless SCIM_TOKEN is set (one log line says so at start-up). Thin, like every entry point: authenticate, parse
the JSON, call one function of ``hr_data.scim`` in a worker thread (the database is synchronous), render its result
or its ``ScimError`` as RFC 7644's error body with the right status.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from handlers.context import Ladder
from hr_data import scim

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/scim+json"
SCIM_LADDER = web.AppKey("scim_ladder", Ladder)


def mount(app: web.Application, ladder: Ladder) -> None:
    token = ladder.settings.scim_token
    if token is None:
        log.info("SCIM is off: set SCIM_TOKEN to serve /scim/v2/Users")
        return
    app[SCIM_LADDER] = ladder
    app.router.add_get("/scim/v2/Users", list_users)
    app.router.add_post("/scim/v2/Users", create_user)
    app.router.add_get("/scim/v2/Users/{id}", get_user)
    app.router.add_put("/scim/v2/Users/{id}", replace_user)
    app.router.add_patch("/scim/v2/Users/{id}", patch_user)
    app.router.add_delete("/scim/v2/Users/{id}", delete_user)


def _reply(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type=CONTENT_TYPE)


def _error(e: scim.ScimError) -> web.Response:
    return _reply(e.body(), e.status)


def _authorised(request: web.Request) -> bool:
    expected = request.app[SCIM_LADDER].settings.scim_token.get_secret_value()
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def _body(request: web.Request) -> Any:
    try:
        return json.loads(await request.text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise scim.ScimError(400, "the body is not valid JSON", "invalidSyntax") from None


async def _run(request: web.Request, work: Callable[[Ladder], tuple[dict[str, Any] | None, int]]) -> web.Response:
    if not _authorised(request):
        return _error(scim.ScimError(401, "a valid bearer token is required"))
    ladder = request.app[SCIM_LADDER]
    try:
        body, status = await asyncio.get_running_loop().run_in_executor(None, work, ladder)
    except scim.ScimError as e:
        return _error(e)
    if body is None:
        return web.Response(status=status)
    return _reply(body, status)


def _int(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise scim.ScimError(400, f"{name} must be a whole number", "invalidValue") from None


async def list_users(request: web.Request) -> web.Response:
    try:
        start, count = _int(request, "startIndex", 1), _int(request, "count", 100)
    except scim.ScimError as e:
        return _error(e) if _authorised(request) else _error(scim.ScimError(401, "a valid bearer token is required"))
    base = _base_url(request)

    def work(ladder: Ladder):
        with ladder.db.read_only() as uow:
            return scim.list_users(uow, filter_text=request.query.get("filter"), start=start, count=count, base_url=base), 200

    return await _run(request, work)


async def get_user(request: web.Request) -> web.Response:
    ref, base = request.match_info["id"], _base_url(request)

    def work(ladder: Ladder):
        with ladder.db.read_only() as uow:
            return scim.resource(uow, scim.get_user(uow, ref), base), 200

    return await _run(request, work)


async def _write(request: web.Request, do, status: int = 200) -> web.Response:
    if not _authorised(request):
        return _error(scim.ScimError(401, "a valid bearer token is required"))
    try:
        body = await _body(request) if request.method != "DELETE" else None
    except scim.ScimError as e:
        return _error(e)
    base = _base_url(request)

    def work(ladder: Ladder):
        with ladder.db.unit_of_work() as uow:
            person = do(uow, body, ladder.now())
            if status == 204:
                return None, 204
            return scim.resource(uow, person, base), status

    return await _run(request, work)


async def create_user(request: web.Request) -> web.Response:
    return await _write(request, lambda uow, body, now: scim.create_user(uow, body, now=now), 201)


async def replace_user(request: web.Request) -> web.Response:
    ref = request.match_info["id"]
    return await _write(request, lambda uow, body, now: scim.replace_user(uow, ref, body, now=now))


async def patch_user(request: web.Request) -> web.Response:
    ref = request.match_info["id"]
    return await _write(request, lambda uow, body, now: scim.patch_user(uow, ref, body, now=now))


async def delete_user(request: web.Request) -> web.Response:
    ref = request.match_info["id"]
    return await _write(request, lambda uow, _body, now: scim.deactivate_user(uow, ref, now=now), 204)

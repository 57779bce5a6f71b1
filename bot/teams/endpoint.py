"""``POST /api/messages``: the Bot Framework endpoint on Ladder's aiohttp server.

Order of work for every request: parse (400 on anything malformed) → authenticate the JWT (401 on any
failure, before anything is processed) → run the turn → answer (an invoke's body, serialised once; see
``patches``). ``CloudAdapter.process`` is deliberately not used: it turns some malformed input and every
non-``PermissionError`` auth failure (bad signature, expired token, unknown key) into a 500, and it
double-serialises invoke bodies.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from botbuilder.schema import ActivityTypes
from botframework.connector.auth import AuthenticationConstants, BotFrameworkAuthentication, ClaimsIdentity, ConnectorFactory

from conversation import Message, Reply, log_failure, sorry_text
from bot.teams import patches
from bot.teams.bot import HOLDING, REPLY_IN_PLACE, LadderTeamsBot, reply_activity
from bot.tasks.payloads import Task, TeamsActivity
from bot.teams.notifier import TeamsNotifier
from handlers.context import Ladder
from settings import Settings

if TYPE_CHECKING:
    from bot.tasks.queue import TaskQueue

log = logging.getLogger(__name__)
_emulator_logged = False
HOLD_SECONDS = 5.0  # at most this long posting the holding message before the acknowledgement


def auth_configuration(settings: Settings) -> SimpleNamespace:
    """The configuration object ``ConfigurationBotFrameworkAuthentication`` reads (attribute names are its)."""
    password = settings.microsoft_app_password.get_secret_value() if settings.microsoft_app_password else None
    config = SimpleNamespace(
        APP_ID=settings.microsoft_app_id or None,
        APP_PASSWORD=password,
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )
    if settings.teams_openid_metadata_url:
        # Setting any one endpoint switches botframework-connector to its "parameterized" authentication,
        # which then needs every endpoint: the public-cloud defaults, with our metadata URL.
        config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.teams_openid_metadata_url
        config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
        config.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
        config.TO_CHANNEL_FROM_BOT_LOGIN_URL = (
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
            + (settings.microsoft_app_tenant_id if settings.microsoft_app_type.lower() == "singletenant"
               and settings.microsoft_app_tenant_id else AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT))
        config.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        config.OAUTH_URL = AuthenticationConstants.OAUTH_URL
        config.VALIDATE_AUTHORITY = True
    return config


class _CachedConnectorFactory(ConnectorFactory):
    """One ConnectorClient per (service URL, audience), reused across turns.

    botframework-connector builds a fresh client for every turn: a new msrest configuration (ConfigParser,
    retry policy) and a new ``requests`` session, i.e. a new TCP/TLS connection to the Bot Connector per
    reply. Reusing the client keeps the connection alive and the token cached in its credentials.
    """

    def __init__(self, inner: ConnectorFactory, cache: dict) -> None:
        self._inner = inner
        self._cache = cache

    async def create(self, service_url: str, audience: str = None):
        key = (service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            if len(self._cache) >= 64:  # a handful of regional service URLs in practice
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = client
        return client


class CachingAuthentication(BotFrameworkAuthentication):
    """``ConfigurationBotFrameworkAuthentication`` with the per-turn clients cached (see above). The bot
    has a single app id, so the cache key needs only the service URL and audience."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors: dict = {}
        self._user_token_client = None

    async def authenticate_request(self, activity: Activity, auth_header: str):
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachedConnectorFactory(result.connector_factory, self._connectors)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity):
        return _CachedConnectorFactory(self._inner.create_connector_factory(claims_identity), self._connectors)

    async def create_user_token_client(self, claims_identity):
        # Ladder uses no OAuth sign-in cards; one client (built lazily) is plenty.
        if self._user_token_client is None:
            self._user_token_client = await self._inner.create_user_token_client(claims_identity)
        return self._user_token_client

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str):
        return await self._inner.authenticate_channel_request(auth_header)


def _is_local(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _bad_request(reason: str) -> web.Response:
    log.info("teams request rejected", extra={"reason": reason, "status": 400})
    return web.json_response({"error": "bad request"}, status=400)


class TeamsEndpoint:
    def __init__(self, ladder: Ladder, handle: Callable[[Message], Reply] | None = None, *,
                 reuse_clients: bool = True, queue: "TaskQueue | None" = None) -> None:
        global _emulator_logged
        patches.apply()
        from handlers.router import Router

        settings = ladder.settings
        self.app_id = settings.microsoft_app_id or ""
        self.emulator_mode = not self.app_id
        if self.emulator_mode and not _emulator_logged:
            _emulator_logged = True
            log.warning("Teams endpoint in local emulator mode: MICROSOFT_APP_ID is not set, so requests to "
                        "/api/messages are NOT authenticated (only local serviceUrls are answered). Set "
                        "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Teams.")
        authentication = ConfigurationBotFrameworkAuthentication(auth_configuration(settings))
        # reuse_clients=False is botbuilder's stock behaviour (a new connector client per turn); tests use it
        # to show the msrest patch on its own.
        self.adapter = CloudAdapter(CachingAuthentication(authentication) if reuse_clients else authentication)
        self.bot = LadderTeamsBot(ladder, handle or Router(ladder).handle)
        self.notifier = TeamsNotifier(ladder, self.adapter, self.app_id)
        self.queue = queue  # a broker's: message turns go to the workers; None: they run in the request

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return _bad_request(f"content type {request.content_type!r}")
        try:
            body = json.loads(await request.text())
        except (ValueError, UnicodeDecodeError):
            return _bad_request("body is not JSON")
        if not isinstance(body, dict):
            return _bad_request("body is not a JSON object")
        if not isinstance(body.get("type"), str) or not body["type"]:
            return _bad_request("activity without a type")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # noqa: BLE001 - msrest raises several kinds for wrongly typed fields
            return _bad_request("not an Activity")
        if not activity.type or not isinstance(activity.type, str):
            return _bad_request("activity without a type")
        if not activity.service_url or activity.conversation is None or not activity.conversation.id:
            return _bad_request("activity without serviceUrl or conversation")

        if self.emulator_mode and not _is_local(activity.service_url):
            # Unauthenticated mode must not become a way to make Ladder POST to arbitrary URLs.
            log.warning("teams request unauthorised", extra={"reason": "emulator mode: non-local serviceUrl"})
            return web.json_response({"error": "unauthorized"}, status=401)
        auth_header = request.headers.get("Authorization") or None
        try:
            auth = await self.adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
        except Exception as exc:  # noqa: BLE001 - any failure to prove the caller is the Bot Framework
            log.warning("teams request unauthorised", extra={"reason": f"{type(exc).__name__}: {exc}"[:300]})
            return web.json_response({"error": "unauthorized"}, status=401)

        if self.queue is not None and activity.type == ActivityTypes.message:
            # Authenticated: the turn is a task for a worker (its reply goes out through the connector). Invokes stay
            # here, because their answer is this HTTP response.
            held = await self._hold_place(auth, activity)
            self.queue.submit(Task(payload=TeamsActivity(activity=body, reply_id=held)))
            return web.Response(status=202)
        try:
            invoke_response = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        except Exception:  # noqa: BLE001 - the bot already turned its own failures into replies
            error_id = log_failure(log, "teams activity failed")
            return web.json_response({"error": "internal error", "error_id": error_id}, status=500)
        if invoke_response is not None:
            return patches.invoke_http_response(invoke_response)
        return web.Response(status=200)

    async def _hold_place(self, auth, activity: Activity) -> str | None:
        """Post the reply's place before the task is queued: a "working on it" card, which the worker then replaces
        with the answer. Replacing is an update, so a task redelivered after its worker died mid-reply repeats it
        without a second message (the Bot Connector cannot be read back to see whether a reply went out). None when
        it could not be posted: the answer is then a new message."""
        async def post() -> str | None:
            client = await auth.connector_factory.create(activity.service_url, auth.audience)
            holding = TurnContext.apply_conversation_reference(reply_activity(HOLDING),
                                                               TurnContext.get_conversation_reference(activity))
            response = await client.conversations.reply_to_activity(activity.conversation.id, activity.id, holding)
            return response.id if response is not None and response.id else None

        try:
            # Bounded: Bot Framework waits about 15 s for the acknowledgement, then delivers the activity again.
            return await asyncio.wait_for(post(), HOLD_SECONDS)
        except Exception:  # noqa: BLE001 - the answer still goes out, as a new message
            log.warning("could not post the holding message; the answer will be a new message", exc_info=True)
            return None

    async def run_turn(self, activity_json: dict, reply_id: str | None = None) -> None:
        """A message turn queued by a web process (already authenticated there), run here: the reply goes out
        through the Bot Connector with this bot's own credentials, as a proactive message does, in place of the
        holding message ``reply_id`` when there is one."""
        await self._proactive(activity_json, reply_id, self.bot.on_turn)

    async def report_failure(self, activity_json: dict, reply_id: str | None = None, *,
                             error_id: str | None = None) -> None:
        """A queued turn failed for good (call while handling its last exception) or could not be queued: log it
        with an error id and tell the person, in place of the holding message."""
        error_id = log_failure(log, "teams task failed for good", error_id=error_id)
        sorry = Reply(text=sorry_text(error_id), error_id=error_id)
        try:
            await self._proactive(activity_json, reply_id,
                                  lambda turn_context: self.bot.answer(turn_context, reply_activity(sorry)))
        except Exception:  # noqa: BLE001 - nothing more can reach them; the id is in the log
            log.exception("could not tell the person a teams task failed", extra={"error_id": error_id})

    async def _report_unqueued(self, task: Task, error_id: str) -> None:
        await self.report_failure(task.payload.activity, task.payload.reply_id, error_id=error_id)

    async def _proactive(self, activity_json: dict, reply_id: str | None, logic) -> None:
        activity = Activity().deserialize(activity_json)
        claims = ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: self.app_id,
                                 AuthenticationConstants.APP_ID_CLAIM: self.app_id}, True)
        audience = self.adapter.bot_framework_authentication.get_originating_audience()

        async def turn(turn_context: TurnContext) -> None:
            if reply_id:
                turn_context.turn_state[REPLY_IN_PLACE] = reply_id
            await logic(turn_context)

        await self.adapter.process_proactive(claims, activity, audience, turn)

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/api/messages", self.handle)

        async def bind_loop(_app: web.Application) -> None:
            loop = asyncio.get_running_loop()
            self.notifier.bind(loop)
            if self.queue is not None:  # a turn the broker refused: its holding message says so
                self.queue.when_unqueued(TeamsActivity, self._report_unqueued, loop)

        app.on_startup.append(bind_loop)

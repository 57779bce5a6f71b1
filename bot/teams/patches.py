"""Workarounds for two defects of botbuilder-python 4.17.1 (the last release; the project is archived).

1. msrest 0.7.1, ``msrest/universal_http/requests.py`` ``ClientRetryPolicy``: ``safe_codes`` is a *list*
   of ~500 ints and ``__init__`` builds ``[i for i in range(999) if i not in self.safe_codes]`` — half a
   million comparisons. botframework-connector builds a new ``ConnectorClient`` (and so a new retry
   policy) for every turn and every proactive send, which costs ~13 ms of CPU per turn. Turning the
   class attribute into a frozenset gives the same ``status_forcelist`` in microseconds.
   ``apply()`` does that once at start-up; it is idempotent. (Ladder also reuses one connector client
   per serviceUrl — ``endpoint.CachingAuthentication`` — so after the first turn none is built at all; the
   patch still covers the first turn per serviceUrl and botbuilder's stock per-turn path.)

2. botbuilder-integration-aiohttp 4.17.1, ``botbuilder/integration/aiohttp/cloud_adapter.py``
   ``CloudAdapter.process``: it answers an invoke with
   ``json_response(data=serializer_helper(invoke_response.body))`` — but ``ActivityHandler`` already ran
   ``serializer_helper`` over the body (``botbuilder/core/activity_handler.py``
   ``ActivityHandler._create_invoke_response``), so a plain dict is fed to msrest's serializer a second
   time (``AttributeError: 'dict' object has no attribute 'is_xml_model'``) and aiohttp answers HTTP 500
   to every ``adaptiveCard/action`` invoke that carries a body. Ladder therefore does not call
   ``CloudAdapter.process``; ``bot.teams.endpoint`` calls ``process_activity`` itself and builds the
   aiohttp response from the ``InvokeResponse`` (``invoke_http_response`` below), serialising once.
   Nothing to patch in the library for this one.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from msrest.universal_http.requests import ClientRetryPolicy

    # Same membership, O(1) lookups: see defect 1 above.
    ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)
    _applied = True


def invoke_http_response(invoke_response: Any) -> web.Response:
    """The HTTP answer for an ``InvokeResponse`` — its body serialised exactly once (defect 2 above)."""
    status = int(invoke_response.status or 200)
    body = invoke_response.body
    if body is None:
        return web.Response(status=status)
    if hasattr(body, "serialize"):  # an msrest model that nobody serialised yet
        body = body.serialize()
    return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json")

"""The event loop ``serve`` runs on: uvloop (libuv) by default, the standard library's as the fallback.

Every acknowledgement is a few hundred microseconds of the loop's own work (reading the socket, parsing, writing the
response) next to Ladder's; uvloop does that part in C. Measured in bench/load_test.py and docs/scaling.md.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


def new_event_loop(kind: str) -> asyncio.AbstractEventLoop:
    """A new loop of ``kind`` (``Settings.event_loop``). Where uvloop cannot be imported (it does not build on
    Windows) it is asyncio's, with a warning."""
    if kind == "uvloop":
        try:
            import uvloop
        except ImportError:
            log.warning("EVENT_LOOP=uvloop but uvloop is not installed here: serving on asyncio's event loop")
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()

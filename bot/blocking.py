"""Blocking work (database, files) from the HTTP server's event loop: run it on the default thread pool."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

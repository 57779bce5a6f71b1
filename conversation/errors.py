"""Error ids: every failure a person can see carries one, and the log line for it carries the same.

One helper makes them, so the text a person reads and the id HR searches the log for never drift apart.
"""

from __future__ import annotations

import logging
import sys
import uuid

from conversation.messages import Reply

SORRY = ("Sorry, something went wrong on my side and I couldn't finish that. "
         "Please try again in a minute; if it keeps happening, give HR this error id: {error_id}.")


def new_error_id() -> str:
    """A short id a person can read out to HR and an operator can grep for."""
    return uuid.uuid4().hex[:10]


def sorry_text(error_id: str) -> str:
    return SORRY.format(error_id=error_id)


def log_failure(logger: logging.Logger, what: str, *, error_id: str | None = None, exc_info: bool = True,
                **extra: object) -> str:
    """Log a failure with a (new) error id and return the id; ``exc_info`` adds the traceback of the exception being
    handled, if there is one."""
    error_id = error_id or new_error_id()
    logger.error(what, exc_info=exc_info and sys.exc_info()[0] is not None, extra={"error_id": error_id, **extra})
    return error_id


def failure_reply(logger: logging.Logger, what: str, **extra: object) -> Reply:
    """Log the exception being handled and return the plain-language reply that names its error id."""
    error_id = log_failure(logger, what, **extra)
    return Reply(text=sorry_text(error_id), error_id=error_id)

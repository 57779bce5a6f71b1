"""The base every repository shares: it works inside one unit of work's session and never commits.

A repository answers the questions its part of Ladder asks, by name, and performs its writes. Committing is
the unit of work's job (``storage.uow``), so a use case's changes land together or not at all.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session) -> None:
        self._session = session

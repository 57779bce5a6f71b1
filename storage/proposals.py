"""Repository: proposals, decisions, challenges and the autonomy policy."""

from __future__ import annotations

from storage.repository import Repository


class Proposals(Repository):
    pass

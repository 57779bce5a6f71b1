"""Repository: the directory: people, reporting lines, chat identities."""

from __future__ import annotations

from storage.repository import Repository


class People(Repository):
    pass

"""Repository: conversation context (what a follow-up refers to)."""

from __future__ import annotations

from storage.repository import Repository


class Conversations(Repository):
    pass

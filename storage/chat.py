"""Repository: what channels remember: de-duplication claims, pending forms, Teams conversation references."""

from __future__ import annotations

from storage.repository import Repository


class ChatRecords(Repository):
    pass

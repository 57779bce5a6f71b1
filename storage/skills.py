"""Repository: the taxonomy as data, requirements, evidence, courses and opportunities."""

from __future__ import annotations

from storage.repository import Repository


class Skills(Repository):
    pass

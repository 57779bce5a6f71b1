"""Repository: organisation-wide counts and the demo company's set-up."""

from __future__ import annotations

from storage.repository import Repository


class Organisation(Repository):
    pass

"""Storage: all SQL in Ladder lives under this package."""

from storage.db import Database

__all__ = ["Database"]

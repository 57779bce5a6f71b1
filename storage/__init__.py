"""Storage: all SQL in Ladder lives under this package, behind repositories and a unit of work."""

from storage.db import Database
from storage.uow import UnitOfWork

__all__ = ["Database", "UnitOfWork"]

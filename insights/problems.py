"""The one error outcome analytics raises for input it cannot use: its message is meant for the person asking."""

from __future__ import annotations


class InsightsInputError(ValueError):
    """A missing column, a time that is not a number, no one who left: said in plain words, never a traceback."""
